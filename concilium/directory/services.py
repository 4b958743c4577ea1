"""Writes for the directory: the operators' CSV import (validate every row, then write all or nothing)."""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from concilium.audit.services import audit_record
from concilium.core.text import FORMULA_PREFIXES, has_control_characters
from concilium.directory.models import Clinician, Hospital, Language, Network, Specialty, fold
from concilium.directory.reference import is_country_code
from concilium.directory.selectors import CSV_COLUMNS

BATCH_SIZE = 1000
MAX_LENGTHS = {"full_name": 200, "email": 254, "hospital": 200, "specialty": 120}


@dataclass(frozen=True)
class RowError:
    """One problem in the file: `row` counts lines as a spreadsheet does (the header is row 1)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = "header" if self.row == 1 else f"row {self.row}"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    specialties_created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _CleanRow:
    row: int
    full_name: str
    email: str
    hospital: Hospital
    specialty: str
    languages: tuple[str, ...]
    networks: tuple[int, ...]


class DirectoryImportError(Exception):
    """The file has errors; nothing was written. `report.errors` lists them."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.errors)} error(s)")
        self.report = report


def read_csv(stream: TextIO) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The data rows of a directory CSV as (row number, cells), and any problem with the header."""
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return [], [RowError(1, "", "the file is empty; expected the columns " + ",".join(CSV_COLUMNS))]
    names = [name.strip().lower() for name in header]
    missing = [column for column in CSV_COLUMNS if column not in names]
    unknown = [name for name in names if name not in CSV_COLUMNS]
    errors = []
    if missing:
        errors.append(RowError(1, "", "missing column(s): " + ", ".join(missing)))
    if unknown:
        errors.append(RowError(1, "", "unknown column(s): " + ", ".join(repr(name) for name in unknown)))
    if errors:
        return [], errors
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = dict(zip(names, cells, strict=False))
        if len(cells) != len(names):
            errors.append(RowError(number, "", f"has {len(cells)} cells, the header has {len(names)}"))
            continue
        rows.append((number, {column: values.get(column, "").strip() for column in CSV_COLUMNS}))
    return rows, errors


class _Validator:
    """Checks rows against the database, loading each lookup table once."""

    def __init__(self) -> None:
        self.hospitals: dict[tuple[str, str], Hospital] = {
            (hospital.name.casefold(), hospital.country): hospital
            for hospital in Hospital.objects.only("id", "name", "country")
        }
        self.languages = set(Language.objects.values_list("code", flat=True))
        self.networks = dict(Network.objects.values_list("code", "id"))
        self.seen_emails: dict[str, int] = {}

    def text(self, row: int, column: str, value: str, errors: list[RowError]) -> str:
        if not value:
            errors.append(RowError(row, column, f"{column} is required"))
        elif has_control_characters(value):
            errors.append(RowError(row, column, f"{column} contains control characters"))
        elif len(value) > MAX_LENGTHS[column]:
            errors.append(RowError(row, column, f"{column} is longer than {MAX_LENGTHS[column]} characters"))
        elif value.startswith(FORMULA_PREFIXES):
            errors.append(RowError(row, column, f"{column} must not start with '{value[0]}'"))
        else:
            return value
        return ""

    def codes(self, value: str) -> list[str]:
        return list(dict.fromkeys(code.strip().lower() for code in value.split(";") if code.strip()))

    def email(self, row: int, value: str, errors: list[RowError]) -> str:
        email = self.text(row, "email", value, errors).lower()
        if not email:
            return ""
        try:
            validate_email(email)
        except ValidationError:
            errors.append(RowError(row, "email", f"email '{email}' is not a valid address"))
            return ""
        if email in self.seen_emails:
            first = self.seen_emails[email]
            errors.append(RowError(row, "email", f"email '{email}' already appears in row {first}"))
            return ""
        self.seen_emails[email] = row
        return email

    def hospital(self, row: int, cells: dict[str, str], errors: list[RowError]) -> Hospital | None:
        country = cells["country"].upper()
        name = self.text(row, "hospital", cells["hospital"], errors)
        if not country:
            errors.append(RowError(row, "country", "country is required"))
        elif not is_country_code(country):
            errors.append(RowError(row, "country", f"country '{cells['country']}' is not an ISO 3166 code"))
        elif name:
            hospital = self.hospitals.get((name.casefold(), country))
            if hospital is None:
                message = f"hospital '{name}' does not exist in country '{country}'"
                errors.append(RowError(row, "hospital", message))
            return hospital
        return None

    def check(self, row: int, cells: dict[str, str]) -> tuple[_CleanRow | None, list[RowError]]:
        errors: list[RowError] = []
        full_name = self.text(row, "full_name", cells["full_name"], errors)
        email = self.email(row, cells["email"], errors)
        hospital = self.hospital(row, cells, errors)
        specialty = self.text(row, "specialty", cells["specialty"], errors)
        languages = self.codes(cells["languages"])
        for code in languages:
            if code not in self.languages:
                message = f"languages '{code}' is not a known ISO 639-1 language code"
                errors.append(RowError(row, "languages", message))
        networks = self.codes(cells["networks"])
        for code in networks:
            if code not in self.networks:
                errors.append(RowError(row, "networks", f"networks '{code}' is not a known network code"))
        if errors or hospital is None:
            return None, errors
        return (
            _CleanRow(
                row=row,
                full_name=full_name,
                email=email,
                hospital=hospital,
                specialty=specialty,
                languages=tuple(sorted(languages)),
                networks=tuple(sorted(self.networks[code] for code in networks)),
            ),
            [],
        )


def _batches(items: list[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_by_email(emails: list[str]) -> dict[str, Clinician]:
    found: dict[str, Clinician] = {}
    for batch in _batches(emails):
        clinicians = (
            Clinician.objects.annotate(email_key=Lower("email"))
            .filter(email_key__in=batch)
            .prefetch_related("languages", "networks")
        )
        for clinician in clinicians:
            found[clinician.email_key] = clinician
    return found


def _specialties_for(names: Iterable[str], report: ImportReport) -> dict[str, Specialty]:
    """Existing specialties matched case-insensitively; missing ones are created (and reported)."""
    by_key = {specialty.name.casefold(): specialty for specialty in Specialty.objects.all()}
    for name in names:
        key = name.casefold()
        if key not in by_key:
            report.specialties_created.append(name)
            by_key[key] = Specialty(name=name) if report.dry_run else Specialty.objects.create(name=name)
    return by_key


@transaction.atomic
def clinicians_import(*, stream: TextIO, dry_run: bool = False, actor: Any = None) -> ImportReport:
    """Upsert clinicians by email from a directory CSV. Any invalid row: DirectoryImportError, no writes."""
    report = ImportReport(dry_run=dry_run)
    raw_rows, errors = read_csv(stream)
    report.errors.extend(errors)
    validator = _Validator()
    clean_rows: list[_CleanRow] = []
    for number, cells in raw_rows:
        clean, row_errors = validator.check(number, cells)
        report.errors.extend(row_errors)
        if clean is not None:
            clean_rows.append(clean)
    report.rows = len(raw_rows)
    if report.errors:
        raise DirectoryImportError(report)

    specialties = _specialties_for(dict.fromkeys(row.specialty for row in clean_rows), report)
    existing = _existing_by_email([row.email for row in clean_rows])
    to_create: list[tuple[Clinician, _CleanRow]] = []
    to_update: list[Clinician] = []
    relinks: list[tuple[Clinician, _CleanRow]] = []
    for row in clean_rows:
        specialty = specialties[row.specialty.casefold()]
        clinician = existing.get(row.email)
        if clinician is None:
            clinician = Clinician(
                full_name=row.full_name,
                search_name=fold(row.full_name),
                email=row.email,
                hospital=row.hospital,
                country=row.hospital.country,
                specialty=specialty,
            )
            to_create.append((clinician, row))
            continue
        changed = (
            clinician.full_name != row.full_name
            or clinician.hospital_id != row.hospital.pk
            or clinician.specialty_id != specialty.pk
        )
        links_changed = (
            tuple(sorted(lang.code for lang in clinician.languages.all())) != row.languages
            or tuple(sorted(network.pk for network in clinician.networks.all())) != row.networks
        )
        if changed:
            clinician.full_name = row.full_name
            clinician.search_name = fold(row.full_name)
            clinician.hospital = row.hospital
            clinician.country = row.hospital.country
            clinician.specialty = specialty
            to_update.append(clinician)
        if links_changed:
            relinks.append((clinician, row))
        if changed or links_changed:
            report.updated += 1
        else:
            report.unchanged += 1
    report.created = len(to_create)
    if dry_run:
        return report

    for batch in _batches(to_create):
        Clinician.objects.bulk_create([clinician for clinician, _row in batch], batch_size=BATCH_SIZE)
    for batch in _batches(to_update):
        Clinician.objects.bulk_update(
            batch, ["full_name", "search_name", "hospital", "country", "specialty"], batch_size=BATCH_SIZE
        )
    _write_links(to_create + relinks, replace=[clinician.pk for clinician, _row in relinks])
    audit_record(
        action="directory.import",
        actor=actor,
        object_type="directory.clinician",
        detail={
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "specialties_created": len(report.specialties_created),
        },
    )
    return report


def _write_links(pairs: list[tuple[Clinician, _CleanRow]], *, replace: list[int]) -> None:
    """Link each clinician to its row's languages and networks, first dropping the old links of `replace`."""
    language_link = Clinician.languages.through
    network_link = Clinician.networks.through
    for batch in _batches(replace):
        language_link.objects.filter(clinician_id__in=batch).delete()
        network_link.objects.filter(clinician_id__in=batch).delete()
    language_link.objects.bulk_create(
        [
            language_link(clinician_id=clinician.pk, language_id=code)
            for clinician, row in pairs
            for code in row.languages
        ],
        batch_size=BATCH_SIZE,
    )
    network_link.objects.bulk_create(
        [
            network_link(clinician_id=clinician.pk, network_id=network_id)
            for clinician, row in pairs
            for network_id in row.networks
        ],
        batch_size=BATCH_SIZE,
    )
