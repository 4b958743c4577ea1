"""Refused actions on a case: audited, the same way from every page and API endpoint.

A refused service call rolls its transaction back, its audit event with it; the entry points run case
actions through `case_action_run`, which records the refusal afterwards (audit.services.action_run).
"""

from collections.abc import Callable
from typing import Any, TypeVar

from concilium.audit.services import action_run, audit_refusal
from concilium.cases.models import Case
from concilium.cases.services import CaseTransitionError

T = TypeVar("T")


def _about(case: Case) -> dict[str, Any]:
    return {
        "obj": case,
        "patient_ref": case.patient.pseudonym,
        "detail": {"reference": case.reference, "status": case.status},
    }


def case_refusal_record(*, case: Case, actor: Any, action: str, error: CaseTransitionError) -> None:
    """Audit a refused attempt on a case the actor sees (called after the refused transaction rolled back);
    an actor who does not see the case is answered "not found", and nothing is said of the case."""
    audit_refusal(actor=actor, action=f"case.{action}", error=error, **_about(case))


def case_action_run(*, case: Case, actor: Any, action: str, run: Callable[[], T]) -> T:
    """Run one action on `case` (a service call); a refusal is audited, then raised on."""
    return action_run(actor=actor, action=f"case.{action}", run=run, **_about(case))
