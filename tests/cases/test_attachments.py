"""Attachments: recognised by content, size-limited, stored under a random name, removed only from drafts."""

import pytest
from django.core.files.storage import default_storage

from concilium.audit.models import AuditEvent
from concilium.cases.models import CaseAttachment, CaseStatus
from concilium.cases.services import CaseTransitionError
from concilium.cases.services.attachments import attachment_add, attachment_remove, sanitize_name
from tests.cases.conftest import PDF, PNG, docx_bytes, odt_bytes, upload

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "content", "kind", "content_type", "stored_name"),
    [
        ("report.pdf", PDF, "pdf", "application/pdf", "report.pdf"),
        ("mri slice.png", PNG, "image", "image/png", "mri slice.png"),
        ("photo.jpeg", JPEG, "image", "image/jpeg", "photo.jpg"),
        (
            "letter.docx",
            docx_bytes(),
            "document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "letter.docx",
        ),
        ("letter.odt", odt_bytes(), "document", "application/vnd.oasis.opendocument.text", "letter.odt"),
    ],
)
def test_accepted_types_are_recognised_by_their_content(
    name, content, kind, content_type, stored_name, draft, requester
):
    attachment = attachment_add(case=draft, actor=requester, upload=upload(name, content))
    assert attachment.kind == kind
    assert attachment.content_type == content_type
    assert attachment.name == stored_name
    assert attachment.size == len(content)
    assert len(attachment.sha256) == 64
    assert name.split(".")[0] not in attachment.file.name  # stored under a random name
    assert default_storage.exists(attachment.file.name)
    assert AuditEvent.objects.filter(action="attachment.upload", object_id=str(attachment.pk)).exists()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "file_type_not_allowed"),
        ("page.png", b"<html><script>alert(1)</script></html>", "file_type_not_allowed"),
        ("archive.docx", b"PK\x03\x04not really a zip", "file_type_not_allowed"),
        ("empty.pdf", b"", "file_empty"),
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 50, "file_type_not_allowed"),
    ],
)
def test_disguised_or_unknown_files_are_refused_and_nothing_is_stored(
    name, content, code, draft, requester, settings
):
    with pytest.raises(CaseTransitionError) as error:
        attachment_add(case=draft, actor=requester, upload=upload(name, content))
    assert (error.value.code, error.value.status) == (code, 422)
    assert not CaseAttachment.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_file_over_the_size_limit_is_refused(draft, requester, settings):
    settings.CASE_ATTACHMENT_MAX_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(CaseTransitionError) as error:
        attachment_add(case=draft, actor=requester, upload=upload("big.pdf", big))
    assert (error.value.code, error.value.status) == ("file_too_large", 413)
    assert error.value.message == "The file is too large: at most 1 MB."
    assert not CaseAttachment.objects.exists()


def test_file_names_lose_paths_and_odd_characters():
    assert sanitize_name("../../etc/passwd.pdf", ".pdf") == "passwd.pdf"
    assert sanitize_name("C:\\Users\\x\\scan<1>.png", ".png") == "scan_1.png"
    assert sanitize_name("report\x00.exe", ".pdf") == "report.pdf"
    assert sanitize_name("", ".pdf") == "attachment.pdf"


def test_an_unknown_checklist_key_is_refused(draft, requester):
    with pytest.raises(CaseTransitionError) as refused:
        attachment_add(case=draft, actor=requester, upload=upload("a.pdf", PDF), checklist_key="tumour-board")
    assert refused.value.code == "invalid"
    assert not CaseAttachment.objects.exists()


def test_files_can_be_removed_from_a_draft_only(complete_draft, advance, requester):
    attachment = CaseAttachment.objects.get(case=complete_draft)
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    with pytest.raises(CaseTransitionError) as error:
        attachment_remove(attachment=attachment, actor=requester)
    assert error.value.code == "wrong_status"
    assert CaseAttachment.objects.filter(pk=attachment.pk).exists()
    assert case.status == CaseStatus.SUBMITTED


def test_removing_a_file_from_a_draft_deletes_it_and_is_audited(
    draft, requester, django_capture_on_commit_callbacks
):
    attachment = attachment_add(case=draft, actor=requester, upload=upload("a.pdf", PDF))
    name, pk = attachment.file.name, attachment.pk
    with django_capture_on_commit_callbacks(execute=True):
        attachment_remove(attachment=attachment, actor=requester)
    assert not CaseAttachment.objects.filter(pk=pk).exists()
    assert not default_storage.exists(name)
    assert AuditEvent.objects.filter(action="attachment.remove", object_id=str(pk)).exists()


def test_nobody_but_the_owning_hospital_attaches_files(complete_draft, advance, group_coordinator):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    with pytest.raises(CaseTransitionError) as error:
        attachment_add(case=case, actor=group_coordinator, upload=upload("a.pdf", PDF))
    assert error.value.code == "forbidden"


def test_uploading_through_the_page_shows_the_refusal(draft, requester, client_for):
    response = client_for(requester).post(
        f"/cases/{draft.pk}/attachments/", {"file": upload("fake.pdf", b"GIF89a not a pdf")}, follow=True
    )
    assert response.status_code == 200
    assert "Only PDF, PNG, JPEG, DOCX and ODT files" in response.content.decode()
    assert not CaseAttachment.objects.exists()


def test_uploading_through_the_page_attaches_the_file(draft, requester, client_for):
    response = client_for(requester).post(
        f"/cases/{draft.pk}/attachments/",
        {"file": upload("mri.pdf", PDF), "description": "MRI 12 March", "checklist_key": "mri-report"},
        follow=True,
    )
    assert "is attached" in response.content.decode(), response.content.decode()[:3000]
    attachment = CaseAttachment.objects.get(case=draft)
    assert attachment.checklist_key == "mri-report"
    assert attachment.description == "MRI 12 March"


def test_a_file_name_with_control_characters_is_refused_with_a_message(draft, requester):
    with pytest.raises(CaseTransitionError) as refused:
        attachment_add(case=draft, actor=requester, upload=upload("report\x00.pdf", PDF))
    assert (refused.value.code, refused.value.status, refused.value.field) == (
        "file_name_invalid",
        422,
        "file",
    )
    assert "control characters" in refused.value.message
    assert not CaseAttachment.objects.exists()
