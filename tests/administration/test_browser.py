"""The administration screens in a real browser: a network admin adds a hospital, a clinician registers
there and is activated, joins an expert group, and the group's weekly meeting changes (a bad slot length is
a message on its field first)."""

import re
from datetime import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from concilium.accounts.models import AccountStatus, User
from concilium.audit.models import AuditEvent
from concilium.directory.models import Hospital
from concilium.scheduling.models import ExpertGroup, GroupMembership
from tests.e2e.support import snap, totp_code
from tests.factories import PASSWORD, LanguageFactory, SpecialtyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLINICIAN = "Dr Lena Berger"
CLINICIAN_EMAIL = "lena.berger@nord.example"
CLINICIAN_PASSWORD = "Quiet-Harbour-Lantern-42"


def new_page(browser: Browser, base_url: str) -> Page:
    context = browser.new_context(base_url=base_url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


#: Rules left to the project-wide accessibility check: the shared grey text's contrast (4.4:1 on the page
#: background) is a finding of the layout's colours, fixed there, not in these pages.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"color-contrast": {"enabled": False}}}


def assert_accessible(page: Page) -> None:
    """axe-core finds no violation (labels, names, landmarks, structure, ...) on the page as it stands."""
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def open_administration(page: Page, item: str) -> None:
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Administration").or_(
        nav.get_by_role("link", name="Administration")
    ).click()
    nav.get_by_role("link", name=item).click()


