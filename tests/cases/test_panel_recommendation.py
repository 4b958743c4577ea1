"""The recommendation: drafted by the lead, signed once discussed after re-authentication, then read-only,
with a PDF report that only those who see the case can download."""

import hashlib

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.audit.models import AuditEvent, Outcome
from concilium.cases.models import CaseStatus, PanelRole, Recommendation
from concilium.cases.report import ReportUnavailable, weasyprint_import_error
from concilium.cases.services import CaseTransitionError
from concilium.cases.services.recommendation import (
    canonical_content,
    recommendation_render_pdf,
    recommendation_save,
    recommendation_sign,
)
from concilium.notifications.models import Notification
from tests.cases.conftest_panel import current_code, seat
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WEASYPRINT_MISSING = weasyprint_import_error()
needs_weasyprint = pytest.mark.skipif(
    WEASYPRINT_MISSING is not None, reason=f"WeasyPrint cannot be imported here: {WEASYPRINT_MISSING}"
)


@pytest.fixture
def led_case(accepted_case, external_expert, expert):
    """A scheduled case led by the external expert (password sign-in, no 2FA), the home expert a member."""
    seat(accepted_case, external_expert, PanelRole.LEAD)
    seat(accepted_case, expert)
    accepted_case.status = CaseStatus.SCHEDULED
    accepted_case.save()
    return accepted_case


def _draft(case, lead, **fields):
    values = {"summary": "Summary text", "recommendation": "Proton therapy", "participants": [lead]}
    values.update(fields)
    return recommendation_save(case=case, actor=lead, **values)


def _discussed(case):
    case.status = CaseStatus.DISCUSSED
    case.save()
    return case


def test_the_lead_drafts_the_recommendation_with_participants_from_the_panel(
    led_case, external_expert, expert
):
    rec = _draft(led_case, external_expert, participants=[external_expert, expert])

    assert {u.pk for u in rec.participants.all()} == {external_expert.pk, expert.pk}
    assert AuditEvent.objects.filter(action="recommendation.drafted").exists()


def test_participants_outside_the_panel_are_refused(led_case, external_expert, outsider):
    with pytest.raises(CaseTransitionError) as refused:
        _draft(led_case, external_expert, participants=[outsider])

    assert refused.value.code == "bad_participants"
    assert not Recommendation.objects.exists()


def test_a_member_who_is_not_the_lead_cannot_draft(led_case, expert):
    with pytest.raises(CaseTransitionError) as refused:
        _draft(led_case, expert)

    assert refused.value.code == "forbidden"


def test_no_draft_before_the_case_is_scheduled(led_case, external_expert):
    led_case.status = CaseStatus.ACCEPTED
    led_case.save()

    with pytest.raises(CaseTransitionError) as refused:
        _draft(led_case, external_expert)

    assert refused.value.code == "wrong_status"


def test_signing_is_refused_unless_the_case_was_discussed(led_case, external_expert):
    _draft(led_case, external_expert)

    with pytest.raises(CaseTransitionError) as refused:
        recommendation_sign(case=led_case, actor=external_expert, credential=PASSWORD)

    assert refused.value.code == "wrong_status"
    led_case.refresh_from_db()
    assert led_case.status == CaseStatus.SCHEDULED
    assert Recommendation.objects.get().signed_at is None


def test_a_wrong_password_changes_nothing_and_is_audited(led_case, external_expert):
    _draft(led_case, external_expert)
    _discussed(led_case)

    with pytest.raises(CaseTransitionError) as refused:
        recommendation_sign(case=led_case, actor=external_expert, credential="not my password")

    assert refused.value.code == "wrong_credential"
    led_case.refresh_from_db()
    rec = Recommendation.objects.get()
    assert (led_case.status, rec.signed_at, rec.content_sha256) == (CaseStatus.DISCUSSED, None, "")
    event = AuditEvent.objects.get(action="recommendation.sign_failed")
    assert event.outcome == Outcome.FAILURE and event.detail["reason"] == "wrong_password"


