"""Every CSV export writes formula-like text as text (CSV injection), through one module."""

import csv
import io

import pytest

from concilium.core.spreadsheet import SafeDictWriter, SafeWriter, csv_lines, spreadsheet_safe


@pytest.mark.parametrize("value", ["=1+1", "+33 1 23", "-5", "@SUM(A1)", "\tlead", "\rlead"])
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(value: str) -> None:
    assert spreadsheet_safe(value) == f"'{value}"


@pytest.mark.parametrize("value", ["Dr Ana Müller", "a=b", "", 3, -2.5, None])
def test_anything_else_is_left_as_it_is(value: object) -> None:
    assert spreadsheet_safe(value) == value


def test_the_writers_and_the_streamed_lines_neutralise_every_cell() -> None:
    out = io.StringIO()
    SafeWriter(out).writerows([["=A", -1, "ok"]])
    SafeDictWriter(out, fieldnames=["name"]).writerow({"name": "@x"})
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=A", "-1", "ok"], ["'@x"]]
    assert list(csv_lines([["+1", "x"]])) == ["'+1,x\r\n"]
