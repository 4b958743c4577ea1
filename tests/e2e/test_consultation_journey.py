"""A consultation from start to end, in a real browser: a clinician in Lyon enrols a patient with the signed
care consent and prepares a case until its checklist is complete; the coordinator of an expert group in Essen
accepts and schedules it, then, leading the panel, invites an expert from Milan found in the directory; both
discuss it, the lead signs the recommendation with a code from the authenticator app, and the clinician reads
it and downloads its PDF report. A clinician of another hospital finds nothing at the case's address."""

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Locator, Page, expect

from concilium.accounts.models import User
from concilium.cases.models import Case, CaseStatus, PanelRole
from concilium.cases.report import weasyprint_import_error
from concilium.core.roles import Role
from concilium.patients.models import ConsentFormTemplate
from tests.e2e.support import next_unused_code, snap, step, totp_code
from tests.factories import (
    PASSWORD,
    TINY_PDF,
    CaseTemplateFactory,
    ClinicianFactory,
    ExpertGroupFactory,
    GroupMembershipFactory,
    HospitalFactory,
    NetworkFactory,
    SpecialtyFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL_ID = "LYO-2026-004217"
DIAGNOSIS = "Medulloblastoma of the posterior fossa"
GROUP_NAME = "Paediatric brain tumours"
COORDINATOR_NAME = "Dr Clara Weiss"
MEMBER_NAME = "Dr Jonas Berg"
EXPERT_NAME = "Dr Marco Rossi"
MRI_REPORT = b"%PDF-1.4\n% Brain MRI, 12 March: 3 cm mass of the fourth ventricle.\n%%EOF\n"


def sign_in(page: Page, email: str, *, code: str | None = None) -> None:
    """Password, then (for the roles that need it) the code of the authenticator app."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if code is not None:
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def go_to(page: Page, menu_item: str) -> None:
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name=menu_item).click()


def field(scope: Page | Locator, label: str) -> Locator:
    """The form field labelled `label` (required fields' labels end with " *")."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def flash(page: Page, text: str) -> None:
    """The confirmation (or error) shown after an action."""
    expect(page.get_by_role("alert").filter(has_text=text)).to_be_visible()


def region(page: Page, name: str) -> Locator:
    """A section of the page by its heading (a count badge may follow the heading's text)."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(name)}( \d+)?$"))


def case_tab(page: Page, name: str) -> None:
    """The tabs of a case's panel pages: Case, Panel, Discussion, Recommendation."""
    page.get_by_role("navigation", name="Case sections").get_by_role("link", name=name, exact=True).click()


def completeness_shows(page: Page, percent: int) -> None:
    expect(page.get_by_role("progressbar", name="Completeness")).to_have_attribute("value", str(percent))
    expect(region(page, "Completeness").locator(".card-header .badge")).to_have_text(f"{percent}%")


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[[], Page]]:  # type: ignore[no-untyped-def]
    """Opens another person's browser (its own cookies). Each is closed after the test, so that the live
    server's threads let go of their database connections before the test database is dropped."""
    contexts: list[BrowserContext] = []

    def open_page() -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def network(home_hospital, other_hospital, requester) -> dict[str, User]:  # type: ignore[no-untyped-def]
    """An expert group of ERN PaedCan coordinated from Essen (its case sheet asks for the history, the
    imaging and the question, an MRI report and a tumour board), the requester in Lyon, an expert of another
    network in Milan listed in the directory with an account, and a clinician there who has nothing to do
    with the case. The network's English care consent form is current."""
    paedcan = NetworkFactory(code="ern-paedcan", name="ERN PaedCan")
    euracan = NetworkFactory(code="ern-euracan", name="ERN EURACAN")
    oncology = SpecialtyFactory(name="Paediatric oncology")
    milan = HospitalFactory(name="Ospedale Maggiore", country="IT", city="Milano")

    group = ExpertGroupFactory(network=paedcan, name=GROUP_NAME, slug="paedcan-brain")
    CaseTemplateFactory(
        group=group,
        sections=[
            {"field": "clinical_history", "required": True, "guidance": "Age, symptoms, course."},
            {"field": "imaging_findings", "required": True, "guidance": "The latest MRI."},
            {"field": "question", "required": True, "guidance": "One precise question."},
        ],
        checklist=[
            {"key": "mri-report", "label": "Brain MRI report attached", "kind": "attachment"},
            {"key": "tumour-board", "label": "Discussed in the local tumour board", "kind": "confirm"},
        ],
    )
    coordinator = UserFactory(
        email="clara.weiss@beta.example",
        full_name=COORDINATOR_NAME,
        role=Role.COORDINATOR,
        hospital=other_hospital,
    )
    member = UserFactory(
        email="jonas.berg@beta.example", full_name=MEMBER_NAME, role=Role.EXPERT, hospital=other_hospital
    )
    GroupMembershipFactory(group=group, user=coordinator, role="coordinator")
    GroupMembershipFactory(group=group, user=member, role="member")

    expert = UserFactory(
        email="marco.rossi@maggiore.example", full_name=EXPERT_NAME, role=Role.EXPERT, hospital=milan
    )
    listed = ClinicianFactory(
        full_name=EXPERT_NAME, email=expert.email, hospital=milan, specialty=oncology, user=expert
    )
    listed.networks.set([euracan])
    outsider = UserFactory(
        email="oscar.outsider@maggiore.example",
        full_name="Oscar Outsider",
        role=Role.CLINICIAN,
        hospital=milan,
    )

    ConsentFormTemplate.objects.create(
        language="en",
        version="2.0",
        title="ERN care consent",
        document=ContentFile(TINY_PDF, name="ern-care-consent-en.pdf"),
    )
    return {"requester": requester, "coordinator": coordinator, "expert": expert, "outsider": outsider}


def test_a_case_goes_from_enrolment_to_a_signed_recommendation_whose_report_the_requester_downloads(
    page, new_page, network, tmp_path
) -> None:
    requester, coordinator, expert = network["requester"], network["coordinator"], network["expert"]
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    today = timezone.localdate()
    # Who holds which browser page: a failing step leaves a screenshot of each in tmp_path.
    pages: dict[str, Page] = {"requester": page}

    def journey_step(name: str) -> AbstractContextManager[None]:
        return step(name, pages=pages, screenshots=tmp_path)

    # --- 1. The clinician enrols the patient with the signed care consent -----------------------------------
    with journey_step("requester signs in"):
        sign_in(page, requester.email)

    with journey_step("requester enrols the patient"):
        go_to(page, "Patients")
        page.get_by_role("link", name="Enrol a patient").click()
        expect(page.get_by_role("heading", name="Enrol a patient")).to_be_visible()
        field(page, "Local identifier").fill(LOCAL_ID)
        field(page, "Year of birth").fill("2016")
        field(page, "Month of birth").select_option(label="May")
        field(page, "Sex").select_option(label="Female")
        expect(field(page, "Country of residence")).to_have_value("FR")  # the hospital's country by default
        field(page, "Diagnosis").fill(DIAGNOSIS)
        expect(field(page, "Care: discussing the case with experts")).to_be_checked()
        expect(field(page, "Form language")).to_have_value("en")
        field(page, "Form signed").select_option(label="English · 2.0 · ERN care consent")
        expect(page.get_by_role("radio", name="Legal guardian")).to_be_checked()
        field(page, "Name of the legal guardian").fill("Gina Guardian")
        field(page, "Date signed").fill(today.isoformat())
        field(page, "Signed document").set_input_files(
            files=[{"name": "signed-consent.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF}]
        )
        snap(page, "01-enrol")
        page.get_by_role("button", name="Enrol the patient").click()

    with journey_step("requester sees the patient enrolled with a valid consent"):
        flash(page, "Patient enrolled as PX-")
        pseudonym = page.get_by_role("heading", level=1).inner_text().strip()
        assert re.fullmatch(r"PX-[A-Z0-9]{4}-[A-Z0-9]{4}", pseudonym), pseudonym
        expect(page.locator("header.page-header").get_by_text("Care consent")).to_be_visible()
        consent_row = region(page, "Consents").get_by_role("row").filter(has_text="Gina Guardian")
        expect(consent_row).to_contain_text("Valid")
        expect(consent_row).to_contain_text("v2.0")
        expect(page.get_by_text(LOCAL_ID)).to_be_visible()  # the hospital's own number, for the hospital only
        snap(page, "02-patient")

    # --- 2. The clinician prepares the case until the group's checklist is complete, and submits it ---------
    with journey_step("requester saves a draft case"):
        go_to(page, "Cases")
        page.get_by_role("link", name="New case").click()
        field(page, "Patient").select_option(label=f"{pseudonym} — {DIAGNOSIS}")
        field(page, "Expert group").select_option(label=f"{GROUP_NAME} (ERN PaedCan)")
        field(page, "Clinical history").fill(
            "Eight-year-old girl with morning headaches and vomiting for six weeks; ataxic gait."
        )
        field(page, "Question to the panel").fill(
            "Is second-look surgery advisable before craniospinal radiotherapy?"
        )
        page.get_by_role("button", name="Save draft").click()
        flash(page, "is saved")
        reference = page.get_by_role("heading", level=1).inner_text().split()[0]
        case = Case.objects.get(reference=reference)
        assert (case.status, case.requester, case.patient.pseudonym) == (
            CaseStatus.DRAFT,
            requester,
            pseudonym,
        )

    with journey_step("requester sees what the draft still lacks"):
        completeness = region(page, "Completeness")
        completeness_shows(page, 40)  # 2 of 5: the history and the question
        expect(completeness.get_by_role("list").first.get_by_role("listitem")).to_have_text(
            [
                "Imaging findings",
                "Brain MRI report attached (attach a file)",
                "Discussed in the local tumour board (confirm it in the checklist below)",
            ]
        )
        snap(page, "03-draft-incomplete")

    with journey_step("requester adds the imaging and confirms the tumour board"):
        page.get_by_role("link", name="Edit", exact=True).click()
        field(page, "Imaging findings").fill(
            "MRI: 3 cm enhancing mass of the fourth ventricle, hydrocephalus."
        )
        page.get_by_role("checkbox", name="Discussed in the local tumour board").check()
        page.get_by_role("button", name="Save", exact=True).click()
        flash(page, "The case is saved.")
        completeness_shows(page, 80)
        expect(completeness.get_by_role("list").first.get_by_role("listitem")).to_have_text(
            ["Brain MRI report attached (attach a file)"]
        )

    with journey_step("requester attaches the MRI report and completes the checklist"):
        attachments = region(page, "Attachments")
        field(attachments, "File").set_input_files(
            files=[{"name": "mri-report.pdf", "mimeType": "application/pdf", "buffer": MRI_REPORT}]
        )
        field(attachments, "Description").fill("Brain MRI report, 12 March")
        field(attachments, "Answers the checklist item").select_option(label="Brain MRI report attached")
        attachments.get_by_role("button", name="Upload").click()
        flash(page, "“mri-report.pdf” is attached.")
        expect(attachments.get_by_role("link", name="mri-report.pdf")).to_be_visible()
        completeness_shows(page, 100)
        expect(completeness.get_by_text("Everything the group asks for is there.")).to_be_visible()
        expect(completeness.get_by_role("listitem")).to_contain_text(
            ["done Brain MRI report attached", "done Discussed in the local tumour board"]
        )
        snap(page, "04-draft-complete")

    with journey_step("requester submits the case to the group"):
        page.get_by_role("button", name="Submit to the group").click()
        flash(page, "The case is submitted.")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted")

    # The coordinator looks at the queue three days later.
    Case.objects.filter(pk=case.pk).update(submitted_at=F("submitted_at") - timedelta(days=3, hours=4))

    # --- 3. The coordinator (password and code) accepts the case from the queue and schedules it ------------
    with journey_step("coordinator signs in with a code from the authenticator app"):
        lead = pages["coordinator"] = new_page()
        sign_in(lead, coordinator.email, code=totp_code(device.bin_key))

    with journey_step("coordinator finds the case waiting in the group queue"):
        go_to(lead, "Group queue")
        expect(lead.get_by_role("heading", name="Cases for my groups")).to_be_visible()
        row = lead.get_by_role("row").filter(has_text=reference)
        expect(row).to_contain_text(pseudonym)
        expect(row).to_contain_text("Rita Requester")
        expect(row).to_contain_text("Hôpital Universitaire Alpha")
        expect(row).to_contain_text("3 d 4 h")  # waiting since the submission
        snap(lead, "05-queue")

    with journey_step("coordinator opens the case without the hospital's local identifier"):
        row.get_by_role("link", name=reference).click()
        expect(lead.get_by_role("heading", level=1)).to_contain_text(reference)
        expect(lead.get_by_text(LOCAL_ID)).to_have_count(0)  # never shown outside the owning hospital

    with journey_step("coordinator accepts the case and the group's members are seated"):
        lead.get_by_role("button", name="Accept", exact=True).click()
        flash(lead, "The case is accepted.")
        panel = region(lead, "Panel")  # loaded into the case page by htmx; the group's members are seated
        expect(panel.get_by_role("row").filter(has_text=COORDINATOR_NAME)).to_contain_text("Lead")
        expect(panel.get_by_role("row").filter(has_text=MEMBER_NAME)).to_contain_text("Member")

    with journey_step("coordinator schedules the discussion"):
        lead.get_by_role("link", name="Set the discussion date").click()
        discussion_on = timezone.localtime() + timedelta(days=7)
        field(lead, "Discussion date and time").fill(discussion_on.strftime("%Y-%m-%dT16:00"))
        lead.get_by_role("button", name="Set the date").click()
        flash(lead, "The discussion date is set")
        expect(lead.get_by_role("heading", level=1)).to_contain_text("Scheduled")

    # --- 4. The lead invites an expert of another network, found in the directory, as a guest ---------------
    with journey_step("coordinator invites an expert from the directory as a guest"):
        panel = region(lead, "Panel")
        panel.get_by_label("Search the directory").press_sequentially("ross")
        panel.get_by_role("radio", name=re.compile(EXPERT_NAME)).check()
        field(panel, "Role on the panel").select_option(label="Guest (access for a limited time)")
        snap(lead, "06-invite")
        panel.get_by_role("button", name="Invite", exact=True).click()
        flash(lead, f"{EXPERT_NAME} was invited to the panel.")

    with journey_step("coordinator sees the guest seated for a limited time"):
        guest_row = region(lead, "Panel").get_by_role("row").filter(has_text=EXPERT_NAME)
        expect(guest_row).to_contain_text("Guest")
        expect(guest_row).to_contain_text("Ospedale Maggiore (IT)")
        expect(guest_row).to_contain_text("until")
        seat = case.panel.get(user=expert)
        assert seat.role == PanelRole.GUEST and seat.expires_at > timezone.now() + timedelta(days=29)
        snap(lead, "07-panel")

    # --- 5. The expert reads the case and posts an opinion mentioning the lead; the lead answers ------------
    with journey_step("guest expert signs in and finds the case in My panels"):
        guest = pages["guest expert"] = new_page()
        sign_in(guest, expert.email)
        go_to(guest, "My panels")
        seat_row = guest.get_by_role("row").filter(has_text=reference)
        expect(seat_row).to_contain_text("Guest until")
        expect(seat_row).to_contain_text(GROUP_NAME)

    with journey_step("guest expert reads the case and its MRI report"):
        seat_row.get_by_role("link", name=reference).click()
        case_tab(guest, "Case")
        expect(region(guest, "Episode")).to_contain_text("3 cm enhancing mass of the fourth ventricle")
        expect(region(guest, "Attachments").get_by_role("link", name="mri-report.pdf")).to_be_visible()
        expect(guest.get_by_text(LOCAL_ID)).to_have_count(0)
        snap(guest, "08-guest-case")

    with journey_step("guest expert posts an opinion mentioning the coordinator"):
        guest.go_back()
        expect(guest.get_by_role("heading", level=1)).to_contain_text("Discussion")
        body = guest.get_by_label("Your contribution")
        body.press_sequentially("A second look is worth it if the residue exceeds 1.5 cm2. @Cla")
        guest.get_by_role("group", name="Mention a panel member").get_by_role(
            "button", name=COORDINATOR_NAME
        ).click()
        expect(body).to_have_value(
            f"A second look is worth it if the residue exceeds 1.5 cm2. @{COORDINATOR_NAME} "
        )
        body.press_sequentially("could your neuroradiologist measure it?")
        region(guest, "Discussion").get_by_role("button", name="Post").click()
        thread = guest.get_by_role("list", name="Contributions")
        expect(thread.get_by_role("listitem")).to_have_count(1)
        expect(thread).to_contain_text(EXPERT_NAME)
        expect(thread).to_contain_text(f"Mentioned: {COORDINATOR_NAME}")
        snap(guest, "09-discussion")

    with journey_step("coordinator answers in the discussion"):
        lead.reload()  # the lead's case page shows the discussion too
        discussion = region(lead, "Discussion")
        expect(discussion.get_by_role("listitem")).to_have_count(1)
        discussion.get_by_label("Your contribution").fill(
            "Residue measured at 2.1 cm2: we propose second-look surgery."
        )
        discussion.get_by_role("button", name="Post").click()
        thread = lead.get_by_role("list", name="Contributions")
        expect(thread.get_by_role("listitem")).to_have_count(2)
        expect(thread.get_by_role("listitem").last).to_contain_text(COORDINATOR_NAME)

    # --- 6. The lead marks the case discussed, writes the recommendation and signs it with a code ----------
    with journey_step("coordinator marks the case as discussed"):
        lead.get_by_role("button", name="Mark as discussed").click()
        flash(lead, "The case is marked as discussed.")

    with journey_step("coordinator drafts the recommendation"):
        draft = region(lead, "Recommendation")  # loaded into the case page by htmx
        field(draft, "Summary").fill("Medulloblastoma with a 2.1 cm2 residue after the first resection.")
        draft.get_by_role("textbox", name="Recommendation", exact=True).fill(
            "Second-look surgery, then craniospinal radiotherapy."
        )
        field(draft, "Rationale").fill("A residue above 1.5 cm2 worsens the prognosis.")
        for name in (COORDINATOR_NAME, EXPERT_NAME):
            draft.get_by_role("checkbox", name=name, exact=True).check()
        draft.get_by_role("button", name="Save the draft").click()
        flash(lead, "The draft recommendation was saved.")

    with journey_step("coordinator signs the recommendation with a code"):
        pdf_problem = weasyprint_import_error()
        # The one given at sign-in is spent (django-otp refuses a code twice).
        field(lead, "Code from your authenticator app").fill(next_unused_code(device))
        snap(lead, "10-sign")
        lead.get_by_role("button", name="Sign", exact=True).click()
        if pdf_problem is None:
            flash(lead, "The recommendation is signed and its report is ready.")
        else:
            flash(lead, "The recommendation is signed, but its PDF report could not be made.")
        expect(lead.get_by_text(f"Signed by {COORDINATOR_NAME} on")).to_be_visible()
        case.refresh_from_db()
        assert case.status == CaseStatus.SIGNED
        snap(lead, "11-signed")

    # --- 7. Someone of another hospital finds nothing at the case's addresses -----------------------------
    with journey_step("clinician of another hospital signs in"):
        stranger = pages["outsider"] = new_page()
        sign_in(stranger, network["outsider"].email)

    with journey_step("clinician of another hospital finds nothing at the case's addresses"):
        for address in (
            f"/cases/{case.pk}/",
            f"/cases/{case.pk}/recommendation/",
            f"/patients/{case.patient_id}/",
        ):
            response = stranger.goto(address)
            assert response is not None and response.status == 404, address
            expect(stranger.get_by_role("heading", name="Page not found")).to_be_visible()
            expect(stranger.get_by_text(pseudonym)).to_have_count(0)
        snap(stranger, "12-outsider-404")

    # --- 8. The requester reads the signed recommendation on the case page and downloads the report ---------
    with journey_step("requester reads the signed recommendation"):
        go_to(page, "Cases")
        page.get_by_role("row").filter(has_text=reference).get_by_role("link", name=reference).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Recommendation signed")
        recommendation = region(page, "Recommendation")  # loaded into the case page by htmx
        expect(recommendation).to_contain_text("Second-look surgery, then craniospinal radiotherapy.")
        expect(recommendation).to_contain_text(f"Signed by {COORDINATOR_NAME} on")
        expect(recommendation).to_contain_text(f"{EXPERT_NAME} (Ospedale Maggiore)")
        snap(page, "13-requester-signed")

    if pdf_problem is not None:
        pytest.skip(f"No PDF report to download: WeasyPrint cannot be imported ({pdf_problem})")
    with journey_step("requester downloads the PDF report"):
        with page.expect_download() as download_info:
            recommendation.get_by_role("link", name="Download the report (PDF)").click()
        download = download_info.value
        assert download.suggested_filename == f"{reference}-recommendation.pdf"
        with open(download.path(), "rb") as report:
            assert report.read(5) == b"%PDF-"
