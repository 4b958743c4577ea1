"""The group's case sheet where the requester works: "New case" shows the chosen group's guidance (and
swaps it when another group is chosen), and the checklist's items are confirmed on the case page itself,
under the rule for editing the case, audited."""

import pytest
from django.urls import reverse

from concilium.audit.models import AuditEvent, Outcome
from concilium.cases.models import Case, CaseStatus
from concilium.cases.services.templates import completeness

pytestmark = pytest.mark.django_db


# --- "New case" shows the group's guidance --------------------------------------------------------------


def test_new_case_for_a_chosen_group_shows_its_guidance_under_each_field(
    requester, patient, group, client_for
):
    page = client_for(requester).get(f"/cases/new/?group={group.pk}").content.decode()

    assert f"What {group.name} asks for" in page
    assert (
        'id="id_clinical_history_helptext">Required by the group before submission. Age, symptoms, course.'
        in page
    )
    assert "Discussed in the local tumour board" in page  # the checklist
    assert f'<option value="{group.pk}" selected>' in page


def test_new_case_asks_for_a_group_before_showing_guidance(requester, patient, group, client_for):
    page = client_for(requester).get("/cases/new/").content.decode()

    assert "Choose an expert group to see what its case sheet asks for." in page
    assert f'hx-get="{reverse("cases:new_guidance")}"' in page
    assert 'id="id_clinical_history_helptext"></div>' in page  # a place for the guidance, filled on change


def test_changing_the_group_fetches_that_groups_guidance(requester, group, other_group, client_for):
    client = client_for(requester)

    chosen = client.get(reverse("cases:new_guidance"), {"group": group.pk}, HTTP_HX_REQUEST="true")
    other = client.get(reverse("cases:new_guidance"), {"group": other_group.pk}, HTTP_HX_REQUEST="true")
    none = client.get(reverse("cases:new_guidance"), {"group": ""}, HTTP_HX_REQUEST="true")

    assert chosen.status_code == 200
    body = chosen.content.decode()
    assert "Age, symptoms, course." in body and "Brain MRI report attached" in body
    assert 'id="id_clinical_history_helptext" hx-swap-oob="true"' in body  # the field's own guidance too
    assert "Age, symptoms, course." not in other.content.decode()  # no template: the defaults
    assert f"What {other_group.name} asks for" in other.content.decode()
    assert "Choose an expert group" in none.content.decode()
    assert client.get(reverse("cases:new_guidance"), {"group": 987654}).status_code == 404


def test_a_form_error_on_new_case_keeps_the_groups_guidance(requester, patient, group, client_for):
    response = client_for(requester).post(
        "/cases/new/", {"patient": patient.pk, "group": group.pk, "question": "<b>bold</b>"}
    )

    assert response.status_code == 400
    assert "Age, symptoms, course." in response.content.decode()


@pytest.mark.parametrize("persona", ["helpdesk", "network_admin", "data_manager"])
def test_only_clinicians_read_the_new_case_guidance(persona, group, request, client_for):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("cases:new_guidance"), {"group": group.pk}).status_code == 403


# --- Checklist items confirmed on the case page ---------------------------------------------------------


def _confirm(client, case: Case, key: str = "tumour-board", confirmed: str = "1"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("cases:checklist_confirm", args=[case.pk]), {"key": key, "confirmed": confirmed}
    )


def test_the_requester_confirms_a_checklist_item_on_the_case_page(requester, draft, client_for):
    client = client_for(requester)
    page = client.get(f"/cases/{draft.pk}/").content.decode()
    assert reverse("cases:checklist_confirm", args=[draft.pk]) in page
    assert 'name="key" value="tumour-board"' in page
    assert 'name="key" value="mri-report"' not in page  # an attachment is answered by a file

    response = _confirm(client, draft)

    assert response.status_code == 302
    assert response["Location"].endswith(f"/cases/{draft.pk}/#checklist")
    draft.refresh_from_db()
    assert draft.checklist_confirmed == ["tumour-board"]
    assert "tumour-board" not in {m.key for m in completeness(draft).missing}
    event = AuditEvent.objects.get(action="case.checklist_confirm", object_id=str(draft.pk))
    assert event.detail == {
        "reference": draft.reference,
        "status": "draft",
        "item": "tumour-board",
        "confirmed": True,
    }
    assert event.patient_ref == draft.patient.pseudonym
    after = client.get(f"/cases/{draft.pk}/").content.decode()
    assert "“Discussed in the local tumour board” is confirmed." in after
    assert 'name="confirmed" value="0"' in after  # it can be taken back


def test_a_confirmation_is_taken_back_on_the_case_page(requester, draft, client_for):
    client = client_for(requester)
    _confirm(client, draft)

    _confirm(client, draft, confirmed="0")

    draft.refresh_from_db()
    assert draft.checklist_confirmed == []
    assert AuditEvent.objects.filter(action="case.checklist_confirm", detail__confirmed=False).count() == 1


def test_an_unknown_checklist_item_is_refused_with_a_message(requester, draft, client_for):
    client = client_for(requester)

    response = _confirm(client, draft, key="mri-report")  # an attachment item, not one to confirm

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.checklist_confirmed == []
    assert "Select a valid choice." in client.get(f"/cases/{draft.pk}/").content.decode()


def test_a_submitted_case_keeps_its_checklist_as_it_was(requester, complete_draft, advance, client_for):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    client = client_for(requester)
    assert (
        reverse("cases:checklist_confirm", args=[case.pk])
        not in client.get(f"/cases/{case.pk}/").content.decode()
    )

    response = _confirm(client, case, confirmed="0")

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).checklist_confirmed == ["tumour-board"]
    assert AuditEvent.objects.filter(
        action="case.checklist_confirm", outcome=Outcome.DENIED, object_id=str(case.pk)
    ).exists()


def test_the_coordinator_cannot_confirm_the_requesters_checklist(
    complete_draft, advance, group_coordinator, client_for
):
    case = advance(complete_draft, CaseStatus.SUBMITTED)

    _confirm(client_for(group_coordinator), case, confirmed="0")

    assert Case.objects.get(pk=case.pk).checklist_confirmed == ["tumour-board"]


@pytest.mark.parametrize("persona", ["outsider", "other_coordinator", "helpdesk", "network_admin"])
def test_others_get_404_when_confirming_a_checklist_item(persona, draft, request, client_for):
    user = request.getfixturevalue(persona)

    assert _confirm(client_for(user), draft).status_code == 404
    assert Case.objects.get(pk=draft.pk).checklist_confirmed == []
