"""The diagnosis code loader and the demo data of the patients app."""

import io

import pytest
from django.core.management import CommandError, call_command

from concilium.demo.consent_forms import demo_consent_forms
from concilium.patients.codes import BUNDLED_CODES
from concilium.patients.models import ConsentFormTemplate, DiagnosisCode

pytestmark = pytest.mark.django_db


def test_the_bundled_codes_load_and_a_second_run_changes_nothing():
    out = io.StringIO()
    call_command("diagnosis_codes_load", stdout=out)
    count = DiagnosisCode.objects.count()
    assert count >= 150
    assert f"{count} created" in out.getvalue()
    assert DiagnosisCode.objects.get(code="ORPHA:319").label == "Ewing sarcoma"
    assert DiagnosisCode.objects.filter(system="icd10", code__startswith="C71").count() == 10
    out = io.StringIO()
    call_command("diagnosis_codes_load", stdout=out)
    assert f"0 created, 0 updated, {count} unchanged" in out.getvalue()


def test_the_bundled_codes_stay_within_oncology_and_paediatric_cancer():
    lines = BUNDLED_CODES.read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        system, code = line.split(",")[:2]
        if system == "icd10":
            assert code[0] in "CD" and (code[0] == "C" or int(code[1:3]) <= 49), code


def test_a_csv_with_a_bad_row_loads_nothing_and_says_which_line(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("system,code,label\nicd10,C71.9,Brain\nsnomed,123,Other\norpha,319,No prefix\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("diagnosis_codes_load", str(path), stderr=err)
    assert "line 3" in err.getvalue() and "line 4" in err.getvalue()
    assert not DiagnosisCode.objects.exists()


def test_a_changed_label_is_updated(tmp_path):
    DiagnosisCode.objects.create(system="icd10", code="C71.9", label="Old")
    path = tmp_path / "codes.csv"
    path.write_text('system,code,label\nicd10,C71.9,"Malignant neoplasm of brain, unspecified"\n')
    call_command("diagnosis_codes_load", str(path), stdout=io.StringIO())
    assert DiagnosisCode.objects.get().label == "Malignant neoplasm of brain, unspecified"


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("diagnosis_codes_load", str(tmp_path / "nope.csv"))


def test_the_demo_consent_forms_are_real_pdfs_in_three_languages_made_once():
    assert demo_consent_forms() == 3
    assert demo_consent_forms() == 0
    forms = ConsentFormTemplate.objects.order_by("language")
    assert [f.language for f in forms] == ["de", "en", "fr"]
    for form in forms:
        content = form.document.read()
        assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
        assert form.version == "1.0" and form.is_current
