"""Search terms never travel in an address, in a real browser: the patients search (a local identifier), the
cases search and the look-ups typed into while working (diagnosis codes, the panel's directory search) send
what is typed in request bodies, with the CSRF token, and no URL the browser requests holds it."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, Request, expect

from concilium.accounts.models import User
from concilium.cases.models import CaseStatus, PanelRole
from tests.cases.conftest_panel import make_case, seat
from tests.conftest import verified_client
from tests.e2e.support import snap
from tests.factories import PatientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL_ID = "LYO-2026-004217"


@pytest.fixture
def signed_in(browser: Browser, live_server: Any) -> Iterator[Any]:
    """A browser window signed in as a user, and the list of every URL it requested."""
    contexts = []

    def open_page(user: User) -> tuple[Page, list[str]]:
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        session = verified_client(user).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page = context.new_page()
        urls: list[str] = []
        page.on("request", lambda request: urls.append(request.url))
        return page, urls

    yield open_page
    for context in contexts:
        context.close()


def _bodies(page: Page) -> list[str]:
    posted: list[str] = []

    def keep(request: Request) -> None:
        if request.method == "POST":
            posted.append(request.post_data or "")

    page.on("request", keep)
    return posted


def test_a_patient_found_by_local_identifier_never_shows_it_in_an_address(signed_in, requester):
    wanted = PatientFactory(hospital=requester.hospital, local_id=LOCAL_ID)
    other = PatientFactory(hospital=requester.hospital)
    page, urls = signed_in(requester)
    bodies = _bodies(page)

    page.goto("/patients/")
    page.get_by_role("search", name="Search patients").get_by_label("Search").fill(LOCAL_ID)
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("link", name=wanted.pseudonym)).to_be_visible()
    expect(page.get_by_role("link", name=other.pseudonym)).to_have_count(0)
    snap(page, "patients-search-posted")
    assert any(LOCAL_ID in body and "csrfmiddlewaretoken" in body for body in bodies)
    assert not [url for url in urls if "LYO" in url]
    assert page.url.endswith("/patients/")

    page.get_by_role("button", name="Clear").click()
    expect(page.get_by_role("link", name=other.pseudonym)).to_be_visible()


def test_the_cases_search_and_the_panels_directory_look_up_keep_names_out_of_addresses(
    signed_in, requester, coordinator, brain_group, external_expert
):
    case = make_case(group=brain_group, requester=requester, status=CaseStatus.ACCEPTED)
    seat(case, coordinator, PanelRole.LEAD)
    page, urls = signed_in(coordinator)

    page.goto("/cases/")
    page.get_by_role("search", name="Filter cases").get_by_label("Search").fill(case.patient.pseudonym)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()

    page.goto(f"/cases/{case.pk}/panel/")
    page.get_by_label("Search the directory").press_sequentially("Gia Ext", delay=30)
    expect(page.get_by_text(re.compile("Gia External"))).to_be_visible()
    snap(page, "panel-invite-search-posted")

    leaked = [url for url in urls if case.patient.pseudonym in url or re.search("gia", url, re.IGNORECASE)]
    assert not leaked
