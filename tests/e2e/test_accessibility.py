"""Accessibility and layout in a real browser: the navigation of every role fits a 1280 px window in English,
German and French with the language selector in view, and axe-core finds no violation (WCAG 2.1 A and AA:
contrast, labels, landmarks, headings, ...) on the main pages of each role and of visitors.

CC_E2E_SCREENSHOTS=/some/dir keeps a screenshot of each page checked.
"""

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page

from concilium.accounts.models import User
from concilium.cases.models import CaseStatus, PanelRole
from tests.cases.conftest_panel import make_case, seat
from tests.conftest import verified_client
from tests.e2e.support import snap
from tests.factories import (
    ClinicianFactory,
    HospitalFactory,
    NetworkFactory,
    PatientFactory,
    SpecialtyFactory,
)
from tests.helpdesk.registration_support import make_pending_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1280
LANGUAGES = ["en", "de", "fr"]
#: WCAG 2.0/2.1, levels A and AA: what the European accessibility standard (EN 301 549) asks of web pages.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


@pytest.fixture
def open_as(browser: Browser, live_server: Any) -> Iterator[Any]:
    """Opens a browser window signed in as a user (past the second factor), in a language; closed after."""
    contexts: list[BrowserContext] = []

    def open_page(user: User | None, language: str = "en") -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale=language, viewport={"width": WIDTH, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        if user is not None:
            User.objects.filter(pk=user.pk).update(language=language)
            session = verified_client(user).cookies[settings.SESSION_COOKIE_NAME].value
            cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url})
        context.add_cookies(cookies)  # type: ignore[arg-type]  # Playwright's SetCookieParam is a TypedDict
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def world(
    requester, coordinator, expert, helpdesk, network_admin, data_manager, brain_group
) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Something on every page: patients with and without consent, cases in several states on the
    coordinator's group (one on the expert's panel), colleagues in the directory, a registration waiting."""
    paedcan = brain_group.network
    oncology = SpecialtyFactory(name="Paediatric oncology")
    for name, city in [("Dr Marco Rossi", "Milano"), ("Dr Ines Duarte", "Lisboa")]:
        hospital = HospitalFactory(name=f"Hospital {city}", city=city, country="IT")
        listed = ClinicianFactory(full_name=name, hospital=hospital, specialty=oncology)
        listed.networks.set([paedcan])
    patient = PatientFactory(hospital=requester.hospital, enrolled_by=requester, care_consent=True)
    PatientFactory(hospital=requester.hospital, enrolled_by=requester, diagnosis="Neuroblastoma")
    accepted = make_case(group=brain_group, requester=requester, patient=patient, urgent=True)
    accepted.discussion_on = timezone.now() + timedelta(days=3)
    accepted.save()
    seat(accepted, coordinator, PanelRole.LEAD)
    seat(accepted, expert)
    make_case(group=brain_group, requester=requester, patient=patient, status=CaseStatus.SUBMITTED)
    make_case(group=brain_group, requester=requester, patient=patient, status=CaseStatus.DRAFT)
    make_pending_request(hospital=requester.hospital, specialty=oncology)
    NetworkFactory(code="ern-euracan", name="ERN EURACAN")
    return {"patient": patient, "case": accepted}


# --- the navigation at 1280 px ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ["coordinator", "helpdesk", "network_admin", "expert"])
def test_the_navigation_fits_1280_px_with_the_language_selector_in_view(request, open_as, role, language):
    """The coordinator has the most entries; the helpdesk and network admins the longest administration."""
    page = open_as(request.getfixturevalue(role), language)
    page.goto("/")
    snap(page, f"navigation-{role}-{language}")

    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    selector = page.get_by_label(re.compile("^(Language|Sprache|Langue)$"))
    box = selector.bounding_box()
    assert selector.is_visible() and box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    # One line: every entry of the bar sits at the height of the brand (nothing wrapped under it).
    nav = page.get_by_role("navigation", name=re.compile(".")).first
    brand_top = page.locator(".navbar-brand").bounding_box()["y"]  # type: ignore[index]
    for link in nav.locator(".navbar-nav > .nav-item > .nav-link").all():
        link_box = link.bounding_box()
        assert link_box is not None and abs(link_box["y"] - brand_top) < 20, link.inner_text()


def test_entries_past_the_sixth_wait_under_more_and_mark_it_when_current(open_as, coordinator, world):
    page = open_as(coordinator)
    page.goto("/cases/figures/")
    nav = page.get_by_role("navigation", name="Main navigation")
    more = nav.get_by_role("button", name="More")
    assert "active" in (more.get_attribute("class") or "")

    more.click()
    nav.get_by_role("link", name="My panels").click()

    page.wait_for_url("**/cases/panels/")


# --- axe-core on the main pages -----------------------------------------------------------------------------

PAGES: dict[str, list[str]] = {
    "visitor": [
        "/accounts/login/",
        "/accounts/register/",
        "/about/",
        "/privacy/",
        "/accounts/password-reset/",
    ],
    "requester": [
        "/",
        "/patients/",
        "/patients/{patient}/",
        "/patients/enrol/",
        "/cases/",
        "/cases/new/",
        "/cases/{case}/",
        "/directory/",
        "/helpdesk/inbox/",
        "/accounts/security/",
        "/accounts/tokens/",
    ],
    "coordinator": ["/", "/cases/queue/", "/cases/panels/", "/cases/{case}/panel/", "/cases/figures/"],
    "expert": ["/", "/cases/panels/", "/cases/{case}/discussion/"],
    "helpdesk": ["/", "/accounts/activations/", "/helpdesk/outbox/"],
    "network_admin": [
        "/",
        "/audit/",
        "/cases/templates/",
        "/patients/consent-forms/",
        "/cases/figures/",
        "/directory/",
    ],
    "data_manager": ["/"],
}


def _node(node: dict[str, Any]) -> str:
    """Where a violation is, and for contrast the colours and the ratio found."""
    where = " ".join(node["target"])
    data = next(
        (check.get("data") for check in node.get("any", []) if isinstance(check.get("data"), dict)), None
    )
    if data and "contrastRatio" in data:
        where += f" [{data.get('fgColor')} on {data.get('bgColor')}: {data['contrastRatio']}]"
    return where


def _violations(page: Page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(_node(node) for node in violation["nodes"][:6])
        for violation in results.response["violations"]
    ]


@pytest.mark.parametrize("role", list(PAGES))
def test_axe_finds_no_violation_on_the_main_pages(request, open_as, world, role):
    user = None if role == "visitor" else request.getfixturevalue(role)
    page = open_as(user)
    found = {}
    for template in PAGES[role]:
        path = template.format(patient=world["patient"].pk, case=world["case"].pk)
        response = page.goto(path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        page.wait_for_load_state("networkidle")
        snap(page, f"axe-{role}-{re.sub(r'[^a-z0-9]+', '-', path).strip('-') or 'home'}")
        violations = _violations(page)
        if violations:
            found[path] = violations
    assert not found, "\n".join(f"{path}:\n  " + "\n  ".join(lines) for path, lines in found.items())
