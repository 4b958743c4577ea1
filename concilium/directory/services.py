"""Writes for the directory: the operators' CSV import (validate every row, then write all or nothing), and
the administration's hospitals and networks (each change audited)."""

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from concilium.audit.services import audit_record
from concilium.core.errors import CommonCode, DomainError, ErrorKind, register_codes
from concilium.core.roles import Role
from concilium.core.text import FORMULA_PREFIXES, clean_text, has_control_characters
from concilium.directory.models import Clinician, Hospital, Language, Network, Specialty, fold
from concilium.directory.permissions import DirectoryAction, HospitalPolicy, NetworkPolicy
from concilium.directory.reference import is_country_code
from concilium.directory.selectors import CSV_COLUMNS, OVERVIEW_CACHE_KEY

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


def directory_overview_changed() -> None:
    """Drop the dashboard's cached directory figures now and once the change commits (a request between
    the two would otherwise cache the figures from before it)."""
    cache.delete(OVERVIEW_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(OVERVIEW_CACHE_KEY))


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
    directory_overview_changed()  # bulk writes send no model signal
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


# --- Hospitals and networks (the administration screens) -------------------------------------------------


class DirectoryError(DomainError):
    """A hospital or network change that cannot be made; `field` names the form field it belongs to."""

    HOSPITAL_EXISTS = "hospital_exists"
    NETWORK_CODE_TAKEN = "network_code_taken"
    UNKNOWN_COUNTRY = "unknown_country"
    NETWORK_NOT_ADMINISTERED = "network_not_administered"
    NOT_AN_ADMIN = "not_an_admin"


register_codes(
    {
        DirectoryError.HOSPITAL_EXISTS: ErrorKind.CONFLICT,
        DirectoryError.NETWORK_CODE_TAKEN: ErrorKind.CONFLICT,
        DirectoryError.UNKNOWN_COUNTRY: ErrorKind.INVALID,
        DirectoryError.NETWORK_NOT_ADMINISTERED: ErrorKind.INVALID,
        DirectoryError.NOT_AN_ADMIN: ErrorKind.INVALID,
    }
)


def _hospital_values(*, name: str, city: str, country: str) -> dict[str, str]:
    values = {
        "name": clean_text(name, limit=200, field="name", multiline=False, allow_markup=False, required=True),
        "city": clean_text(city, limit=120, field="city", multiline=False, allow_markup=False),
        "country": str(country or "").strip().upper(),
    }
    if not is_country_code(values["country"]):
        raise DirectoryError(
            DirectoryError.UNKNOWN_COUNTRY, _("Choose a country from the list."), field="country"
        )
    return values


def _hospital_save(hospital: Hospital, fields: list[str] | None = None) -> None:
    """Save, answering the unique name-and-country constraint with a form error, never a 500."""
    duplicate = Hospital.objects.filter(name__iexact=hospital.name, country=hospital.country)
    if duplicate.exclude(pk=hospital.pk).exists():
        raise DirectoryError(
            DirectoryError.HOSPITAL_EXISTS,
            _("A hospital of this name is already listed in this country."),
            field="name",
        )
    try:
        with transaction.atomic():
            hospital.save(update_fields=fields)
    except IntegrityError as exc:  # a concurrent add of the same hospital
        raise DirectoryError(
            DirectoryError.HOSPITAL_EXISTS,
            _("A hospital of this name is already listed in this country."),
            field="name",
        ) from exc


@transaction.atomic
def hospital_create(
    *,
    actor: Any,
    name: str,
    country: str,
    city: str = "",
    is_reference_centre: bool = False,
    networks: Iterable[Network] = (),
) -> Hospital:
    """Add a hospital (applicants then find it in the registration form)."""
    HospitalPolicy.require(actor, DirectoryAction.HOSPITALS_MANAGE)
    hospital = Hospital(
        **_hospital_values(name=name, city=city, country=country), is_reference_centre=is_reference_centre
    )
    _hospital_save(hospital)
    network_ids = sorted(network.pk for network in networks)
    hospital.networks.set(network_ids)
    audit_record(
        action="hospital.create",
        actor=actor,
        obj=hospital,
        detail={"reference_centre": is_reference_centre, "networks": network_ids},
    )
    return hospital


