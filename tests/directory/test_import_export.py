"""The operators' CSV commands: row-level errors and nothing written, upsert by email, export round trip."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from concilium.audit.models import AuditEvent
from concilium.directory.models import Clinician, Specialty
from concilium.directory.selectors import CSV_COLUMNS
from tests.factories import ClinicianFactory, HospitalFactory, NetworkFactory, SpecialtyFactory

HEADER = ",".join(CSV_COLUMNS)


@pytest.fixture
def setting(db: None) -> None:
    HospitalFactory(name="Universitätsklinikum Nordstadt", country="DE", city="Nordstadt")
    HospitalFactory(name="CHU de Rivebelle", country="FR", city="Rivebelle")
    NetworkFactory(code="ern-paedcan", name="ERN PaedCan")
    NetworkFactory(code="covid19-clinicians", name="COVID-19 Clinicians Network")
    SpecialtyFactory(name="Paediatric oncology")


def write(tmp_path: Path, *lines: str, name: str = "clinicians.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_import(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("directory_import", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


GOOD = [
    HEADER,
    "Zoë Müller,zoe.muller@nordstadt.example,Universitätsklinikum Nordstadt,DE,Paediatric oncology,de;en,"
    "ern-paedcan",
    "Hélène Lefèvre,h.lefevre@rivebelle.example,CHU de Rivebelle,FR,Neuroradiology,fr,"
    '"ern-paedcan;covid19-clinicians"',
    "Jörg Brückner,JORG@nordstadt.example,Universitätsklinikum Nordstadt,de,paediatric ONCOLOGY,,",
]


def test_import_creates_clinicians_and_missing_specialties(setting, tmp_path) -> None:
    out, _ = run_import(write(tmp_path, *GOOD))
    assert "created 3, updated 0" in out and "New specialties: Neuroradiology" in out
    zoe = Clinician.objects.get(email="zoe.muller@nordstadt.example")
    assert zoe.search_name == "zoe muller" and zoe.country == "DE" and zoe.is_listed
    assert sorted(zoe.languages.values_list("code", flat=True)) == ["de", "en"]
    helene = Clinician.objects.get(email="h.lefevre@rivebelle.example")
    assert sorted(helene.networks.values_list("code", flat=True)) == ["covid19-clinicians", "ern-paedcan"]
    assert helene.specialty.name == "Neuroradiology"
    jorg = Clinician.objects.get(email="jorg@nordstadt.example")
    assert jorg.specialty.name == "Paediatric oncology" and not jorg.languages.exists()
    event = AuditEvent.objects.get(action="directory.import")
    assert event.detail == {"created": 3, "updated": 0, "unchanged": 0, "specialties_created": 1}


def test_import_updates_by_email_and_leaves_unchanged_rows_alone(setting, tmp_path) -> None:
    run_import(write(tmp_path, *GOOD))
    changed = [
        HEADER,
        "Zoë Müller-Lang,ZOE.MULLER@nordstadt.example,CHU de Rivebelle,FR,Paediatric oncology,fr,",
        GOOD[2],
        GOOD[3],
    ]
    out, _ = run_import(write(tmp_path, *changed, name="second.csv"))
    assert "created 0, updated 1, left 2 unchanged" in out
    assert Clinician.objects.count() == 3
    zoe = Clinician.objects.get(email="zoe.muller@nordstadt.example")
    assert (zoe.full_name, zoe.search_name, zoe.country) == ("Zoë Müller-Lang", "zoe muller-lang", "FR")
    assert list(zoe.languages.values_list("code", flat=True)) == ["fr"]
    assert not zoe.networks.exists()


def test_every_bad_row_is_reported_and_nothing_is_written(setting, tmp_path) -> None:
    bad = [
        HEADER,
        GOOD[1],
        "Ann Other,ann@x.example,Universitätsklinikum Nordstadt,XX,Paediatric oncology,en,",
        "Bob Other,not-an-email,Nowhere Hospital,DE,Paediatric oncology,xx,ern-nothing",
        "=HYPERLINK(1),eve@x.example,CHU de Rivebelle,FR,New specialty,,",
        "Zoë Again,zoe.muller@nordstadt.example,CHU de Rivebelle,FR,,,",
        "Too,few,cells",
    ]
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("directory_import", str(write(tmp_path, *bad)), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert "row 3: country 'XX' is not an ISO 3166 code" in lines
    assert "row 4: email 'not-an-email' is not a valid address" in lines
    assert "row 4: hospital 'Nowhere Hospital' does not exist in country 'DE'" in lines
    assert "row 4: languages 'xx' is not a known ISO 639-1 language code" in lines
    assert "row 4: networks 'ern-nothing' is not a known network code" in lines
    assert "row 5: full_name must not start with '='" in lines
    assert "row 6: email 'zoe.muller@nordstadt.example' already appears in row 2" in lines
    assert "row 6: specialty is required" in lines
    assert "row 7: has 3 cells, the header has 7" in lines
    assert Clinician.objects.count() == 0
    assert not Specialty.objects.filter(name="New specialty").exists()
    assert not AuditEvent.objects.filter(action="directory.import").exists()


def test_control_characters_are_a_row_error(setting, tmp_path) -> None:
    path = write(tmp_path, HEADER, "Zo\x00e,z@x.example,CHU de Rivebelle,FR,Paediatric oncology,,")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("directory_import", str(path), stdout=io.StringIO(), stderr=err)
    assert "row 2: full_name contains control characters" in err.getvalue()


def test_a_wrong_header_is_reported(setting, tmp_path) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("directory_import", str(write(tmp_path, "name,email,hospital", "a,b,c")), stderr=err)
    assert "header: missing column(s): full_name, country, specialty, languages, networks" in err.getvalue()
    assert "header: unknown column(s): 'name'" in err.getvalue()


def test_dry_run_validates_and_writes_nothing(setting, tmp_path) -> None:
    out, _ = run_import(write(tmp_path, *GOOD), "--dry-run")
    assert "Dry run, nothing written: would have created 3" in out
    assert Clinician.objects.count() == 0
    assert not Specialty.objects.filter(name="Neuroradiology").exists()


def test_missing_file_and_non_utf8_file_are_clear_errors(setting, tmp_path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("directory_import", str(tmp_path / "absent.csv"))
    latin = tmp_path / "latin1.csv"
    latin.write_bytes((HEADER + "\nZo\xeb,z@x.example,CHU de Rivebelle,FR,Pathology,,\n").encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("directory_import", str(latin))


def test_export_then_import_round_trips(setting, tmp_path) -> None:
    run_import(write(tmp_path, *GOOD))
    hidden = Clinician.objects.get(email="jorg@nordstadt.example")
    hidden.is_listed = False
    hidden.save()
    exported = tmp_path / "export.csv"
    call_command("directory_export", str(exported), stderr=io.StringIO())
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    assert lines[1:] == [
        GOOD[1],
        "Hélène Lefèvre,h.lefevre@rivebelle.example,CHU de Rivebelle,FR,Neuroradiology,fr,"
        "covid19-clinicians;ern-paedcan",
    ]
    out, _ = run_import(exported)
    assert "created 0, updated 0, left 2 unchanged" in out

    everything = io.StringIO()
    call_command("directory_export", "--include-unlisted", stdout=everything)
    assert "jorg@nordstadt.example" in everything.getvalue()
    Clinician.objects.all().delete()
    out, _ = run_import(exported)
    assert "created 2" in out
    again = io.StringIO()
    call_command("directory_export", "-", stdout=again)
    assert again.getvalue().splitlines() == lines


def test_export_streams_with_a_fixed_number_of_queries_per_chunk(
    setting, tmp_path, django_assert_max_num_queries
) -> None:
    rows = [HEADER] + [
        f"Person {index},p{index}@x.example,CHU de Rivebelle,FR,Paediatric oncology,fr;en,ern-paedcan"
        for index in range(120)
    ]
    run_import(write(tmp_path, *rows))
    from concilium.directory.selectors import clinician_export_rows

    with django_assert_max_num_queries(3 * 3 + 1):
        exported = list(clinician_export_rows(chunk_size=50))
    assert len(exported) == 120 and exported[0]["languages"] == "en;fr"


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+1 234", "-2+3", "@SUM(A1)"])
def test_the_export_writes_formula_cells_as_text(name, db) -> None:
    ClinicianFactory(full_name=name)
    out = io.StringIO()
    call_command("directory_export", "-", stdout=out)
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["full_name"] == f"'{name}"