def test_a_user_with_two_factor_signs_with_the_current_code_not_the_password(
    accepted_case, coordinator, client_for
):
    client_for(coordinator)  # gives the coordinator a confirmed authenticator
    seat(accepted_case, coordinator, PanelRole.LEAD)
    accepted_case.status = CaseStatus.SCHEDULED
    accepted_case.save()
    _draft(accepted_case, coordinator)
    _discussed(accepted_case)

    with pytest.raises(CaseTransitionError) as refused:
        recommendation_sign(case=accepted_case, actor=coordinator, credential=PASSWORD)
    assert refused.value.code == "wrong_credential"
    assert AuditEvent.objects.get(action="recommendation.sign_failed").detail["reason"] == "wrong_totp"
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)  # time passes

    rec = recommendation_sign(case=accepted_case, actor=coordinator, credential=current_code(coordinator))

    assert rec.signed_at is not None
    assert AuditEvent.objects.get(action="recommendation.signed").detail["via"] == "totp"


def test_signing_seals_the_content_and_tells_the_requester(led_case, external_expert, requester):
    _draft(led_case, external_expert)
    _discussed(led_case)

    rec = recommendation_sign(case=led_case, actor=external_expert, credential=PASSWORD)

    led_case.refresh_from_db()
    assert led_case.status == CaseStatus.SIGNED and led_case.signed_at == rec.signed_at
    assert rec.signed_by == external_expert
    assert rec.content_sha256 == hashlib.sha256(canonical_content(rec)).hexdigest()
    assert Notification.objects.filter(recipient=requester, kind="recommendation_signed").exists()
    assert AuditEvent.objects.filter(action="recommendation.signed", outcome=Outcome.SUCCESS).exists()


def test_a_signed_recommendation_is_read_only(led_case, external_expert):
    _draft(led_case, external_expert)
    _discussed(led_case)
    recommendation_sign(case=led_case, actor=external_expert, credential=PASSWORD)

    with pytest.raises(CaseTransitionError) as refused:
        _draft(led_case, external_expert, recommendation="Something else")
    with pytest.raises(CaseTransitionError) as resigned:
        recommendation_sign(case=led_case, actor=external_expert, credential=PASSWORD)

    assert refused.value.code == "already_signed"
    assert resigned.value.code == "already_signed"
    assert Recommendation.objects.get().recommendation == "Proton therapy"


@needs_weasyprint
def test_signing_generates_the_pdf_report(led_case, external_expert):
    _draft(led_case, external_expert)
    _discussed(led_case)

    rec = recommendation_sign(case=led_case, actor=external_expert, credential=PASSWORD)

    rec.refresh_from_db()
    assert rec.report.name.endswith(".pdf")
    with rec.report.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_signing_succeeds_when_the_report_cannot_be_made_and_it_can_be_made_later(
    led_case, external_expert, monkeypatch
):
    _draft(led_case, external_expert)
    _discussed(led_case)

    def unavailable(rec):  # type: ignore[no-untyped-def]
        raise ReportUnavailable("no pango here")

    monkeypatch.setattr("concilium.cases.report.render_report_pdf", unavailable)
    rec = recommendation_sign(case=led_case, actor=external_expert, credential=PASSWORD)

    rec.refresh_from_db()
    assert rec.signed_at is not None and not rec.report
    assert AuditEvent.objects.filter(action="recommendation.report_failed").exists()
    monkeypatch.setattr("concilium.cases.report.render_report_pdf", lambda rec: b"%PDF-1.7 fake")
    assert recommendation_render_pdf(recommendation=rec, actor=external_expert) is True
    rec.refresh_from_db()
    assert rec.report


# --- Pages ----------------------------------------------------------------------------------------------


def test_a_forged_sign_post_before_the_discussion_is_refused(led_case, external_expert, client_for):
    _draft(led_case, external_expert)

    response = client_for(external_expert).post(
        reverse("cases:recommendation_sign", args=[led_case.pk]), {"credential": PASSWORD}
    )

    assert response.status_code == 200
    assert "once the case has been discussed" in response.content.decode()
    led_case.refresh_from_db()
    assert led_case.status == CaseStatus.SCHEDULED


