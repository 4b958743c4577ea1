"""The panel's pages in a real browser: the discussion's "@" autocomplete, posting with htmx, and the lead's
recommendation through to the signed report. CC_E2E_SCREENSHOTS=/dir keeps a screenshot of each page."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from concilium.cases.models import CaseStatus, PanelRole
from tests.cases.conftest_panel import make_case, seat
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("CC_E2E_SCREENSHOTS", "")


def snap(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def sign_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_a_lead_discusses_mentions_a_colleague_and_signs_the_recommendation(
    page, brain_group, requester, expert, external_expert, monkeypatch
):
    monkeypatch.setattr("concilium.cases.report.render_report_pdf", lambda rec: b"%PDF-1.7 fake")
    case = make_case(group=brain_group, requester=requester, status=CaseStatus.SCHEDULED)
    case.discussion_on = timezone.now() + timedelta(days=2)
    case.save()
    seat(case, external_expert, PanelRole.LEAD)
    seat(case, expert)
    sign_in(page, external_expert.email)

    page.goto("/cases/panels/")
    snap(page, "panel-my-panels")
    page.get_by_role("link", name=case.reference).click()

    box = page.get_by_label("Your contribution")
    box.press_sequentially("I would wait. @Eri", delay=20)
    page.get_by_role("button", name="Erin Expert").click()
    assert box.input_value() == "I would wait. @Erin Expert "
    box.press_sequentially("do you agree?")
    snap(page, "panel-discussion-typing")
    page.get_by_role("button", name="Post").click()
    thread = page.locator("#discussion-section .discussion-thread")
    thread.get_by_text("do you agree?").wait_for()
    assert "Mentioned: Erin Expert" in thread.inner_text()
    snap(page, "panel-discussion")

    page.get_by_role("link", name="Panel", exact=True).click()
    snap(page, "panel-members")

    page.get_by_role("link", name="Recommendation", exact=True).click()
    page.locator("textarea[name=summary]").fill("Ten-year-old with a posterior fossa tumour.")
    page.locator("textarea[name=recommendation]").fill("Complete resection before any radiotherapy.")
    page.get_by_label("Gia External").check()
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_text("The draft recommendation was saved.").wait_for()
    snap(page, "panel-recommendation-draft")

    case.status = CaseStatus.DISCUSSED
    case.save()
    page.reload()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign", exact=True).click()
    page.get_by_text("The recommendation is signed").first.wait_for()
    snap(page, "panel-recommendation-signed")
    case.refresh_from_db()
    assert case.status == CaseStatus.SIGNED
