"""The case pages: my cases, a new case, the case page and its forms, the coordinator's queue, case templates;
bad input answers a form error and leaves the case unchanged; lists take a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concilium.audit.models import AuditEvent
from concilium.cases.models import Case, CaseMessage, CaseStatus, CaseTemplate
from tests.cases.conftest import complete
from tests.conftest import error_codes
from tests.factories import CaseFactory, PatientFactory

MARKUP = "Remove the HTML markup (such as <script>) from this text: write plain text."

pytestmark = pytest.mark.django_db


def test_my_cases_lists_my_hospitals_cases_only(requester, draft, outsider, group, client_for):
    foreign = CaseFactory(patient=PatientFactory(hospital=outsider.hospital), group=group, requester=outsider)
    page = client_for(requester).get("/cases/").content.decode()
    assert draft.reference in page
    assert foreign.reference not in page
    assert "Care consent" in page


def test_my_cases_filters_and_searches(requester, patient, group, other_group, client_for):
    brain = CaseFactory(patient=patient, group=group, requester=requester, urgent=True)
    ewing = CaseFactory(patient=patient, group=other_group, requester=requester)
    client = client_for(requester)
    assert ewing.reference not in client.get(f"/cases/?group={group.pk}").content.decode()
    assert ewing.reference not in client.get("/cases/?urgent=on").content.decode()
    page = client.post("/cases/", {"q": ewing.reference}, follow=True).content.decode()
    assert ewing.reference in page and brain.reference not in page
    assert brain.reference in client.post("/cases/", {"q": patient.pseudonym}, follow=True).content.decode()
    assert brain.reference in client.post("/cases/", {"q": "medullo"}, follow=True).content.decode()
    assert brain.reference not in client.get("/cases/?status=submitted").content.decode()


def test_a_case_search_is_posted_and_kept_in_the_session_never_in_the_address(
    requester, patient, group, client_for
):
    wanted = CaseFactory(patient=PatientFactory(hospital=requester.hospital, local_id="LYO-2026-004217"))
    other = CaseFactory(patient=patient, group=group, requester=requester)
    client = client_for(requester)

    posted = client.post("/cases/", {"q": "LYO-2026-004217", "group": "", "status": ""})

    assert posted.status_code == 302
    assert posted["Location"] == "/cases/"
    page = client.get("/cases/").content.decode()
    assert wanted.reference in page and other.reference not in page
    # Public filters stay linkable, beside the kept term.
    filtered = client.post("/cases/", {"q": "LYO-2026-004217", "status": "submitted"})
    assert filtered["Location"] == "/cases/?status=submitted"


def test_a_case_search_term_in_the_address_is_ignored(requester, patient, group, client_for):
    wanted = CaseFactory(patient=PatientFactory(hospital=requester.hospital, local_id="MRN-4711"))
    other = CaseFactory(patient=patient, group=group, requester=requester)

    page = client_for(requester).get("/cases/?q=MRN-4711").content.decode()

    assert wanted.reference in page and other.reference in page
    assert 'value="MRN-4711"' not in page


def test_a_search_with_control_characters_is_a_form_error_not_a_500(requester, client_for):
    response = client_for(requester).post("/cases/", {"q": "\x00abc"})
    assert response.status_code == 400
    assert "Remove the control characters" in response.content.decode()


def test_a_clinician_starts_a_case_from_a_patient_link(requester, patient, group, client_for):
    client = client_for(requester)
    form = client.get(f"/cases/new/?patient={patient.pk}").content.decode()
    assert f'value="{patient.pk}" selected' in form
    response = client.post(
        "/cases/new/",
        {"patient": patient.pk, "group": group.pk, "clinical_history": "Headaches.", "question": "Surgery?"},
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.status == CaseStatus.DRAFT
    assert case.question == "Surgery?"


def test_patients_without_consent_or_of_another_hospital_are_not_offered(
    requester, patient, patient_without_consent, outsider, group, client_for
):
    foreign = PatientFactory(hospital=outsider.hospital, care_consent=True)
    client = client_for(requester)
    page = client.get("/cases/new/").content.decode()
    assert patient.pseudonym in page
    assert patient_without_consent.pseudonym not in page
    assert foreign.pseudonym not in page
    response = client.post("/cases/new/", {"patient": foreign.pk, "group": group.pk})
    assert response.status_code == 400
    assert error_codes(response.context["form"], "patient") == ["invalid_choice"]
    assert not Case.objects.exists()


def test_script_in_the_new_case_form_is_a_field_error(requester, patient, group, client_for):
    response = client_for(requester).post(
        "/cases/new/", {"patient": patient.pk, "group": group.pk, "question": "<script>alert(1)</script>"}
    )
    assert response.status_code == 400
    # A service refusal: the form carries its message only, without a code.
    assert response.context["form"].errors == {"question": [MARKUP]}
    assert not Case.objects.exists()


def test_the_case_page_shows_completeness_and_what_is_missing(requester, draft, client_for):
    page = client_for(requester).get(f"/cases/{draft.pk}/").content.decode()
    assert 'value="50"' in page
    assert "Brain MRI report attached" in page
    assert "Discussed in the local tumour board" in page
    assert "Submit to the group" in page
    assert "Medulloblastoma" in page


def test_the_case_page_escapes_stored_text(requester, draft, client_for):
    Case.objects.filter(pk=draft.pk).update(laboratory="<b>bold</b>")
    page = client_for(requester).get(f"/cases/{draft.pk}/").content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_the_page_shows_only_the_actions_allowed(
    complete_draft, advance, requester, group_coordinator, client_for
):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    coordinator_page = client_for(group_coordinator).get(f"/cases/{case.pk}/").content.decode()
    requester_page = client_for(requester).get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/accept/" in coordinator_page
    assert f"/cases/{case.pk}/accept/" not in requester_page
    assert f"/cases/{case.pk}/edit/" not in requester_page
    assert "Ask for more information" in coordinator_page


def test_submitting_an_incomplete_case_from_the_page_says_what_is_missing(requester, draft, client_for):
    response = client_for(requester).post(f"/cases/{draft.pk}/submit/", follow=True)
    assert "Missing: Brain MRI report attached" in response.content.decode()
    assert Case.objects.get(pk=draft.pk).status == CaseStatus.DRAFT
    assert AuditEvent.objects.filter(action="case.submit", outcome="denied").exists()


def test_submitting_without_consent_is_refused_on_the_page(
    requester, patient_without_consent, group, client_for
):
    case = complete(CaseFactory(patient=patient_without_consent, group=group, requester=requester), requester)
    page = client_for(requester).get(f"/cases/{case.pk}/").content.decode()
    assert "No valid consent" in page
    response = client_for(requester).post(f"/cases/{case.pk}/submit/", follow=True)
    assert "no valid care consent" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DRAFT


def test_the_edit_form_saves_the_episode_and_confirmations(requester, draft, client_for):
    response = client_for(requester).post(
        f"/cases/{draft.pk}/edit/",
        {
            "clinical_history": "Headaches for six weeks.",
            "question": "Second-look surgery?",
            "pathology": "Medulloblastoma, WNT.",
            "checklist_confirmed": ["tumour-board"],
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=draft.pk)
    assert case.pathology == "Medulloblastoma, WNT."
    assert case.checklist_confirmed == ["tumour-board"]


def test_the_edit_form_refuses_script_and_keeps_the_case(requester, draft, client_for):
    before = Case.objects.get(pk=draft.pk).clinical_history
    response = client_for(requester).post(
        f"/cases/{draft.pk}/edit/", {"clinical_history": "<script>steal()</script>", "question": "Q"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"clinical_history": [MARKUP]}
    assert Case.objects.get(pk=draft.pk).clinical_history == before


def test_a_submitted_case_cannot_be_edited_from_the_page(complete_draft, advance, requester, client_for):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    response = client_for(requester).post(f"/cases/{case.pk}/edit/", {"question": "Changed"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).question != "Changed"


def test_the_coordinator_accepts_and_schedules_from_the_pages(
    complete_draft, advance, group_coordinator, client_for
):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    client = client_for(group_coordinator)
    assert client.post(f"/cases/{case.pk}/accept/").status_code == 302
    assert client.get(f"/cases/{case.pk}/schedule/").status_code == 200
    when = (timezone.localtime() + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/cases/{case.pk}/schedule/", {"discussion_on": when}).status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.SCHEDULED
    assert timezone.localtime(case.discussion_on).strftime("%Y-%m-%dT%H:%M") == when


# The messages, not the codes: the service's refusal of a past date comes back without a code.
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2020-01-01T10:00", "The discussion date must be in the future."),
        ("not a date", "Enter a valid date/time."),
        ("2026-02-30T10:00", "Enter a valid date/time."),
        ("", "This field is required."),
    ],
)
def test_an_invalid_discussion_date_is_a_form_error(
    value, message, complete_draft, advance, group_coordinator, client_for
):
    case = advance(complete_draft, CaseStatus.ACCEPTED)
    response = client_for(group_coordinator).post(f"/cases/{case.pk}/schedule/", {"discussion_on": value})
    assert response.status_code == 400
    assert response.context["form"].errors == {"discussion_on": [message]}
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED


def test_declining_from_the_page_needs_a_reason(complete_draft, advance, group_coordinator, client_for):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    client = client_for(group_coordinator)
    refused = client.post(f"/cases/{case.pk}/decline/", {"reason": ""})
    assert refused.status_code == 400
    assert error_codes(refused.context["form"], "reason") == ["required"]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED
    assert client.post(f"/cases/{case.pk}/decline/", {"reason": "Outside our scope."}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DECLINED


def test_the_thread_asks_for_and_gets_more_information(
    complete_draft, advance, group_coordinator, requester, client_for
):
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    client_for(group_coordinator).post(
        f"/cases/{case.pk}/messages/", {"body": "Which protocol?", "request_information": "on"}
    )
    page = client_for(requester).get(f"/cases/{case.pk}/").content.decode()
    assert "Which protocol?" in page
    assert "Information requested" in page
    assert f"/cases/{case.pk}/edit/" in page
    client_for(requester).post(f"/cases/{case.pk}/messages/", {"body": "HIT-MED 2017."})
    assert CaseMessage.objects.filter(case=case).count() == 2


def test_the_queue_lists_urgent_cases_first_then_the_oldest_unless_switched_off(
    requester, patient, group, other_group, group_coordinator, advance, client_for
):
    old = complete(CaseFactory(patient=patient, group=group, requester=requester), requester)
    new = complete(CaseFactory(patient=patient, group=group, requester=requester, urgent=True), requester)
    elsewhere = CaseFactory(patient=patient, group=other_group, requester=requester)
    for case in (old, new, elsewhere):
        advance(case, CaseStatus.SUBMITTED)
    Case.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=20))
    client = client_for(group_coordinator)
    page = client.get("/cases/queue/").content.decode()
    assert elsewhere.reference not in page
    assert page.index(new.reference) < page.index(old.reference)  # urgent first, by default
    assert "badge-overdue" in page
    # The switch off sends "0" alone; on, the form sends "0" then "1".
    page = client.get("/cases/queue/?urgent_first=0").content.decode()
    assert page.index(old.reference) < page.index(new.reference)
    page = client.get("/cases/queue/?urgent_first=0&urgent_first=1").content.decode()
    assert page.index(new.reference) < page.index(old.reference)


@pytest.mark.parametrize("persona", ["requester", "helpdesk", "network_admin", "expert"])
def test_the_queue_is_for_coordinators(persona, request, client_for):
    assert client_for(request.getfixturevalue(persona)).get("/cases/queue/").status_code == 403


def test_nav_shows_cases_to_clinicians_and_the_queue_to_coordinators(requester, coordinator, client_for):
    assert 'href="/cases/"' in client_for(requester).get("/").content.decode()
    assert 'href="/cases/queue/"' not in client_for(requester).get("/").content.decode()
    assert 'href="/cases/queue/"' in client_for(coordinator).get("/").content.decode()


def test_a_network_admin_edits_a_groups_template(network_admin, other_group, client_for):
    data = {f"required_{name}": "on" for name in ("clinical_history", "question")}
    data.update(
        guidance_question="One precise question.",
        checklist="attachment staging: Staging imaging attached\nconfirm: Protocol named",
    )
    response = client_for(network_admin).post(f"/cases/templates/{other_group.pk}/", data)
    assert response.status_code == 302
    template = CaseTemplate.objects.get(group=other_group)
    assert [s["field"] for s in template.sections if s["required"]] == ["clinical_history", "question"]
    assert template.checklist == [
        {"key": "staging", "label": "Staging imaging attached", "kind": "attachment"},
        {"key": "protocol-named", "label": "Protocol named", "kind": "confirm"},
    ]
    assert AuditEvent.objects.filter(action="case_template.update").exists()


def test_a_bad_checklist_line_is_a_form_error(network_admin, other_group, client_for):
    response = client_for(network_admin).post(
        f"/cases/templates/{other_group.pk}/", {"checklist": "upload: Something"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "checklist": ["Line 1: start with “attachment:” or “confirm:”."]  # an error without a code
    }
    assert not CaseTemplate.objects.filter(group=other_group).exists()


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)  # warm up: the session's first request does its own bookkeeping
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _add_cases(count: int, requester, patient, group, advance=None):  # type: ignore[no-untyped-def]
    cases = []
    for _ in range(count):
        case = complete(
            CaseFactory(
                patient=PatientFactory(hospital=requester.hospital, care_consent=True),
                group=group,
                requester=requester,
            ),
            requester,
        )
        cases.append(advance(case, CaseStatus.SUBMITTED) if advance else case)
    return cases


def test_my_cases_takes_the_same_queries_for_two_and_twenty_cases(requester, patient, group, client_for):
    client = client_for(requester)
    _add_cases(2, requester, patient, group)
    small = _queries(client, "/cases/")
    _add_cases(18, requester, patient, group)
    assert _queries(client, "/cases/") == small


def test_the_queue_takes_the_same_queries_for_two_and_twenty_cases(
    requester, patient, group, group_coordinator, advance, client_for
):
    client = client_for(group_coordinator)
    _add_cases(2, requester, patient, group, advance)
    small = _queries(client, "/cases/queue/")
    _add_cases(18, requester, patient, group, advance)
    assert _queries(client, "/cases/queue/") == small


def test_the_case_page_takes_the_same_queries_with_more_files_and_messages(
    complete_draft, advance, requester, group_coordinator, client_for
):
    from concilium.cases.services.attachments import attachment_add
    from concilium.cases.services.messages import case_message_post
    from tests.cases.conftest import PDF, upload

    client = client_for(requester)
    small = _queries(client, f"/cases/{complete_draft.pk}/")
    for number in range(5):
        attachment_add(case=complete_draft, actor=requester, upload=upload(f"f{number}.pdf", PDF))
    assert _queries(client, f"/cases/{complete_draft.pk}/") == small
    case = advance(complete_draft, CaseStatus.SUBMITTED)
    client_for(group_coordinator).get(f"/cases/{case.pk}/")
    case_message_post(case=case, actor=group_coordinator, body="One")
    base = _queries(client, f"/cases/{case.pk}/")
    for number in range(5):
        case_message_post(case=case, actor=requester, body=f"Reply {number}")
    assert _queries(client, f"/cases/{case.pk}/") == base