def test_a_wrong_password_on_the_sign_page_shows_an_error(led_case, external_expert, client_for):
    _draft(led_case, external_expert)
    _discussed(led_case)

    response = client_for(external_expert).post(
        reverse("cases:recommendation_sign", args=[led_case.pk]), {"credential": "wrong"}
    )

    assert response.status_code == 200
    assert "The password is not correct." in response.content.decode()
    led_case.refresh_from_db()
    assert led_case.status == CaseStatus.DISCUSSED


def test_the_lead_signs_on_the_page(led_case, external_expert, client_for, monkeypatch):
    monkeypatch.setattr("concilium.cases.report.render_report_pdf", lambda rec: b"%PDF-1.7 fake")
    _draft(led_case, external_expert)
    _discussed(led_case)
    client = client_for(external_expert)

    response = client.post(reverse("cases:recommendation_sign", args=[led_case.pk]), {"credential": PASSWORD})

    assert response.status_code == 302
    led_case.refresh_from_db()
    assert led_case.status == CaseStatus.SIGNED
    page = client.get(reverse("cases:recommendation", args=[led_case.pk])).content.decode()
    assert Recommendation.objects.get().content_sha256 in page
    assert 'name="summary"' not in page  # no editor any more


def test_editing_a_signed_recommendation_through_the_page_is_refused(led_case, external_expert, client_for):
    _draft(led_case, external_expert)
    _discussed(led_case)
    recommendation_sign(case=led_case, actor=external_expert, credential=PASSWORD)

    client_for(external_expert).post(
        reverse("cases:recommendation", args=[led_case.pk]),
        {"summary": "Changed", "recommendation": "Changed"},
    )

    assert Recommendation.objects.get().summary == "Summary text"


def test_the_report_is_downloadable_by_those_who_see_the_case_only(
    led_case, external_expert, requester, outsider, client_for, monkeypatch
):
    monkeypatch.setattr("concilium.cases.report.render_report_pdf", lambda rec: b"%PDF-1.7 fake")
    _draft(led_case, external_expert)
    _discussed(led_case)
    recommendation_sign(case=led_case, actor=external_expert, credential=PASSWORD)
    url = reverse("cases:recommendation_report", args=[led_case.pk])

    response = client_for(requester).get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(outsider).get(url).status_code == 404
    assert AuditEvent.objects.filter(
        action="recommendation.report_download", actor_id=requester.pk, patient_ref=led_case.patient.pseudonym
    ).exists()


def test_the_draft_is_hidden_from_the_requester_until_signed(
    led_case, external_expert, requester, client_for
):
    _draft(led_case, external_expert, summary="Panel-only draft wording")

    page = client_for(requester).get(reverse("cases:recommendation", args=[led_case.pk])).content.decode()

    assert "Panel-only draft wording" not in page


@needs_weasyprint
def test_the_report_is_written_in_the_requester_language(led_case, external_expert, requester):
    from concilium.cases.report import render_report_html

    requester.language = "fr"
    requester.save()
    _draft(led_case, external_expert)
    _discussed(led_case)
    rec = recommendation_sign(case=led_case, actor=external_expert, credential=PASSWORD)

    html = render_report_html(Recommendation.objects.get(pk=rec.pk))

    assert 'lang="fr"' in html
    assert led_case.reference in html and rec.content_sha256 in html


@needs_weasyprint
def test_the_reports_footer_carries_the_reference_as_css_reads_it(led_case, external_expert):
    """The page footer is CSS `content`: the reference escaped for CSS, never `C\u002d2026...`, which CSS
    would print as "Cu002D2026"."""
    from concilium.cases.report import render_report_html

    _draft(led_case, external_expert)
    _discussed(led_case)
    rec = recommendation_sign(case=led_case, actor=external_expert, credential=PASSWORD)

    html = render_report_html(Recommendation.objects.get(pk=rec.pk))

    footer = next(line for line in html.splitlines() if "@bottom-left" in line)
    assert led_case.reference.replace("-", "\\00002D") in footer
    assert "\\u" not in footer
