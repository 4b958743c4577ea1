"""Checks for directory text: no NUL or control characters, nothing a spreadsheet would run as a formula."""

import unicodedata

#: A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@")


def has_control_characters(value: str) -> bool:
    """True when `value` holds NUL, other control characters (tab, newline too) or unassigned code points."""
    return any(unicodedata.category(ch) in {"Cc", "Cs", "Cn"} for ch in value)
