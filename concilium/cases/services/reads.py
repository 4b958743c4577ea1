"""Reading lists of cases is reading patient data (pseudonyms, diagnoses): each page shown is audited."""

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from concilium.audit.services import audit_record


def cases_listed(
    *, actor: Any, request: HttpRequest | None, action: str, case_ids: Iterable[int], page: int = 1
) -> None:
    """One audit event per list page: which cases it showed (ids only), on which page."""
    audit_record(
        action=action,
        actor=actor,
        object_type="cases.case",
        request=request,
        detail={"page": page, "case_ids": list(case_ids)},
    )
