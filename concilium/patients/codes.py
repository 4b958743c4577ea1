"""Loading diagnosis codes (ICD-10, ORPHAcodes) from CSV: `system,code,label`, all rows or none."""

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction

from concilium.core.text import SINGLE_LINE_ALLOWED, find_control_character
from concilium.patients.models import CodeSystem, DiagnosisCode

BUNDLED_CODES = Path(__file__).resolve().parent / "data" / "diagnosis_codes.csv"
COLUMNS = ("system", "code", "label")


@dataclass
class CodeLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _row_error(number: int, row: dict[str, str | None]) -> str | None:
    system, code, label = ((row.get(name) or "").strip() for name in COLUMNS)
    if system not in CodeSystem.values:
        return f"line {number}: system must be one of {', '.join(CodeSystem.values)}"
    if not code or len(code) > 20:
        return f"line {number}: code must hold 1 to 20 characters"
    if system == CodeSystem.ORPHA and not code.startswith("ORPHA:"):
        return f"line {number}: an ORPHAcode is written ORPHA:<number>"
    if not label or len(label) > 300:
        return f"line {number}: label must hold 1 to 300 characters"
    if any(find_control_character(value, allowed=SINGLE_LINE_ALLOWED) for value in (code, label)):
        return f"line {number}: control characters are not allowed"
    return None


def diagnosis_codes_load(stream: IO[str]) -> CodeLoadResult:
    """Add new codes and update changed labels; if any row is wrong, report every error and write nothing."""
    result = CodeLoadResult()
    reader = csv.DictReader(stream)
    if tuple(reader.fieldnames or ()) != COLUMNS:
        result.errors.append(f"the header must be: {','.join(COLUMNS)}")
        return result
    rows: dict[tuple[str, str], str] = {}
    for number, row in enumerate(reader, start=2):
        error = _row_error(number, row)
        if error:
            result.errors.append(error)
            continue
        key = ((row["system"] or "").strip(), (row["code"] or "").strip())
        if key in rows:
            result.errors.append(f"line {number}: {key[1]} appears twice")
        rows[key] = (row["label"] or "").strip()
    if result.errors:
        return result
    with transaction.atomic():
        existing = {(c.system, c.code): c for c in DiagnosisCode.objects.select_for_update()}
        for (system, code), label in rows.items():
            found = existing.get((system, code))
            if found is None:
                DiagnosisCode(system=system, code=code, label=label).save()
                result.created += 1
            elif found.label != label:
                found.label = label
                found.save()
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def bundled_codes_load() -> CodeLoadResult:
    """The codes shipped with Concilium (a subset of ICD-10 C00-D49 and paediatric-cancer ORPHAcodes)."""
    with BUNDLED_CODES.open(encoding="utf-8", newline="") as stream:
        return diagnosis_codes_load(stream)
