"""A validation error never makes the user choose the file again: the signed consent (and a network admin's
blank form) is kept server-side for the same user and session, named by a signed token in the form, and
removed once used, replaced or too old. Defaults of the consent fields are valid choices."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from concilium.core import kept_uploads
from concilium.patients.models import Consent, ConsentFormTemplate, Patient
from tests.factories import TINY_PDF
from tests.patients.conftest import EXE, PNG, upload
from tests.patients.test_views import _enrol_post

pytestmark = pytest.mark.django_db

KEPT_NOTE = "scan.pdf is kept: choose another file to replace it."


def _token(page: str) -> str:
    found = re.search(r'name="document_kept" value="([^"]*)"', page)
    return found.group(1) if found else ""


def _kept_files() -> list[str]:
    try:
        hours, _files = default_storage.listdir(kept_uploads.ROOT)
    except FileNotFoundError:
        return []
    return [
        f"{kept_uploads.ROOT}/{hour}/{name}"
        for hour in hours
        for name in default_storage.listdir(f"{kept_uploads.ROOT}/{hour}")[1]
    ]


def _without_document(**changes: object) -> dict[str, object]:
    data = _enrol_post(**changes)
    data.pop("document")
    return data


def test_an_enrolment_error_keeps_the_signed_consent_and_the_next_submission_uses_it(requester, client_for):
    client = client_for(requester)

    failed = client.post(reverse("patients:enrol"), _enrol_post(birth_year=""))

    assert failed.status_code == 400
    page = failed.content.decode()
    assert KEPT_NOTE in page
    token = _token(page)
    assert token
    assert "scan.pdf" not in token  # signed, and the name is not in the stored file's path either
    (stored,) = _kept_files()
    assert "scan" not in stored

    done = client.post(reverse("patients:enrol"), _without_document(document_kept=token))

    assert done.status_code == 302, done.content.decode()
    consent = Consent.objects.get(patient=Patient.objects.get())
    with consent.document.open("rb") as handle:
        assert handle.read() == TINY_PDF
    assert consent.document_type == "application/pdf"
    assert _kept_files() == []  # used: removed


def test_a_service_error_keeps_the_file_too(requester, client_for):
    client = client_for(requester)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()

    failed = client.post(reverse("patients:enrol"), _enrol_post(signed_on=future))

    assert failed.status_code == 400
    assert KEPT_NOTE in failed.content.decode()
    done = client.post(
        reverse("patients:enrol"), _without_document(document_kept=_token(failed.content.decode()))
    )
    assert done.status_code == 302


def test_a_file_refused_for_its_content_is_not_kept(requester, client_for):
    failed = client_for(requester).post(
        reverse("patients:enrol"), _enrol_post(document=upload(EXE, name="scan.pdf"))
    )

    assert failed.status_code == 400
    assert KEPT_NOTE not in failed.content.decode()
    assert _token(failed.content.decode()) == ""
    assert _kept_files() == []


def test_choosing_another_file_replaces_the_kept_one(requester, client_for):
    client = client_for(requester)
    first = client.post(reverse("patients:enrol"), _enrol_post(birth_year=""))
    token = _token(first.content.decode())

    second = client.post(
        reverse("patients:enrol"),
        _enrol_post(
            birth_year="",
            document=upload(PNG, name="photo.png", content_type="image/png"),
            document_kept=token,
        ),
    )

    assert "photo.png is kept: choose another file to replace it." in second.content.decode()
    assert len(_kept_files()) == 1
    done = client.post(
        reverse("patients:enrol"), _without_document(document_kept=_token(second.content.decode()))
    )
    assert done.status_code == 302
    assert Consent.objects.get().document_type == "image/png"


def test_another_user_cannot_use_a_kept_file(requester, expert, client_for):
    failed = client_for(requester).post(reverse("patients:enrol"), _enrol_post(birth_year=""))
    token = _token(failed.content.decode())

    stolen = client_for(expert).post(reverse("patients:enrol"), _without_document(document_kept=token))

    assert stolen.status_code == 400
    assert stolen.context["form"].errors["document"]
    assert not Patient.objects.exists()


def test_a_kept_file_is_not_honoured_in_another_session_of_the_same_user(requester, client_for):
    failed = client_for(requester).post(reverse("patients:enrol"), _enrol_post(birth_year=""))
    token = _token(failed.content.decode())

    other_session = client_for(requester)
    response = other_session.post(reverse("patients:enrol"), _without_document(document_kept=token))

    assert response.status_code == 400
    assert not Patient.objects.exists()


def test_a_tampered_token_is_ignored(requester, client_for):
    client = client_for(requester)
    failed = client.post(reverse("patients:enrol"), _enrol_post(birth_year=""))
    token = _token(failed.content.decode())

    response = client.post(reverse("patients:enrol"), _without_document(document_kept=token[:-2] + "xx"))

    assert response.status_code == 400
    assert response.context["form"].errors["document"]


def test_kept_files_are_swept_after_their_time(requester, client_for):
    client = client_for(requester)
    failed = client.post(reverse("patients:enrol"), _enrol_post(birth_year=""))
    token = _token(failed.content.decode())
    assert kept_uploads.kept_uploads_sweep() == 0

    later = timezone.now() + timedelta(hours=kept_uploads.MAX_AGE_HOURS + 2)
    assert kept_uploads.kept_uploads_sweep(now=later) == 1

    assert _kept_files() == []
    response = client.post(reverse("patients:enrol"), _without_document(document_kept=token))
    assert response.status_code == 400  # gone: the form asks for the file again


def test_recording_a_consent_keeps_the_file_across_an_error(requester, patient, client_for):
    client = client_for(requester)
    url = reverse("patients:consent_record", args=[patient.pk])
    before = patient.consents.count()

    failed = client.post(url, _enrol_post(guardian_name=""))

    assert failed.status_code == 400
    assert KEPT_NOTE in failed.content.decode()
    done = client.post(url, _without_document(document_kept=_token(failed.content.decode())))
    assert done.status_code == 302
    assert patient.consents.count() == before + 1


def test_a_network_admin_uploading_a_blank_form_keeps_the_file_across_an_error(network_admin, client_for):
    client = client_for(network_admin)
    url = reverse("patients:consent_forms")

    failed = client.post(
        url, {"language": "de", "version": "", "title": "Einwilligung", "document": upload()}
    )

    assert failed.status_code == 400
    assert KEPT_NOTE in failed.content.decode()
    done = client.post(
        url,
        {
            "language": "de",
            "version": "3.0",
            "title": "Einwilligung",
            "document_kept": _token(failed.content.decode()),
        },
    )
    assert done.status_code == 302
    assert ConsentFormTemplate.objects.get(language="de").version == "3.0"


# --- Defaults are valid choices ----------------------------------------------------------------------------


def test_without_a_form_in_the_users_language_the_default_is_the_networks_english_form(requester, client_for):
    requester.language = "de"
    requester.save()
    english = ConsentFormTemplate.objects.create(language="en", version="4.0", title="Consent")
    english.document.save("en.pdf", ContentFile(TINY_PDF), save=True)
    client = client_for(requester)

    form = client.get(reverse("patients:enrol")).context["form"]

    assert form["form"].value() == english.pk
    assert form["language"].value() == "en"  # the form's language, or the consent would be refused
    data = _enrol_post(form=str(form["form"].value()), language=form["language"].value(), form_version="")
    assert client.post(reverse("patients:enrol"), data).status_code == 302
