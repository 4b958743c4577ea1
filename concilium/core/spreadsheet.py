"""CSV for people who open it in a spreadsheet: every export writes through this module.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by Excel,
LibreOffice and Google Sheets (CSV injection: `=HYPERLINK(...)` in a name typed at registration). Such text
cells get a leading apostrophe, which the spreadsheet shows as text and does not run; numbers stay numbers.
`tests/test_architecture.py` checks that no module outside this one builds a CSV writer of its own.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from concilium.core.text import FORMULA_PREFIXES


class _Stream(Protocol):
    def write(self, value: str, /) -> Any: ...


def spreadsheet_safe(value: object) -> object:
    """`value`, with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


class SafeWriter:
    """A `csv.writer` whose every text cell is `spreadsheet_safe`."""

    def __init__(self, stream: _Stream, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([spreadsheet_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(SafeWriter):
    """A `csv.DictWriter` whose every text cell is `spreadsheet_safe`."""

    def __init__(self, stream: _Stream, fieldnames: Sequence[str], **options: Any) -> None:
        super().__init__(stream, **options)
        self.fieldnames = list(fieldnames)

    def writeheader(self) -> Any:
        return self._writer.writerow(self.fieldnames)

    def writerow(self, row: Iterable[object] | dict[str, object]) -> Any:  # type: ignore[override]  # a dict row
        if isinstance(row, dict):
            row = [row.get(name, "") for name in self.fieldnames]
        return super().writerow(row)


class _Echo:
    """A file-like object whose write returns the line, so a writer can feed a streaming response."""

    def write(self, value: str, /) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The CSV lines of `rows`, one at a time (for a streaming response), each cell spreadsheet-safe."""
    writer = SafeWriter(_Echo())
    return (writer.writerow(row) for row in rows)
