"""The patients pages: the list, enrolment, a patient's page, consents and documents, the blank forms."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concilium.patients.crypto import decrypt_local_id
from concilium.patients.models import ConsentFormTemplate, Patient
from concilium.patients.services import consent_form_upload
from tests.conftest import error_codes
from tests.factories import TINY_PDF, CaseFactory, PatientFactory
from tests.patients.conftest import EXE, upload

pytestmark = pytest.mark.django_db


def _enrol_post(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "local_id": "MRN-4711",
        "birth_year": "2017",
        "birth_month": "3",
        "sex": "male",
        "country": "FR",
        "diagnosis": "Medulloblastoma of the posterior fossa",
        "diagnosis_code": "",
        "for_care": "on",
        "language": "en",
        "form": "",
        "form_version": "local-2.1",
        "signer": "guardian",
        "guardian_name": "Gina Guardian",
        "signed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "document": upload(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- list ---------------------------------------------------------------------------------------------------


def test_my_patients_lists_my_hospitals_patients_with_consent_badge_and_case_count(
    client_for, requester, patient, other_patient
):
    CaseFactory(patient=patient)
    PatientFactory(hospital=requester.hospital, diagnosis="Neuroblastoma")
    response = client_for(requester).get(reverse("patients:list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert patient.pseudonym in content
    assert other_patient.pseudonym not in content
    assert "Care consent" in content and "No valid consent" in content
    row = content[content.index(patient.pseudonym) :]
    assert '<td class="text-end">1</td>' in row[: row.index("</tr>")]


def test_my_patients_searches_by_pseudonym_diagnosis_code_and_local_identifier(
    client_for, requester, patient, brain_code
):
    other = PatientFactory(hospital=requester.hospital, diagnosis="Neuroblastoma", local_id="LOCAL-77")
    patient.diagnosis_code = brain_code
    patient.save()
    client = client_for(requester)
    for query, expected, absent in [
        (patient.pseudonym.lower(), patient, other),
        ("neuroblast", other, patient),
        ("C71", patient, other),
        ("local 77", other, patient),
    ]:
        content = client.post(reverse("patients:list"), {"q": query}, follow=True).content.decode()
        assert expected.pseudonym in content, query
        assert absent.pseudonym not in content, query


def test_my_patients_filters_by_consent_state(client_for, requester, patient):
    without = PatientFactory(hospital=requester.hospital)
    client = client_for(requester)
    content = client.post(reverse("patients:list"), {"consent": "missing"}, follow=True).content.decode()
    assert without.pseudonym in content and patient.pseudonym not in content


def test_a_patient_search_travels_in_the_body_and_is_kept_in_the_session_never_in_the_address(
    client_for, requester
):
    wanted = PatientFactory(hospital=requester.hospital, local_id="LYO-2026-004217")
    PatientFactory.create_batch(3, hospital=requester.hospital)
    client = client_for(requester)
    url = reverse("patients:list")

    posted = client.post(url, {"q": "LYO-2026-004217"})

    assert posted.status_code == 302
    assert posted["Location"] == url  # the address carries no term
    content = client.get(url).content.decode()
    assert wanted.pseudonym in content
    assert content.count("font-monospace") == 1
    assert "LYO-2026-004217" not in client.get(url, {"page": 2}).request["QUERY_STRING"]


def test_a_search_term_in_the_address_is_ignored(client_for, requester):
    wanted = PatientFactory(hospital=requester.hospital, local_id="LOCAL-77")
    others = PatientFactory.create_batch(2, hospital=requester.hospital)

    content = client_for(requester).get(reverse("patients:list"), {"q": "LOCAL-77"}).content.decode()

    assert all(patient.pseudonym in content for patient in [wanted, *others])
    assert 'value="LOCAL-77"' not in content


def test_the_search_is_kept_across_pages_until_cleared(client_for, requester, brain_code):
    PatientFactory.create_batch(27, hospital=requester.hospital, diagnosis_code=brain_code)
    unrelated = PatientFactory(hospital=requester.hospital, diagnosis="Neuroblastoma")
    client = client_for(requester)
    url = reverse("patients:list")
    client.post(url, {"q": "C71"})

    second = client.get(url, {"page": 2}).content.decode()
    assert second.count("font-monospace") == 2
    assert 'value="C71"' in second

    cleared = client.post(url, {"clear": "1"})
    assert cleared.status_code == 302
    assert unrelated.pseudonym in client.get(url).content.decode()


def test_a_search_with_control_characters_is_refused_beside_the_field(client_for, requester, patient):
    client = client_for(requester)
    response = client.post(reverse("patients:list"), {"q": "MRN\x00"})
    assert response.status_code == 400
    assert error_codes(response.context["form"], "q") == ["control_characters"]
    assert patient.pseudonym in response.content.decode()  # the list itself, unfiltered


def test_my_patients_paginates(client_for, requester):
    PatientFactory.create_batch(27, hospital=requester.hospital)
    client = client_for(requester)
    first = client.get(reverse("patients:list"))
    second = client.get(reverse("patients:list"), {"page": 2})
    assert first.content.decode().count("font-monospace") == 25
    assert second.content.decode().count("font-monospace") == 2


def test_my_patients_takes_the_same_number_of_queries_for_3_or_30_patients(client_for, requester, brain_code):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(requester)
    client.get(reverse("patients:list"))  # warm the session and caches
    PatientFactory.create_batch(3, hospital=requester.hospital, care_consent=True, diagnosis_code=brain_code)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("patients:list"))
    for patient in PatientFactory.create_batch(
        27, hospital=requester.hospital, care_consent=True, diagnosis_code=brain_code
    ):
        CaseFactory(patient=patient)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("patients:list"))
    assert len(small) == len(large)


def test_an_empty_list_invites_to_enrol(client_for, requester):
    content = client_for(requester).get(reverse("patients:list")).content.decode()
    assert "No patients yet" in content
    assert reverse("patients:enrol") in content


# --- enrolment ----------------------------------------------------------------------------------------------


def test_a_clinician_enrols_a_patient_with_the_signed_consent(client_for, requester, brain_code):
    response = client_for(requester).post(reverse("patients:enrol"), _enrol_post(diagnosis_code="c71.6"))
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert patient.diagnosis_code == brain_code
    assert patient.has_care_consent
    assert decrypt_local_id(patient.local_id_encrypted) == "MRN-4711"


def test_the_enrol_form_shows_a_duplicate_on_the_local_identifier_field(client_for, requester):
    client = client_for(requester)
    client.post(reverse("patients:enrol"), _enrol_post())
    response = client.post(reverse("patients:enrol"), _enrol_post(local_id="mrn 4711"))
    assert response.status_code == 400
    assert "already enrolled a patient with this local identifier" in response.content.decode()
    # A service refusal: the form carries its message only, without a code.
    assert response.context["form"].errors["local_id"] == [
        "Your hospital has already enrolled a patient with this local identifier, as "
        f"{Patient.objects.get().pseudonym}."
    ]
    assert Patient.objects.count() == 1


def test_the_enrol_form_refuses_a_disguised_upload_on_the_document_field(client_for, requester):
    response = client_for(requester).post(
        reverse("patients:enrol"), _enrol_post(document=upload(EXE, "consent.pdf"))
    )
    assert response.status_code == 400
    # A service refusal: the form carries its message only, without a code.
    assert response.context["form"].errors["document"] == [
        "This file is not a PDF, PNG, JPG document (its content was checked, not its name)."
    ]
    assert not Patient.objects.exists()


def test_the_enrol_form_refuses_an_oversized_upload(client_for, requester, settings):
    settings.CONSENT_MAX_UPLOAD_MB = 1
    response = client_for(requester).post(
        reverse("patients:enrol"), _enrol_post(document=upload(TINY_PDF + b"0" * (1024 * 1024 + 1)))
    )
    assert response.status_code == 400
    assert response.context["form"].errors["document"] == ["The file is larger than 1 MB."]


def test_the_enrol_form_refuses_a_future_signature_date(client_for, requester):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(requester).post(reverse("patients:enrol"), _enrol_post(signed_on=tomorrow))
    assert response.status_code == 400
    assert response.context["form"].errors["signed_on"] == ["The consent cannot be signed in the future."]
    assert not Patient.objects.exists()


def test_the_enrol_form_needs_the_care_consent(client_for, requester):
    response = client_for(requester).post(reverse("patients:enrol"), _enrol_post(for_care=None))
    assert response.status_code == 400
    assert response.context["form"].errors["for_care"] == [
        "A patient is enrolled with a signed consent to care (discussion with experts)."
    ]


def test_the_enrol_form_refuses_an_unknown_code_and_control_characters(client_for, requester):
    response = client_for(requester).post(
        reverse("patients:enrol"), _enrol_post(diagnosis_code="Z99.9", diagnosis="Glioma\x00")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"diagnosis_code", "diagnosis"}
    assert error_codes(form, "diagnosis_code") == ["unknown_code"]
    assert error_codes(form, "diagnosis") == ["control_characters"]


def test_the_enrol_form_offers_the_current_blank_forms(client_for, requester, network_admin):
    consent_form_upload(
        actor=network_admin, language="fr", version="1.0", title="Consentement", document=upload()
    )
    content = client_for(requester).get(reverse("patients:enrol")).content.decode()
    assert "Consentement" in content
    assert reverse("patients:consent_form_download", args=[ConsentFormTemplate.objects.get().pk]) in content


# --- the patient's page -------------------------------------------------------------------------------------


def test_the_patient_page_shows_the_local_identifier_to_the_owning_hospital(client_for, expert, patient):
    content = client_for(expert).get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert patient.pseudonym in content
    assert "ALPHA-0001" in content
    assert "Care consent" in content


def test_script_in_free_text_is_rendered_escaped(client_for, requester, patient):
    patient.diagnosis = "<script>alert('x')</script>"
    patient.save()
    consent = patient.consents.get()
    consent.guardian_name = "<img src=x onerror=alert(1)>"
    consent.save()
    content = client_for(requester).get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "<script>alert" not in content and "<img src=x" not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content
    listing = client_for(requester).get(reverse("patients:list")).content.decode()
    assert "<script>alert" not in listing


def test_the_patient_page_lists_its_cases(client_for, requester, patient):
    case = CaseFactory(patient=patient)
    content = client_for(requester).get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert case.reference in content


def test_a_patient_without_valid_consent_is_flagged_on_its_page(client_for, requester):
    patient = PatientFactory(hospital=requester.hospital)
    content = client_for(requester).get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "No valid consent" in content


def test_the_diagnosis_can_be_edited(client_for, requester, patient, ewing_code):
    response = client_for(requester).post(
        reverse("patients:update", args=[patient.pk]),
        {"diagnosis": "Ewing sarcoma", "diagnosis_code": "ORPHA:319"},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.diagnosis_code == ewing_code


# --- consents -----------------------------------------------------------------------------------------------


def test_a_further_consent_is_recorded_with_its_document(client_for, requester, patient):
    data = _enrol_post(for_care=None, for_registry="on", form_version="reg-1")
    response = client_for(requester).post(reverse("patients:consent_record", args=[patient.pk]), data)
    assert response.status_code == 302
    assert patient.consents.filter(for_registry=True, for_care=False).exists()


def test_a_guardian_signature_without_the_name_is_refused_on_the_form(client_for, requester, patient):
    response = client_for(requester).post(
        reverse("patients:consent_record", args=[patient.pk]), _enrol_post(guardian_name="")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["guardian_name"] == [
        "Give the name of the legal guardian who signed."
    ]
    assert patient.consents.count() == 1


def test_withdrawing_a_consent_asks_for_date_reason_and_confirmation(client_for, requester, patient):
    consent = patient.consents.get()
    url = reverse("patients:consent_withdraw", args=[patient.pk, consent.pk])
    client = client_for(requester)
    refused = client.post(url, {"withdrawn_on": timezone.localdate().isoformat(), "reason": ""})
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"reason", "confirm"}
    assert error_codes(refused.context["form"], "reason") == ["required"]
    assert error_codes(refused.context["form"], "confirm") == ["required"]
    response = client.post(
        url, {"withdrawn_on": timezone.localdate().isoformat(), "reason": "Family request", "confirm": "on"}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()
    patient.refresh_from_db()
    assert not patient.has_care_consent


def test_a_withdrawal_dated_in_the_future_is_refused_on_the_form(client_for, requester, patient):
    consent = patient.consents.get()
    response = client_for(requester).post(
        reverse("patients:consent_withdraw", args=[patient.pk, consent.pk]),
        {
            "withdrawn_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "reason": "Later",
            "confirm": "on",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "withdrawn_on": ["The withdrawal cannot be dated in the future."]
    }
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_the_signed_document_is_streamed_as_an_attachment(client_for, requester, patient):
    consent = patient.consents.get()
    response = client_for(requester).get(reverse("patients:consent_document", args=[patient.pk, consent.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert patient.pseudonym in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == TINY_PDF


def test_uploads_are_never_served_from_a_public_media_url(client_for, requester, patient):
    document = patient.consents.get().document
    assert client_for(requester).get(f"/media/{document.name}").status_code == 404


# --- blank forms --------------------------------------------------------------------------------------------


def test_a_network_admin_uploads_a_blank_form_in_a_language(client_for, network_admin):
    response = client_for(network_admin).post(
        reverse("patients:consent_forms"),
        {"language": "de", "version": "2.0", "title": "Einwilligung", "document": upload()},
    )
    assert response.status_code == 302
    template = ConsentFormTemplate.objects.get()
    assert (template.language, template.version, template.uploaded_by) == ("de", "2.0", network_admin)


def test_the_blank_form_page_refuses_a_disguised_pdf(client_for, network_admin):
    response = client_for(network_admin).post(
        reverse("patients:consent_forms"),
        {"language": "de", "version": "2.0", "title": "Einwilligung", "document": upload(EXE, "form.pdf")},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "document": ["This file is not a PDF document (its content was checked, not its name)."]
    }
    assert not ConsentFormTemplate.objects.exists()


def test_clinicians_download_current_blank_forms_only(client_for, requester, network_admin):
    old = consent_form_upload(actor=network_admin, language="fr", version="1.0", title="A", document=upload())
    new = consent_form_upload(actor=network_admin, language="fr", version="1.1", title="B", document=upload())
    client = client_for(requester)
    assert client.get(reverse("patients:consent_form_download", args=[new.pk])).status_code == 200
    assert client.get(reverse("patients:consent_form_download", args=[old.pk])).status_code == 404
    admin = client_for(network_admin)
    assert admin.get(reverse("patients:consent_form_download", args=[old.pk])).status_code == 200


def test_diagnosis_code_suggestions_come_as_options_for_htmx_and_json_otherwise(
    client_for, requester, brain_code, ewing_code
):
    client = client_for(requester)
    url = reverse("patients:diagnosis_codes")
    options = client.post(url, {"diagnosis_code": "ewing"}, headers={"HX-Request": "true"}).content.decode()
    assert '<option value="ORPHA:319">' in options and "C71.6" not in options
    data = client.post(url, {"q": "c71"}).json()
    assert data == {
        "results": [{"system": "icd10", "code": "C71.6", "label": "Malignant neoplasm of cerebellum"}]
    }
    # What is typed never travels in an address: the look-up takes no GET.
    assert client.get(url, {"q": "c71"}).status_code == 405


def test_words_that_name_exactly_one_code_are_taken_as_that_code(
    client_for, requester, brain_code, ewing_code
):
    response = client_for(requester).post(reverse("patients:enrol"), _enrol_post(diagnosis_code="cerebellum"))
    assert response.status_code == 302
    assert Patient.objects.get().diagnosis_code == brain_code


def test_the_enrol_form_offers_the_networks_form_in_the_users_language_by_default(client_for, requester):
    from django.core.files.base import ContentFile

    from concilium.patients.models import ConsentFormTemplate

    requester.language = "fr"
    requester.save()
    french = ConsentFormTemplate.objects.create(language="fr", version="2.0", title="Consentement")
    french.document.save("fr.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    form = client_for(requester).get(reverse("patients:enrol")).context["form"]
    assert form["form"].value() == french.pk
    assert form["language"].value() == "fr"
