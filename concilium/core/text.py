"""The one rule for free text typed by people: no control characters, no markup where asked, a length limit.

Forms use it through `concilium.core.forms` (a validator on every text field), services and API schemas
through `text_problem` and `clean_text`, so that a value refused by a form is refused by the API too.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

from concilium.core.errors import CommonCode, DomainError

#: Control characters a multi-line text (a textarea) may hold: tab, line feed and carriage return.
MULTILINE_ALLOWED = frozenset("\t\n\r")
#: Control characters a one-line text may hold: tab only (a pasted value may carry one).
SINGLE_LINE_ALLOWED = frozenset("\t")
#: No control character at all (names in the directory, a search fragment, a CSV cell).
NONE_ALLOWED: frozenset[str] = frozenset()
#: Markup in free text: a tag-like "<letter...>" or "</...>", or a javascript: URL (plain "<" and ">" stay).
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript\s*:", re.IGNORECASE)
#: Text starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def find_control_character(value: str, *, allowed: frozenset[str] = MULTILINE_ALLOWED) -> str | None:
    """The first NUL, control character (C0, DEL, C1) or lone surrogate in `value` not allowed, or None."""
    for ch in value:
        if ch not in allowed and unicodedata.category(ch) in {"Cc", "Cs"}:
            return ch
    return None


def has_control_characters(value: str, *, allowed: frozenset[str] = NONE_ALLOWED) -> bool:
    return find_control_character(value, allowed=allowed) is not None


def control_characters_message() -> str:
    return _("Remove the control characters (such as NUL) from this text.")


def text_problem(value: str, *, limit: int, multiline: bool = True, allow_markup: bool = True) -> str | None:
    """Why `value` is not acceptable text (control characters, markup when refused, length), or None."""
    if find_control_character(value, allowed=MULTILINE_ALLOWED if multiline else SINGLE_LINE_ALLOWED):
        return control_characters_message()
    if not allow_markup and MARKUP.search(value):
        return _("Remove the HTML markup (such as <script>) from this text: write plain text.")
    if len(value) > limit:
        return _("This text is too long (at most %(limit)d characters).") % {"limit": limit}
    return None


def clean_text(
    value: object,
    *,
    limit: int,
    field: str = "",
    multiline: bool = True,
    allow_markup: bool = True,
    required: bool = False,
) -> str:
    """`value` stripped, or `DomainError(invalid_request)` naming `field` when it breaks the text rule."""
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(CommonCode.INVALID_REQUEST, _("This field is required."), field=field)
    problem = text_problem(text, limit=limit, multiline=multiline, allow_markup=allow_markup)
    if problem:
        raise DomainError(CommonCode.INVALID_REQUEST, problem, field=field)
    return text
