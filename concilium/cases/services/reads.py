"""Reads of patient data in cases (pseudonyms, diagnoses, the episode): each page or answer is audited
once, by the entry point that shows it, through these two functions."""

from collections.abc import Iterable
from typing import Any

from concilium.audit.models import Outcome
from concilium.audit.services import audit_read, audit_record
from concilium.cases.models import Case


def cases_listed(*, actor: Any, action: str, case_ids: Iterable[int], page: int = 1) -> None:
    """One audit event per list page: which cases it showed (ids only), on which page."""
    audit_read(
        action=action,
        actor=actor,
        object_type="cases.case",
        detail={"page": page, "case_ids": list(case_ids)},
    )


def case_read_record(*, actor: Any, case: Case, action: str = "case.view", **detail: object) -> None:
    """One audit event for a read of one case (its page, its panel, its discussion, its report)."""
    audit_read(
        action=action,
        actor=actor,
        obj=case,
        patient_ref=case.patient.pseudonym,
        detail={"reference": case.reference, **detail},
    )


def case_access_lost_record(*, actor: Any, case_pk: int, reason: str) -> None:
    """A former participant asked for a case they can no longer open: recorded as a denied view with the
    reason's code (they were shown why, and nothing of the case)."""
    audit_record(
        action="case.view",
        actor=actor,
        object_type="cases.case",
        object_id=case_pk,
        outcome=Outcome.DENIED,
        detail={"code": reason},
    )