def test_a_network_admin_adds_a_hospital_activates_a_clinician_there_and_sets_up_their_group(
    browser, page, live_server, network_admin, own_group
) -> None:
    LanguageFactory(code="en", name="English")
    SpecialtyFactory(name="Paediatric oncology")
    mail.outbox.clear()

    # --- 1. The network admin signs in with password and code, and adds a hospital ----------------------
    device = TOTPDevice.objects.create(user=network_admin, name="phone", confirmed=True)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(network_admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_code(device.bin_key))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    open_administration(page, "Hospitals")
    expect(page.get_by_role("heading", name="Hospitals")).to_be_visible()
    page.get_by_role("link", name="Add a hospital").click()
    page.get_by_label("Name").fill("Klinikum Nord")
    page.get_by_label("City").fill("Wien")
    page.get_by_label("Country").select_option(label="Austria (AT)")
    page.get_by_label("Reference centre").check()
    page.get_by_label("ERN PaedCan").check()
    snap(page, "admin-01-hospital-new")
    assert_accessible(page)
    page.get_by_role("button", name="Add the hospital").click()
    expect(page.get_by_text("The hospital is added: applicants can choose it now.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Klinikum Nord")
    expect(row).to_contain_text("ERN PaedCan")
    expect(row).to_contain_text("Yes")
    snap(page, "admin-02-hospitals")
    assert_accessible(page)
    hospital = Hospital.objects.get(name="Klinikum Nord")
    assert (hospital.country, hospital.is_reference_centre) == ("AT", True)

    # --- 2. A clinician of that hospital registers (another browser) ---------------------------------------
    applicant = new_page(browser, live_server.url)
    applicant.goto("/accounts/register/")
    applicant.get_by_label("Full name").fill(CLINICIAN)
    applicant.get_by_label("Professional role").fill("Consultant paediatric oncologist")
    applicant.get_by_label("Professional email address").fill(CLINICIAN_EMAIL)
    applicant.get_by_label("Country").select_option(label="Austria")
    applicant.get_by_label("Hospital").select_option(label="Klinikum Nord · Wien")
    applicant.get_by_label("Specialty").select_option(label="Paediatric oncology")
    applicant.get_by_label("English", exact=True).check()
    applicant.get_by_label("Reason for access").fill("I treat children with bone tumours in Vienna.")
    applicant.get_by_label(re.compile(r"^Password \*$")).fill(CLINICIAN_PASSWORD)
    applicant.get_by_label("Password again").fill(CLINICIAN_PASSWORD)
    applicant.get_by_label("I have read the factsheet and the privacy statement above.").check()
    applicant.get_by_role("button", name="Send my request").click()
    expect(applicant.get_by_role("heading", name="Request received")).to_be_visible()
    applicant.context.close()

    # --- 3. The admin activates the account from the queue, then finds it among the users ----------------
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Activations").click()
    page.get_by_role("row").filter(has_text=CLINICIAN).get_by_role("link", name=f"Review {CLINICIAN}").click()
    page.get_by_role("button", name="Activate account").click()
    expect(page.get_by_text(f"{CLINICIAN}'s account is active; they have been emailed.")).to_be_visible()
    clinician = User.objects.get(email=CLINICIAN_EMAIL)
    assert (clinician.status, clinician.hospital) == (AccountStatus.ACTIVE, hospital)

    open_administration(page, "Users")
    search = page.get_by_role("search", name="Find a user")
    search.get_by_label("Name or email address").fill("berger")
    search.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text=CLINICIAN)
    expect(row).to_contain_text("Klinikum Nord")
    expect(row).to_contain_text("Active")
    snap(page, "admin-03-users")
    assert_accessible(page)
    row.get_by_role("link", name=f"Open {CLINICIAN}").click()
    expect(page.get_by_role("heading", name=CLINICIAN)).to_be_visible()
    expect(page.get_by_text("Not in any expert group.")).to_be_visible()
    snap(page, "admin-03b-user")
    assert_accessible(page)
    page.get_by_role("link", name="End all sessions").click()
    expect(page.get_by_role("heading", name="End all sessions")).to_be_visible()
    snap(page, "admin-03c-user-confirm")
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()

    # --- 4. The admin puts the new clinician in an expert group --------------------------------------------
    open_administration(page, "Expert groups")
    snap(page, "admin-04a-groups")
    assert_accessible(page)
    page.get_by_role("link", name="Open Brain Tumour Expert Group").click()
    expect(page.get_by_role("heading", name="Brain Tumour Expert Group")).to_be_visible()
    expect(page.get_by_text("Nobody is in the group yet.")).to_be_visible()
    page.get_by_label("Email address").fill(CLINICIAN_EMAIL)
    page.get_by_label("Role in the group").select_option(label="Member")
    page.get_by_role("button", name="Add to the group").click()
    expect(page.get_by_text(f"{CLINICIAN} is in the group.")).to_be_visible()
    members = page.get_by_role("table", name="Members and coordinators")
    expect(members.get_by_role("row").filter(has_text=CLINICIAN)).to_contain_text("Klinikum Nord")
    assert GroupMembership.objects.filter(group=own_group, user=clinician, role="member").exists()

    # --- 5. ... and changes the group's weekly meeting: a slot too short is refused on its field -----------
    meeting = page.get_by_role("region", name="Weekly meeting")
    meeting.get_by_label("Day of the week").select_option(label="Thursday")
    meeting.get_by_label("Start time").fill("15:30")
    meeting.get_by_label("Time zone").select_option("Europe/Vienna")
    meeting.get_by_label("Slots per meeting").fill("4")
    meeting.get_by_label("Slot length (minutes)").fill("3")
    meeting.get_by_role("button", name="Save the weekly meeting").click()
    slot_length = page.get_by_role("region", name="Weekly meeting").get_by_label("Slot length (minutes)")
    expect(slot_length).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Ensure this value is greater than or equal to 5.")).to_be_visible()
    own_group.refresh_from_db()
    assert own_group.slot_count == 0  # nothing saved

    slot_length.fill("30")
    page.get_by_role("region", name="Weekly meeting").get_by_role(
        "button", name="Save the weekly meeting"
    ).click()
    expect(page.get_by_text("The weekly meeting is saved.")).to_be_visible()
    expect(page.get_by_role("region", name="Weekly meeting")).to_contain_text(
        "Every Thursday at 15:30 (Europe/Vienna): 4 slots of 30 minutes"
    )
    snap(page, "admin-04-group")
    assert_accessible(page)
    group = ExpertGroup.objects.get(pk=own_group.pk)
    assert (group.weekday, group.local_time, group.time_zone, group.slot_count, group.slot_minutes) == (
        3,
        time(15, 30),
        "Europe/Vienna",
        4,
        30,
    )

    # Every change is in the audit log, by the admin.
    actions = set(AuditEvent.objects.filter(actor_id=network_admin.pk).values_list("action", flat=True))
    assert {
        "hospital.create",
        "registration.activate",
        "expert_group.member_add",
        "expert_group.rule_change",
    } <= actions
