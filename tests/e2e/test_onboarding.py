"""A clinician's first day, in a real browser: register, wait for the helpdesk, sign in, turn on two-factor
authentication, find colleagues in the directory. And signing in with the keyboard alone."""

import io
import re
from base64 import b32decode
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Locator, Page, expect

from concilium.accounts.models import AccountStatus, RegistrationRequest, User
from tests.e2e.support import next_unused_code, snap, totp_code
from tests.factories import (
    PASSWORD,
    ClinicianFactory,
    HospitalFactory,
    LanguageFactory,
    NetworkFactory,
    SpecialtyFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPLICANT_NAME = "Dr Nora Newcomer"
APPLICANT_EMAIL = "nora.newcomer@alpha.example"
APPLICANT_PASSWORD = "Quiet-Harbour-Lantern-42"


def new_page(browser: Browser, base_url: str) -> Page:
    """A separate browser (its own cookies) for another person."""
    context = browser.new_context(base_url=base_url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in_with_password(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def give_code(page: Page, code: str) -> None:
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Verify").click()


def open_account_menu(page: Page) -> None:
    """The menu under the user's first name, top right."""
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "button", name=re.compile("Nora")
    ).click()


def sign_out(page: Page) -> None:
    open_account_menu(page)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()


def directory_names(page: Page) -> Locator:
    """The names in the directory's results, in the order shown."""
    return page.locator("#directory-results tbody th")


@pytest.fixture
def colleagues(home_hospital, other_hospital) -> None:  # type: ignore[no-untyped-def]
    """Three listed clinicians in Italy and Germany, with their languages (named in their own language, as
    the data migration has them) and networks; the applicant's hospital in France."""
    english, german, italian = (
        LanguageFactory(code="en", name="English"),
        LanguageFactory(code="de", name="Deutsch"),
        LanguageFactory(code="it", name="italiano"),
    )
    paedcan = NetworkFactory(code="ern-paedcan", name="ERN PaedCan")
    euracan = NetworkFactory(code="ern-euracan", name="ERN EURACAN")
    oncology = SpecialtyFactory(name="Paediatric oncology")
    milan = HospitalFactory(name="Ospedale Maggiore", country="IT", city="Milano")
    marco = ClinicianFactory(full_name="Dr Marco Rossi", hospital=milan, specialty=oncology)
    marco.languages.set([italian, english])
    marco.networks.set([paedcan])
    giulia = ClinicianFactory(full_name="Dr Giulia Rossi", hospital=other_hospital, specialty=oncology)
    giulia.languages.set([german, italian])
    giulia.networks.set([euracan])
    anna = ClinicianFactory(full_name="Dr Anna Schmidt", hospital=other_hospital, specialty=oncology)
    anna.languages.set([german])
    anna.networks.set([paedcan])


def test_a_clinician_registers_is_activated_turns_on_2fa_and_searches_the_directory(
    browser, page, live_server, colleagues, helpdesk
) -> None:
    # --- 1. An anonymous visitor asks for an account -------------------------------------------------------
    page.goto("/accounts/register/")
    expect(page.get_by_role("heading", name="Register as a clinician")).to_be_visible()
    factsheet = page.locator("#factsheet")
    factsheet.get_by_text("Factsheet: what Concilium is and how it works").click()
    expect(factsheet.get_by_role("heading", name="What Concilium is")).to_be_visible()
    privacy = page.locator("#privacy-statement")
    privacy.get_by_text("Privacy statement (GDPR)").click()
    expect(privacy.get_by_role("heading", name=re.compile("Who is responsible"))).to_be_visible()

    page.get_by_label("Full name").fill(APPLICANT_NAME)
    page.get_by_label("Professional role").fill("Consultant paediatric oncologist")
    page.get_by_label("Professional email address").fill(APPLICANT_EMAIL)
    page.get_by_label("Country").select_option(label="France")
    page.get_by_label("Hospital").select_option(label="Hôpital Universitaire Alpha · Lyon")
    page.get_by_label("Specialty").select_option(label="Paediatric oncology")
    page.get_by_label("English", exact=True).check()
    page.get_by_label("italiano", exact=True).check()
    page.get_by_label("Reason for access").fill(
        "I treat children with brain tumours and want to ask the Brain Tumour Expert Group."
    )
    page.get_by_label(re.compile(r"^Password \*$")).fill(APPLICANT_PASSWORD)  # " *": a required field
    page.get_by_label("Password again").fill(APPLICANT_PASSWORD)
    page.get_by_label("I have read the factsheet and the privacy statement above.").check()
    snap(page, "01-register")
    page.get_by_role("button", name="Send my request").click()

    expect(page.get_by_role("heading", name="Request received")).to_be_visible()
    expect(page.get_by_text("Until then your account is closed: you cannot sign in yet.")).to_be_visible()
    snap(page, "02-register-done")
    applicant = User.objects.get(email=APPLICANT_EMAIL)
    assert (applicant.status, applicant.is_active) == (AccountStatus.PENDING, False)

    sign_in_with_password(page, APPLICANT_EMAIL, APPLICANT_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Your account is awaiting activation by the helpdesk.")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    snap(page, "03-login-pending")

    # The helpdesk looks at the queue five hours later.
    RegistrationRequest.objects.filter(user=applicant).update(
        submitted_at=F("submitted_at") - timedelta(hours=5)
    )

    # --- 2. The helpdesk signs in with password and code, and activates the account -------------------------
    device = TOTPDevice.objects.create(user=helpdesk, name="phone", confirmed=True)
    desk = new_page(browser, live_server.url)
    sign_in_with_password(desk, helpdesk.email, PASSWORD)
    give_code(desk, totp_code(device.bin_key))
    expect(desk.get_by_role("heading", name="Dashboard")).to_be_visible()
    desk.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Activations").click()

    expect(desk.get_by_role("heading", name="Activation queue")).to_be_visible()
    row = desk.get_by_role("row").filter(has_text=APPLICANT_NAME)
    expect(row).to_contain_text("Hôpital Universitaire Alpha")
    expect(row).to_contain_text("Consultant paediatric oncologist")
    expect(row.get_by_label("20% of the activation target used")).to_be_visible()
    expect(row).to_contain_text(re.compile(r"\b1[89] h \d+ min left"))
    snap(desk, "04-activation-queue")
    row.get_by_role("link", name=f"Review {APPLICANT_NAME}").click()

    expect(desk.get_by_role("heading", name=APPLICANT_NAME)).to_be_visible()
    expect(desk.get_by_text("I treat children with brain tumours")).to_be_visible()
    languages = desk.locator("dt", has_text="Languages").locator("xpath=following-sibling::dd[1]")
    expect(languages.locator(".badge")).to_have_text(["English", "italiano"])
    snap(desk, "05-activation-detail")
    desk.get_by_role("button", name="Activate account").click()
    expect(desk.get_by_text(f"{APPLICANT_NAME}'s account is active; they have been emailed.")).to_be_visible()
    expect(desk.get_by_text("No registration is waiting.")).to_be_visible()
    desk.context.close()

    call_command("worker", "--batch", stdout=io.StringIO())  # the background worker delivers the outbox
    (activation_email,) = [message for message in mail.outbox if message.to == [APPLICANT_EMAIL]]
    assert activation_email.subject == "Your Concilium account is active"
    assert activation_email.body.startswith("Hello Nora,")
    assert "/accounts/login/" in activation_email.body

    # --- 3. The clinician signs in and turns on two-factor authentication -----------------------------------
    sign_in_with_password(page, APPLICANT_EMAIL, APPLICANT_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Welcome back, Nora.")).to_be_visible()
    snap(page, "06-dashboard")
    open_account_menu(page)
    page.get_by_role("link", name="Sign-in and security").click()
    expect(page.get_by_role("heading", name="Sign-in and security")).to_be_visible()
    page.get_by_role("link", name="Turn on two-factor authentication").click()

    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.get_by_text("Cannot scan? Enter the key by hand").click()
    secret = page.locator("code.totp-secret").inner_text()
    key = b32decode(secret.replace(" ", ""))
    snap(page, "07-2fa-setup")
    page.get_by_label("Code from the app").fill(totp_code(key))
    page.get_by_role("button", name="Confirm and turn on").click()

    expect(page.get_by_role("heading", name="Two-factor authentication is on")).to_be_visible()
    expect(page.locator("#backup-codes li")).to_have_count(10)
    snap(page, "08-backup-codes")
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_role("region", name="Two-factor authentication")).to_contain_text("On")
    snap(page, "09-security")
    sign_out(page)

    sign_in_with_password(page, APPLICANT_EMAIL, APPLICANT_PASSWORD)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    for address in ("/", "/directory/", "/accounts/security/"):
        page.goto(address)  # nothing is reachable with the password alone
        expect(page).to_have_url(re.compile(r"/accounts/2fa/$"))
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        expect(page.get_by_role("heading", name="Dashboard")).to_have_count(0)
    snap(page, "10-2fa-step")
    # The one used to confirm the set-up is spent (django-otp refuses replays).
    give_code(page, next_unused_code(TOTPDevice.objects.get(user__email=APPLICANT_EMAIL, confirmed=True)))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    # --- 4. The clinician searches the directory ----------------------------------------------------------
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", name="Clinician directory")).to_be_visible()
    expect(directory_names(page)).to_have_text(
        ["Dr Anna Schmidt", "Dr Giulia Rossi", "Dr Marco Rossi", APPLICANT_NAME]
    )  # the new colleague is listed too

    search = page.get_by_role("search", name="Search the directory")
    search.get_by_label("Name").fill("rossi")
    expect(directory_names(page)).to_have_text(["Dr Giulia Rossi", "Dr Marco Rossi"])
    search.get_by_label("Country").select_option(label="Germany")
    expect(directory_names(page)).to_have_text(["Dr Giulia Rossi"])
    expect(page).to_have_url(re.compile(r"q=rossi.*country=DE"))
    snap(page, "11-directory-name-country")

    page.get_by_role("link", name="Clear filters").click()
    expect(search.get_by_label("Name")).to_have_value("")
    search.get_by_label("Language").select_option(label="italiano (it)")
    expect(directory_names(page)).to_have_text(["Dr Giulia Rossi", "Dr Marco Rossi", APPLICANT_NAME])
    search.get_by_label("Network").select_option(label="ERN PaedCan")
    expect(directory_names(page)).to_have_text(["Dr Marco Rossi"])
    expect(page.get_by_text("1 clinician matches")).to_be_visible()
    snap(page, "12-directory-language-network")

    search.get_by_label("Name").fill("newcomer")  # the other filters still apply
    expect(page.get_by_text("No clinician matches")).to_be_visible()
    page.get_by_role("link", name="Clear filters").click()
    search.get_by_label("Name").fill("newcomer")
    expect(directory_names(page)).to_have_text([APPLICANT_NAME])
    expect(page.locator("#directory-results tbody tr")).to_contain_text("Hôpital Universitaire Alpha")
    expect(page.locator("#directory-results tbody tr")).to_contain_text("France")


def test_the_login_form_can_be_filled_and_submitted_with_the_keyboard_alone(page, helpdesk) -> None:
    device = TOTPDevice.objects.create(user=helpdesk, name="phone", confirmed=True)
    page.goto("/accounts/login/")
    email = page.get_by_label("Email")
    expect(email).to_be_focused()
    page.keyboard.type(helpdesk.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")

    code = page.get_by_label("Code")
    expect(code).to_be_focused()
    page.keyboard.type(totp_code(device.bin_key))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
