"""Refused actions on a case: audited, the same way from every page and API endpoint.

A refused service call rolls its transaction back, its audit event with it; the entry points run case
actions through `case_action_run`, which records the refusal afterwards and raises it on.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from concilium.audit.models import Outcome
from concilium.audit.services import audit_record
from concilium.cases.models import Case
from concilium.cases.services import CaseTransitionError, Refusal

T = TypeVar("T")


def case_refusal_record(*, case: Case, actor: Any, action: str, error: CaseTransitionError) -> None:
    """Audit a refused attempt on a case the actor sees (called after the refused transaction rolled back);
    an actor who does not see the case is answered "not found", and nothing is said of the case."""
    if error.code == Refusal.NOT_FOUND:
        return
    audit_record(
        action=f"case.{action}",
        actor=actor,
        obj=case,
        patient_ref=case.patient.pseudonym,
        outcome=Outcome.DENIED,
        detail={"reference": case.reference, "status": case.status, "code": error.code},
    )


def case_action_run(*, case: Case, actor: Any, action: str, run: Callable[[], T]) -> T:
    """Run one action on `case` (a service call); a refusal is audited, then raised on."""
    try:
        return run()
    except CaseTransitionError as error:
        case_refusal_record(case=case, actor=actor, action=action, error=error)
        raise
