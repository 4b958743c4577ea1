"""The activation queue: who sees it, activation and rejection, the 24-hour target, query counts."""

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from concilium.accounts.models import AccountStatus, RegistrationRequest, User
from concilium.audit.models import AuditEvent
from concilium.directory.models import Clinician, Language
from concilium.helpdesk.permissions import HelpdeskAction, can
from concilium.helpdesk.selectors import activation_queue_summary, request_age
from concilium.helpdesk.services import (
    RegistrationError,
    registration_activate,
    registration_reject,
)
from concilium.notifications.models import Notification
from tests.conftest import error_codes, verified_client
from tests.factories import PASSWORD, ClinicianFactory, SpecialtyFactory
from tests.helpdesk.registration_support import make_pending_request

pytestmark = pytest.mark.django_db

QUEUE = "/accounts/activations/"
Decision = RegistrationRequest.Decision


@pytest.fixture
def specialty():
    return SpecialtyFactory(name="Paediatric oncology")


@pytest.fixture
def pending(home_hospital, specialty) -> RegistrationRequest:
    languages = list(Language.objects.filter(code__in=["de", "en"]))
    return make_pending_request(
        hospital=home_hospital,
        specialty=specialty,
        languages=languages,
        language="de",
        email="applicant@alpha.example",
        submitted_at=timezone.now() - timedelta(hours=3),
    )


def _detail(registration: RegistrationRequest) -> str:
    return reverse("helpdesk:activation_detail", args=[registration.pk])


def _activate(registration: RegistrationRequest) -> str:
    return reverse("helpdesk:activation_activate", args=[registration.pk])


def _reject(registration: RegistrationRequest) -> str:
    return reverse("helpdesk:activation_reject", args=[registration.pk])


# --- who may see the queue --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["helpdesk", "network_admin"])
def test_staff_see_the_queue_and_a_request(request, client_for, persona, pending):
    client = client_for(request.getfixturevalue(persona))
    queue = client.get(QUEUE)
    assert queue.status_code == 200
    assert pending.user.full_name in queue.content.decode()
    detail = client.get(_detail(pending))
    assert detail.status_code == 200
    assert "To ask an expert group about a patient." in detail.content.decode()