@transaction.atomic
def hospital_update(
    *,
    actor: Any,
    hospital: Hospital,
    name: str,
    country: str,
    city: str = "",
    is_reference_centre: bool = False,
    networks: Iterable[Network] = (),
) -> Hospital:
    """Change a hospital's name, place, reference-centre flag and networks; audited with what changed."""
    HospitalPolicy.require(actor, DirectoryAction.HOSPITALS_MANAGE, hospital)
    locked = Hospital.objects.select_for_update().get(pk=hospital.pk)
    values: dict[str, Any] = {
        **_hospital_values(name=name, city=city, country=country),
        "is_reference_centre": is_reference_centre,
    }
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for field_name in changed:
        setattr(locked, field_name, values[field_name])
    if changed:
        _hospital_save(locked, changed)
        if "country" in changed:  # a clinician's country is their hospital's
            Clinician.objects.filter(hospital=locked).update(country=locked.country)
    network_ids = sorted(network.pk for network in networks)
    if sorted(locked.networks.values_list("pk", flat=True)) != network_ids:
        locked.networks.set(network_ids)
        changed.append("networks")
    if changed:
        audit_record(
            action="hospital.update",
            actor=actor,
            obj=locked,
            detail={"fields": changed, "networks": network_ids},
        )
    return locked


#: A network's code: lower-case letters, digits and hyphens ("ern-paedcan").
NETWORK_CODE = re.compile(r"[a-z0-9][a-z0-9-]*")


def _network_values(*, name: str, kind: str, description: str) -> dict[str, str]:
    if kind not in Network.Kind.values:
        raise DirectoryError(CommonCode.INVALID_REQUEST, _("Choose one of the listed kinds."), field="kind")
    return {
        "name": clean_text(name, limit=200, field="name", multiline=False, allow_markup=False, required=True),
        "kind": kind,
        "description": clean_text(description, limit=2000, field="description", allow_markup=False),
    }


@transaction.atomic
def network_create(
    *, actor: Any, code: str, name: str, kind: str = Network.Kind.ERN, description: str = ""
) -> Network:
    """Add a network; the network admin who adds it becomes its first administrator."""
    NetworkPolicy.require(actor, DirectoryAction.NETWORKS_MANAGE)
    code = clean_text(code, limit=40, field="code", multiline=False, required=True).lower()
    if not NETWORK_CODE.fullmatch(code):
        raise DirectoryError(
            CommonCode.INVALID_REQUEST,
            _("Use lower-case letters, digits and hyphens, such as “ern-paedcan”."),
            field="code",
        )
    if Network.objects.filter(code=code).exists():
        raise DirectoryError(
            DirectoryError.NETWORK_CODE_TAKEN, _("Another network has this code."), field="code"
        )
    values = _network_values(name=name, kind=kind, description=description)
    network = Network.objects.create(code=code, **values)
    network.administrators.add(actor)
    audit_record(action="network.create", actor=actor, obj=network, detail={"kind": network.kind})
    return network


@transaction.atomic
def network_update(
    *,
    actor: Any,
    network: Network,
    name: str,
    kind: str = Network.Kind.ERN,
    description: str = "",
    administrators: Iterable[Any] | None = None,
) -> Network:
    """Change a network's name, kind and description, and who administers it (network admins only; the
    actor stays one of them, so a network never loses its last administrator by mistake)."""
    NetworkPolicy.require(actor, DirectoryAction.NETWORKS_MANAGE, network)
    locked = Network.objects.select_for_update().get(pk=network.pk)
    values = _network_values(name=name, kind=kind, description=description)
    changed = [field_name for field_name, value in values.items() if getattr(locked, field_name) != value]
    for field_name in changed:
        setattr(locked, field_name, values[field_name])
    if changed:
        locked.save(update_fields=changed)
    detail: dict[str, object] = {}
    if administrators is not None:
        admins = list(administrators)
        if any(getattr(user, "role", "") != Role.NETWORK_ADMIN or not user.is_active for user in admins):
            raise DirectoryError(
                DirectoryError.NOT_AN_ADMIN,
                _("Only active network admins can administer a network."),
                field="administrators",
            )
        admin_ids = sorted({user.pk for user in admins} | {actor.pk})
        if sorted(locked.administrators.values_list("pk", flat=True)) != admin_ids:
            locked.administrators.set(admin_ids)
            changed.append("administrators")
            detail["administrators"] = admin_ids
    if changed:
        audit_record(action="network.update", actor=actor, obj=locked, detail={"fields": changed, **detail})
    return locked
