"""Writes for cases, one module per topic: lifecycle, attachments, templates, messages (and the panel's)."""

from typing import Any

from concilium.cases.models import Case
from concilium.cases.permissions import CasePolicy, Refusal
from concilium.core.errors import DomainError, ErrorKind, register_codes
from concilium.core.text import text_problem as core_text_problem


class CaseTransitionError(DomainError):
    """A case action refused: `code` is a `Refusal` or a service's own code (incomplete, invalid, ...);
    `missing` names the fields or checklist items at fault."""

    INCOMPLETE = "incomplete"
    INVALID = "invalid"

    def __init__(self, code: str, message: str, *, missing: list[str] | None = None) -> None:
        super().__init__(code, message, field=(missing or [""])[0] if missing else "")
        self.missing = missing or []
        if self.missing:
            self.extra["missing"] = self.missing


register_codes(
    {CaseTransitionError.INCOMPLETE: ErrorKind.INVALID, CaseTransitionError.INVALID: ErrorKind.INVALID}
)


def case_require(*, actor: Any, action: str, case: Case) -> None:
    """Raise `CaseTransitionError` unless the policy lets `actor` do `action` with `case` now."""
    refused = CasePolicy.refusal(actor, action, case)
    if refused is not None:
        raise CaseTransitionError(refused.code, refused.message)


def text_problem(value: str, *, limit: int) -> str | None:
    """Why `value` is not acceptable free text in a case (core's text rule; markup is refused), or None."""
    return core_text_problem(value, limit=limit, allow_markup=False)


def case_lock(case: Case) -> Case:
    """The case's row, locked for this transaction and read afresh (with its patient)."""
    return Case.objects.select_for_update(of=("self",)).select_related("patient").get(pk=case.pk)


__all__ = ["CaseTransitionError", "Refusal", "case_lock", "case_require", "text_problem"]