@pytest.mark.parametrize("persona", ["requester", "expert", "coordinator", "data_manager", "outsider"])
def test_other_roles_get_403_on_the_queue_and_404_on_requests(request, client_for, persona, pending):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(QUEUE).status_code == 403
    assert client.get(_detail(pending)).status_code == 404
    assert client.post(_activate(pending)).status_code == 404
    assert client.post(_reject(pending), {"reason": "No."}).status_code == 404
    pending.refresh_from_db()
    assert pending.decision == Decision.PENDING
    assert not Notification.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, pending):
    for url in (QUEUE, _detail(pending)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert client.post(_activate(pending)).status_code == 302
    pending.refresh_from_db()
    assert pending.decision == Decision.PENDING


def test_a_missing_request_is_404_for_the_helpdesk(client_for, helpdesk):
    assert client_for(helpdesk).get(reverse("helpdesk:activation_detail", args=[999999])).status_code == 404


def test_the_permission_map_grants_registration_actions_to_staff_only(
    requester, expert, coordinator, helpdesk, data_manager, network_admin
):
    for user, allowed in [
        (requester, False),
        (expert, False),
        (coordinator, False),
        (data_manager, False),
        (helpdesk, True),
        (network_admin, True),
    ]:
        for action in (HelpdeskAction.REGISTRATION_REVIEW, HelpdeskAction.REGISTRATION_DECIDE):
            assert can(user, action) is allowed
    helpdesk.is_active, helpdesk.status = False, AccountStatus.SUSPENDED
    assert not can(helpdesk, HelpdeskAction.REGISTRATION_REVIEW)


# --- activation ---------------------------------------------------------------------------------------


def test_the_helpdesk_activates_a_request(client_for, helpdesk, pending, home_hospital, specialty):
    client = client_for(helpdesk)

    response = client.post(_activate(pending))

    assert response.status_code == 302
    assert response["Location"] == reverse("helpdesk:activation_queue")
    pending.refresh_from_db()
    applicant = pending.user
    assert pending.decision == Decision.ACTIVATED
    assert pending.decided_by == helpdesk
    assert pending.decided_at is not None
    assert (applicant.status, applicant.is_active) == (AccountStatus.ACTIVE, True)
    clinician = Clinician.objects.get(user=applicant)
    assert (clinician.email, clinician.hospital, clinician.specialty) == (
        applicant.email,
        home_hospital,
        specialty,
    )
    assert set(clinician.languages.values_list("code", flat=True)) == {"de", "en"}
    assert AuditEvent.objects.filter(action="registration.activate", object_id=str(pending.pk)).exists()

    email = Notification.objects.get(recipient=applicant)
    assert (email.kind, email.channel, email.language) == ("account_activated", "email", "de")
    with translation.override("de"):
        assert email.subject == translation.gettext("Your Concilium account is active")
    assert email.link == "/accounts/login/"
    assert "/accounts/login/" in email.body
    # the applicant can now sign in
    assert authenticate(RequestFactory().post("/"), username=applicant.email, password=PASSWORD) == applicant


def test_activation_links_an_existing_directory_entry_with_the_same_address(
    helpdesk, pending, other_hospital
):
    listed = ClinicianFactory(email="Applicant@alpha.example", hospital=other_hospital, full_name="Dr Listed")

    registration_activate(request_obj=pending, actor=helpdesk)

    listed.refresh_from_db()
    assert listed.user == pending.user
    assert listed.hospital == pending.hospital  # the reviewed request is the newer statement
    assert Clinician.objects.count() == 1


def test_activation_is_refused_when_the_directory_entry_belongs_to_another_account(
    helpdesk, pending, requester
):
    ClinicianFactory(email=pending.user.email, user=requester)

    with pytest.raises(RegistrationError) as caught:
        registration_activate(request_obj=pending, actor=helpdesk)

    assert caught.value.code == RegistrationError.CLINICIAN_CONFLICT
    pending.refresh_from_db()
    assert pending.decision == Decision.PENDING
    assert not User.objects.get(pk=pending.user_id).is_active


def test_a_request_cannot_be_activated_twice(client_for, helpdesk, network_admin, pending):
    client = client_for(network_admin)
    registration_activate(request_obj=pending, actor=helpdesk)
    notifications = Notification.objects.count()
    events = AuditEvent.objects.count()

    with pytest.raises(RegistrationError) as caught:
        registration_activate(request_obj=pending, actor=network_admin)
    assert caught.value.code == RegistrationError.ALREADY_DECIDED

    response = client.post(_activate(pending), follow=True)
    assert "already decided" in response.content.decode()
    pending.refresh_from_db()
    assert pending.decided_by == helpdesk
    assert Notification.objects.count() == notifications
    assert AuditEvent.objects.count() == events
    assert Clinician.objects.count() == 1


def test_a_rejected_request_cannot_be_activated(helpdesk, pending):
    registration_reject(request_obj=pending, actor=helpdesk, reason="Not a hospital address.")
    with pytest.raises(RegistrationError) as refused:
        registration_activate(request_obj=pending, actor=helpdesk)
    assert refused.value.code == "already_decided"
    assert not User.objects.get(pk=pending.user_id).is_active


def test_the_service_refuses_an_actor_without_the_permission(requester, pending):
    with pytest.raises(PermissionDenied):
        registration_activate(request_obj=pending, actor=requester)


# --- rejection ----------------------------------------------------------------------------------------


def test_the_helpdesk_rejects_a_request_with_a_reason(client_for, helpdesk, pending):
    reason = "Please register with your hospital email address & try again."

    response = client_for(helpdesk).post(_reject(pending), {"reason": reason})

    assert response.status_code == 302
    pending.refresh_from_db()
    applicant = User.objects.get(pk=pending.user_id)
    assert (pending.decision, pending.decision_reason, pending.decided_by) == (
        Decision.REJECTED,
        reason,
        helpdesk,
    )
    assert (applicant.status, applicant.is_active) == (AccountStatus.REJECTED, False)
    assert not Clinician.objects.exists()
    email = Notification.objects.get(recipient=applicant)
    assert (email.kind, email.channel, email.language) == ("account_rejected", "email", "de")
    assert reason in email.body  # plain text, not HTML-escaped
    assert AuditEvent.objects.filter(action="registration.reject", object_id=str(pending.pk)).exists()
    assert authenticate(RequestFactory().post("/"), username=applicant.email, password=PASSWORD) is None


@pytest.mark.parametrize(
    ("reason", "codes"),
    [
        ("", ["required"]),
        ("   ", ["required"]),
        ("No\x00thanks", ["control_characters"]),
        ("x" * 2001, ["max_length"]),
    ],
)
def test_a_rejection_without_a_valid_reason_changes_nothing(client_for, helpdesk, pending, reason, codes):
    response = client_for(helpdesk).post(_reject(pending), {"reason": reason})

    assert response.status_code == 400
    assert error_codes(response.context["reject_form"], "reason") == codes
    pending.refresh_from_db()
    assert pending.decision == Decision.PENDING
    assert not Notification.objects.exists()


def test_a_decided_request_cannot_be_rejected(helpdesk, pending):
    registration_activate(request_obj=pending, actor=helpdesk)
    with pytest.raises(RegistrationError) as caught:
        registration_reject(request_obj=pending, actor=helpdesk, reason="Too late.")
    assert caught.value.code == RegistrationError.ALREADY_DECIDED
    assert User.objects.get(pk=pending.user_id).is_active


def test_decisions_need_post(client_for, helpdesk, pending):
    client = client_for(helpdesk)
    assert client.get(_activate(pending)).status_code == 405
    assert client.get(_reject(pending)).status_code == 405


def test_decisions_need_a_csrf_token(helpdesk, pending):
    client = verified_client(helpdesk)
    client.handler.enforce_csrf_checks = True
    assert client.post(_activate(pending)).status_code == 403
    pending.refresh_from_db()
    assert pending.decision == Decision.PENDING


# --- the 24-hour target -------------------------------------------------------------------------------


def test_age_is_measured_against_the_24_hour_target():
    now = timezone.now()
    fresh = request_age(now - timedelta(hours=6), until=now)
    assert (fresh.percent, fresh.overdue, fresh.due_soon) == (25, False, False)
    assert fresh.remaining == timedelta(hours=18)

    soon = request_age(now - timedelta(hours=20), until=now)
    assert (soon.overdue, soon.due_soon) == (False, True)

    late = request_age(now - timedelta(hours=30), until=now)
    assert (late.percent, late.overdue, late.remaining, late.overdue_by) == (
        100,
        True,
        timedelta(0),
        timedelta(hours=6),
    )

    future = request_age(now + timedelta(minutes=5), until=now)  # clock skew never gives a negative age
    assert (future.percent, future.elapsed) == (0, timedelta(0))


def test_the_queue_lists_pending_requests_oldest_first_and_flags_overdue_ones(
    client_for, helpdesk, home_hospital, specialty
):
    now = timezone.now()
    recent = make_pending_request(
        hospital=home_hospital, specialty=specialty, submitted_at=now - timedelta(hours=2)
    )
    overdue = make_pending_request(
        hospital=home_hospital, specialty=specialty, submitted_at=now - timedelta(hours=30)
    )
    decided = make_pending_request(
        hospital=home_hospital, specialty=specialty, submitted_at=now - timedelta(hours=50)
    )
    registration_activate(request_obj=decided, actor=helpdesk)

    response = client_for(helpdesk).get(QUEUE)

    rows = response.context["rows"]
    assert [row["request"].pk for row in rows] == [overdue.pk, recent.pk]
    assert [row["age"].overdue for row in rows] == [True, False]
    html = response.content.decode()
    assert html.count("row-overdue") == 1
    assert "Overdue" in html


def test_the_history_filter_shows_decided_requests(client_for, helpdesk, home_hospital, specialty):
    activated = make_pending_request(hospital=home_hospital, specialty=specialty)
    rejected = make_pending_request(hospital=home_hospital, specialty=specialty)
    make_pending_request(hospital=home_hospital, specialty=specialty)
    registration_activate(request_obj=activated, actor=helpdesk)
    registration_reject(request_obj=rejected, actor=helpdesk, reason="Duplicate of an older account.")
    client = client_for(helpdesk)

    assert [r["request"].pk for r in client.get(QUEUE, {"decision": "activated"}).context["rows"]] == [
        activated.pk
    ]
    page = client.get(QUEUE, {"decision": "rejected"})
    assert [r["request"].pk for r in page.context["rows"]] == [rejected.pk]
    assert {tab["decision"]: tab["count"] for tab in page.context["tabs"]} == {
        "pending": 1,
        "activated": 1,
        "rejected": 1,
    }
    assert client.get(QUEUE, {"decision": "bogus\x00"}).status_code == 200  # falls back to pending


def test_the_queue_paginates(client_for, helpdesk, home_hospital, specialty):
    for _ in range(27):
        make_pending_request(hospital=home_hospital, specialty=specialty)
    client = client_for(helpdesk)
    assert len(client.get(QUEUE).context["rows"]) == 25
    assert len(client.get(QUEUE, {"page": 2}).context["rows"]) == 2


def test_the_dashboard_summary_counts_pending_and_overdue_requests(helpdesk, home_hospital, specialty):
    now = timezone.now()
    for hours in (1, 5, 26, 40):
        make_pending_request(
            hospital=home_hospital, specialty=specialty, submitted_at=now - timedelta(hours=hours)
        )
    decided = make_pending_request(
        hospital=home_hospital, specialty=specialty, submitted_at=now - timedelta(hours=99)
    )
    registration_activate(request_obj=decided, actor=helpdesk)

    summary = activation_queue_summary(limit=3, now=now)

    assert (summary["pending"], summary["overdue"]) == (4, 2)
    assert summary["oldest_age"].elapsed == timedelta(hours=40)
    assert [row["age"].elapsed for row in summary["oldest"]] == [timedelta(hours=h) for h in (40, 26, 5)]


def test_the_dashboard_summary_of_an_empty_queue(db):
    summary = activation_queue_summary()
    assert (summary["pending"], summary["overdue"], summary["oldest_age"], summary["oldest"]) == (
        0,
        0,
        None,
        [],
    )


def test_the_dashboard_shows_the_activation_card_to_the_helpdesk(client_for, helpdesk, pending):
    html = client_for(helpdesk).get(reverse("home:dashboard")).content.decode()
    assert "Pending activations" in html
    assert _detail(pending) in html


# --- constant queries ---------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_queue_page_uses_the_same_number_of_queries_for_5_or_30_requests(
    client_for, helpdesk, home_hospital, specialty
):
    languages = list(Language.objects.filter(code__in=["de", "en", "fr"]))
    client = client_for(helpdesk)

    def add(count: int) -> None:
        for _ in range(count):
            make_pending_request(hospital=home_hospital, specialty=specialty, languages=languages)

    add(5)
    client.get(QUEUE)  # warm the session
    few = _queries(client, QUEUE)
    add(25)
    many = _queries(client, QUEUE)
    assert few == many


