"""Writes for cases, one module per topic: lifecycle, attachments, templates, messages (and the panel's)."""

from typing import Any

from concilium.cases.models import Case
from concilium.cases.permissions import CasePolicy, Refusal


class CaseTransitionError(Exception):
    """A case action refused: `code` is a `Refusal` or a service's own code (incomplete, invalid, ...)."""

    INCOMPLETE = "incomplete"
    INVALID = "invalid"

    def __init__(self, code: str, message: str, *, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.missing = missing or []


def case_require(*, actor: Any, action: str, case: Case) -> None:
    """Raise `CaseTransitionError` unless the policy lets `actor` do `action` with `case` now."""
    refused = CasePolicy.refusal(actor, action, case)
    if refused is not None:
        code, message = refused
        raise CaseTransitionError(code, message)


def case_lock(case: Case) -> Case:
    """The case's row, locked for this transaction and read afresh (with its patient)."""
    return Case.objects.select_for_update(of=("self",)).select_related("patient").get(pk=case.pk)


__all__ = ["CaseTransitionError", "Refusal", "case_lock", "case_require"]
