"""No dead ends, in a real browser: "New case" shows the chosen group's guidance and swaps it (htmx) when
another group is chosen; a checklist item is confirmed on the case page; enrolment keeps the signed consent
across an error, so the browser's empty file input is no loss; a former panel member following an old link
reads why the case is closed to them. CC_E2E_SCREENSHOTS=/dir keeps a screenshot of each page."""

import re

import pytest

from concilium.cases.models import Case, CaseStatus, CaseTemplate, PanelMember
from concilium.cases.services.panel import panel_remove
from concilium.notifications.services import notification_enqueue
from concilium.patients.models import Patient
from concilium.scheduling.models import ExpertGroup
from tests.cases.conftest_panel import make_case, make_patient, seat
from tests.cases.test_panel_browser import sign_in, snap
from tests.factories import TINY_PDF, HospitalFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_case_shows_the_chosen_groups_guidance_and_the_case_page_confirms_the_checklist(
    page, brain_group, requester
):
    CaseTemplate.objects.create(
        group=brain_group,
        sections=[
            {"field": "clinical_history", "required": True, "guidance": "Age at onset, symptoms, course."},
            {"field": "question", "required": True, "guidance": "One precise question."},
        ],
        checklist=[
            {"key": "tumour-board", "label": "Discussed in the local tumour board", "kind": "confirm"}
        ],
    )
    other = ExpertGroup.objects.create(network=brain_group.network, name="Ewing Sarcoma Group", slug="ewing")
    patient = make_patient(requester.hospital, enrolled_by=requester)
    sign_in(page, requester.email)

    page.goto("/cases/new/")
    page.get_by_text("Choose an expert group to see what its case sheet asks for.").wait_for()
    page.get_by_label("Expert group").select_option(label=f"{brain_group.name} ({brain_group.network.name})")
    page.get_by_text(f"What {brain_group.name} asks for").wait_for()
    assert "Age at onset, symptoms, course." in page.locator("#id_clinical_history_helptext").inner_text()
    assert "Discussed in the local tumour board" in page.locator("#case-sheet-guidance").inner_text()
    snap(page, "new-case-guidance")

    page.get_by_label("Expert group").select_option(label=f"{other.name} ({other.network.name})")
    page.get_by_text(f"What {other.name} asks for").wait_for()
    assert "Age at onset" not in page.locator("#id_clinical_history_helptext").inner_text()

    page.get_by_label("Expert group").select_option(label=f"{brain_group.name} ({brain_group.network.name})")
    page.get_by_text(f"What {brain_group.name} asks for").wait_for()
    page.get_by_label("Patient").select_option(value=str(patient.pk))
    page.get_by_label("Clinical history").fill("Eight-year-old with morning headaches.")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    case = Case.objects.get(patient=patient)
    snap(page, "case-page-checklist")

    page.locator(".checklist-confirm").get_by_role("button", name=re.compile("^Confirm")).click()
    page.get_by_text("“Discussed in the local tumour board” is confirmed.").wait_for()
    snap(page, "case-checklist-confirmed")
    assert Case.objects.get(pk=case.pk).checklist_confirmed == ["tumour-board"]
    page.locator(".checklist-confirm").get_by_role("button", name=re.compile("^Undo")).wait_for()


def test_enrolment_keeps_the_signed_consent_across_an_error(page, requester, tmp_path):
    scan = tmp_path / "consent.pdf"
    scan.write_bytes(TINY_PDF)
    sign_in(page, requester.email)

    page.goto("/patients/enrol/")
    page.get_by_label("Local identifier").fill("MRN-2024-0042")
    page.get_by_label("Month of birth").select_option(label="March")
    page.get_by_label("Sex").select_option(value="female")
    page.get_by_label("Country of residence").select_option(value="FR")
    page.locator("#id_diagnosis").fill("Medulloblastoma")
    page.get_by_label("Version of your own form").fill("local-2.1")
    page.get_by_label("Name of the legal guardian").fill("Gina Guardian")
    page.get_by_label("Date signed").fill("2026-01-15")
    page.get_by_label("Signed document").set_input_files(str(scan))
    page.get_by_role("button", name="Enrol the patient").click()  # the year of birth is missing

    page.get_by_text("consent.pdf is kept: choose another file to replace it.").wait_for()
    snap(page, "enrol-consent-kept")
    page.get_by_label("Year of birth").fill("2017")
    page.get_by_role("button", name="Enrol the patient").click()
    page.wait_for_url(re.compile(r".*/patients/\d+/$"))

    consent = Patient.objects.get().consents.get()
    with consent.document.open("rb") as handle:
        assert handle.read() == TINY_PDF


def test_a_former_panel_member_following_an_old_link_reads_why(
    page, brain_group, requester, expert, coordinator
):
    case = make_case(group=brain_group, requester=requester, status=CaseStatus.ACCEPTED)
    elsewhere = UserFactory(
        email="far@delta.example", full_name="Fay Far", role="expert", hospital=HospitalFactory(name="Delta")
    )
    seat(case, elsewhere)
    notification_enqueue(
        app="cases",
        recipient=elsewhere,
        kind="panel_invited",
        context={"role": "member"},
        link=f"/cases/{case.pk}/",
        channels=("in_app",),
    )
    sign_in(page, elsewhere.email)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_text(case.reference).first.wait_for()
    panel_remove(case=case, member=PanelMember.objects.get(case=case, user=elsewhere), actor=coordinator)

    page.goto(f"/cases/{case.pk}/")

    page.get_by_role("heading", name="This case is not open to you").wait_for()
    body = page.locator("main").inner_text()
    assert "You were taken off this case's panel" in body
    assert case.patient.pseudonym not in body and "Secret history" not in body
    snap(page, "case-no-longer-open")

    page.goto("/helpdesk/inbox/")
    item = page.locator(".inbox-item").first
    item.get_by_text("You were taken off this case's panel").wait_for()
    assert item.get_by_role("link").count() == 0  # the reason instead of a dead link
    snap(page, "inbox-closed-link")
