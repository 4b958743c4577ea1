"""Group names, guidance and checklist items in the reader's language: on the case pages, in the group's
messages, and kept true when the group's English template changes."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from concilium.cases.models import Case, CaseTemplate, PanelRole
from concilium.cases.services.lifecycle import case_submit
from concilium.cases.services.panel import panel_invite
from concilium.cases.services.templates import (
    case_template_update,
    checklist_items,
    completeness,
    template_sections,
)
from concilium.notifications.models import Notification
from tests.cases.conftest import complete

pytestmark = pytest.mark.django_db

GERMAN = {
    "name": "Expertengruppe Hirntumoren",
    "checklist.mri-report": "MRT-Befund des Gehirns angehängt",
    "checklist.tumour-board": "Im lokalen Tumorboard besprochen",
    "guidance.clinical_history": "Alter, Symptome, Verlauf.",
}


@pytest.fixture
def german_group(group):  # type: ignore[no-untyped-def]
    group.translations = {
        "de": {"name": GERMAN["name"]},
        "fr": {"name": "Groupe d'experts Tumeurs cérébrales"},
    }
    group.save()
    CaseTemplate.objects.filter(group=group).update(
        translations={"de": {key: text for key, text in GERMAN.items() if key != "name"}}
    )
    return group


def _german(client):  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    return client


def test_the_case_page_names_the_group_and_the_checklist_in_german(
    german_group, draft, requester, client_for
):
    page = _german(client_for(requester)).get(f"/cases/{draft.pk}/").content.decode()
    assert GERMAN["name"] in page
    assert GERMAN["checklist.tumour-board"] in page
    assert GERMAN["checklist.mri-report"] in page
    assert "Discussed in the local tumour board" not in page


def test_new_case_shows_the_groups_guidance_in_german(german_group, patient, requester, client_for):
    page = _german(client_for(requester)).get(f"/cases/new/?group={german_group.pk}").content.decode()
    assert GERMAN["guidance.clinical_history"] in page
    assert GERMAN["checklist.tumour-board"] in page


def test_my_cases_lists_the_german_name_and_an_english_reader_keeps_the_base_names(
    german_group, draft, requester, client_for
):
    english = client_for(requester).get(f"/cases/{draft.pk}/").content.decode()
    assert "Brain Tumour Expert Group" in english
    assert "Discussed in the local tumour board" in english
    assert GERMAN["name"] in _german(client_for(requester)).get("/cases/").content.decode()


def test_what_is_missing_is_named_in_the_readers_language(german_group, draft):
    with translation.override("de"):
        missing = {item.key: item.label for item in completeness(Case.objects.get(pk=draft.pk)).missing}
    assert missing["tumour-board"] == GERMAN["checklist.tumour-board"]


def test_a_german_coordinator_is_told_in_german_which_group_received_the_case(
    german_group, draft, requester, group_coordinator
):
    group_coordinator.language = "de"
    group_coordinator.save()
    complete(draft, requester)
    with translation.override("en"):  # the requester reads English
        case_submit(case=draft, actor=requester)
    notice = Notification.objects.get(recipient=group_coordinator, kind="case_submitted", channel="in_app")
    assert notice.language == "de"
    assert GERMAN["name"] in notice.body
    assert "Brain Tumour Expert Group" not in notice.body


def test_changing_the_english_template_drops_only_the_translations_of_changed_texts(
    german_group, network_admin
):
    template = CaseTemplate.objects.get(group=german_group)
    checklist = [dict(item) for item in template.checklist]
    checklist[0]["label"] = "Brain and spine MRI report attached"  # mri-report changed, tumour-board kept
    case_template_update(
        group=german_group, sections=template.sections, checklist=checklist, actor=network_admin
    )
    template.refresh_from_db()
    assert template.translations == {
        "de": {
            "checklist.tumour-board": GERMAN["checklist.tumour-board"],
            "guidance.clinical_history": GERMAN["guidance.clinical_history"],
        }
    }
    with translation.override("de"):
        labels = {item["key"]: item["label"] for item in checklist_items(template)}
    assert labels["mri-report"] == "Brain and spine MRI report attached"  # English until translated again


def test_translations_given_with_the_template_are_checked(german_group, network_admin):
    template = CaseTemplate.objects.get(group=german_group)
    with pytest.raises(ValidationError):
        case_template_update(
            group=german_group,
            sections=template.sections,
            checklist=template.checklist,
            actor=network_admin,
            translations={"de": {"checklist.no-such-item": "x"}},
        )
    updated = case_template_update(
        group=german_group,
        sections=template.sections,
        checklist=template.checklist,
        actor=network_admin,
        translations={"fr": {"checklist.tumour-board": "Discuté en réunion de concertation locale"}},
    )
    assert updated.translations == {
        "fr": {"checklist.tumour-board": "Discuté en réunion de concertation locale"}
    }


def test_the_template_editor_shows_the_english_guidance_it_edits(german_group):
    template = CaseTemplate.objects.get(group=german_group)
    with translation.override("de"):
        shown = {s.field: s.guidance for s in template_sections(template)}
        edited = {s.field: s.guidance for s in template_sections(template, translate=False)}
    assert shown["clinical_history"] == GERMAN["guidance.clinical_history"]
    assert edited["clinical_history"] == "Age, symptoms, course."


def test_an_invitation_names_the_seat_in_the_invited_experts_language(
    accepted_case, coordinator, external_expert
):
    external_expert.language = "de"
    external_expert.save()
    with translation.override("en"):  # the coordinator reads English
        panel_invite(
            case=accepted_case, clinician=external_expert.clinician, role=PanelRole.GUEST, actor=coordinator
        )
    notice = Notification.objects.get(recipient=external_expert, kind="panel_invited", channel="in_app")
    with translation.override("de"):
        guest = translation.gettext("Guest")
    assert guest == "Gast"
    assert f": {guest}." in notice.body