def test_the_summary_and_detail_use_a_constant_number_of_queries(
    client_for, helpdesk, home_hospital, specialty
):
    for _ in range(5):
        make_pending_request(hospital=home_hospital, specialty=specialty)
    with CaptureQueriesContext(connection) as few:
        activation_queue_summary()
    for _ in range(25):
        make_pending_request(hospital=home_hospital, specialty=specialty)
    with CaptureQueriesContext(connection) as many:
        activation_queue_summary()
    assert len(few) == len(many) == 2


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_activations_decide_once(home_hospital, specialty, helpdesk, network_admin):
    """The row lock makes the second decision wait, then see the first and refuse."""
    import threading

    from django.db import connections

    registration = make_pending_request(hospital=home_hospital, specialty=specialty)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(actor: User) -> None:
        try:
            barrier.wait(timeout=10)
            registration_activate(request_obj=registration, actor=actor)
            outcomes.append("activated")
        except RegistrationError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(actor,)) for actor in (helpdesk, network_admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["activated", RegistrationError.ALREADY_DECIDED]
    assert Clinician.objects.filter(user=registration.user).count() == 1
    assert Notification.objects.filter(recipient=registration.user, kind="account_activated").count() == 1
    assert AuditEvent.objects.filter(action="registration.activate").count() == 1
