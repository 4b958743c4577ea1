"""Signing in with email and password, lockout, safe redirects, signing out, and their audit events."""

import json

import pytest
from django.conf import settings
from django.test import Client

from concilium.accounts.models import AccountStatus
from concilium.audit.models import AuditEvent
from tests.conftest import error_codes
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
SESSION_COOKIE = settings.SESSION_COOKIE_NAME


def _post_login(client: Client, email: str, password: str = PASSWORD, next_url: str | None = None):  # type: ignore[no-untyped-def]
    data = {"username": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(LOGIN, data)


def test_the_login_page_asks_for_email_and_password(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body
    assert 'type="email"' in body
    assert ">Email" in body
    assert 'name="password"' in body
    assert "Forgot your password?" in body


def test_a_clinician_signs_in_and_lands_on_the_dashboard(client, requester):
    response = _post_login(client, requester.email)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert int(client.session["_auth_user_id"]) == requester.pk


def test_the_email_is_matched_without_regard_to_case(client, requester):
    response = _post_login(client, requester.email.upper())
    assert response.status_code == 302


def test_signing_in_gives_a_new_session_id(client, requester):
    client.get(LOGIN)
    session = client.session
    session["anonymous_marker"] = "set before sign-in"
    session.save()
    before = client.cookies[SESSION_COOKIE].value
    _post_login(client, requester.email)
    after = client.cookies[SESSION_COOKIE].value
    assert after != before
    assert client.session.get("anonymous_marker") == "set before sign-in"  # cycled, not flushed


def test_signing_in_records_when_the_session_started(client, requester):
    _post_login(client, requester.email)
    assert client.session["started_at"] > 0
    assert client.session["last_seen"] >= client.session["started_at"]


def test_a_wrong_password_gets_a_message_that_does_not_say_whether_the_account_exists(client, requester):
    wrong = _post_login(client, requester.email, "not the password")
    unknown = _post_login(client, "nobody@nowhere.example", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    message = "The email address or the password is not correct."
    # The sign-in refusals carry their message only, without a code.
    assert wrong.context["form"].non_field_errors() == [message]
    assert unknown.context["form"].non_field_errors() == [message]
    assert "_auth_user_id" not in client.session


def test_a_pending_account_with_the_right_password_is_told_it_awaits_activation(client, db):
    UserFactory(email="new@alpha.example", status=AccountStatus.PENDING, is_active=False)
    response = _post_login(client, "new@alpha.example")
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Your account is awaiting activation by the helpdesk. We will email you once it is active."
    ]
    assert "_auth_user_id" not in client.session


def test_a_pending_account_with_a_wrong_password_gets_the_generic_message(client, db):
    UserFactory(email="new@alpha.example", status=AccountStatus.PENDING, is_active=False)
    response = _post_login(client, "new@alpha.example", "a wrong guess")
    body = response.content.decode()
    assert "awaiting activation" not in body
    assert response.context["form"].non_field_errors() == [
        "The email address or the password is not correct."
    ]


@pytest.mark.parametrize("status", [AccountStatus.REJECTED, AccountStatus.SUSPENDED])
def test_a_rejected_or_suspended_account_is_told_it_is_not_activated(client, db, status):
    UserFactory(email="closed@alpha.example", status=status, is_active=False)
    response = _post_login(client, "closed@alpha.example")
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        f"Your account is not activated. Contact the helpdesk at {settings.HELPDESK_EMAIL}."
    ]
    assert "_auth_user_id" not in client.session


def test_an_empty_or_malformed_form_is_a_form_error(client, db):
    response = client.post(LOGIN, {"username": "not-an-address\x00", "password": ""})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"username", "password"}
    assert error_codes(response.context["form"], "username") == ["invalid", "control_characters"]
    assert error_codes(response.context["form"], "password") == ["required"]


def test_after_the_failure_limit_the_lockout_page_says_when_to_try_again(client, requester):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _post_login(client, requester.email, "wrong").status_code == 400
    locked = _post_login(client, requester.email, "wrong")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Too many failed sign-ins" in body
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Try again in {minutes} minutes" in body
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    # Even the right password is refused while locked out.
    again = _post_login(client, requester.email)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_audited_as_denied(client, requester):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, requester.email, "wrong")
    events = AuditEvent.objects.filter(action="auth.login_failed", actor_id=requester.pk).order_by("at", "id")
    assert events.count() == settings.AXES_FAILURE_LIMIT
    assert events.last().detail == {"method": "password", "reason": "locked_out"}
    assert events.last().outcome == "denied"


def test_a_safe_next_is_followed_after_signing_in(client, requester):
    response = _post_login(client, requester.email, next_url="/directory/?q=onco&country=FR")
    assert response["Location"] == "/directory/?q=onco&country=FR"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/path", "http://testserver.evil.example/", "javascript:x"],
)
def test_an_unsafe_next_is_ignored(client, requester, next_url):
    response = _post_login(client, requester.email, next_url=next_url)
    assert response["Location"] == "/"


def test_a_private_page_sends_to_the_login_page_with_the_full_path_as_next(client, db):
    response = client.get("/directory/?q=onco&country=FR")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/directory/%3Fq%3Donco%26country%3DFR"
    page = client.get(response["Location"])
    assert page.context["next"] == "/directory/?q=onco&country=FR"


def test_a_signed_in_user_opening_the_login_page_goes_to_the_dashboard(requester, client_for):
    response = client_for(requester).get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout_is_post_only(requester, client_for):
    client = client_for(requester)
    assert client.get(LOGOUT).status_code == 405
    assert client.get("/").status_code == 200


def test_logout_ends_the_session_and_shows_the_logged_out_page(requester, client_for):
    client = client_for(requester)
    response = client.post(LOGOUT, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/logged-out/"
    assert "You have signed out" in response.content.decode()
    assert client.get("/").status_code == 302


def test_logout_without_a_session_is_harmless(client, db):
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/logged-out/"


def test_the_logged_out_page_is_public(client, db):
    assert client.get("/accounts/logged-out/").status_code == 200


def test_signing_in_and_out_is_audited_without_the_address_or_password(client, requester):
    _post_login(client, requester.email, "the wrong one")
    _post_login(client, requester.email)
    client.post(LOGOUT)
    actions = list(
        AuditEvent.objects.filter(actor_id=requester.pk, action__startswith="auth.")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["auth.login_failed", "auth.login", "auth.logout"]
    for event in AuditEvent.objects.filter(actor_id=requester.pk):
        detail = json.dumps(event.detail)
        assert requester.email not in detail
        assert PASSWORD not in detail and "the wrong one" not in detail
        assert event.source_ip == "127.0.0.1"
    assert AuditEvent.objects.get(action="auth.login").detail == {
        "method": "password",
        "second_factor": "not_required",
    }
    assert AuditEvent.objects.get(action="auth.logout").detail == {"reason": "user"}


def test_a_failed_sign_in_for_an_unknown_address_is_audited_without_an_actor(client, db):
    _post_login(client, "stranger@nowhere.example", "guess")
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor_id is None
    assert event.actor_label == ""
    assert "stranger" not in json.dumps(event.detail)


def test_a_locked_account_does_not_lock_its_colleagues_behind_the_same_address(client, requester, expert):
    """Five wrong passwords lock that account only: a hospital signs in from one address (NAT, proxy)."""
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, requester.email, "wrong")
    assert _post_login(client, requester.email).status_code == 429
    colleague = Client()
    response = _post_login(colleague, expert.email)
    assert response.status_code == 302
    assert colleague.session["_auth_user_id"] == str(expert.pk)


def test_an_address_spraying_passwords_over_many_accounts_is_stopped_at_its_own_ceiling(settings, db):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="203.0.113.9")
    accounts = [UserFactory() for _ in range(4)]
    for account in accounts[:3]:  # one wrong password each: no account reaches its own limit
        assert _post_login(client, account.email, "Winter2026!").status_code == 400
    sprayed = _post_login(client, accounts[3].email)  # even the right password, from this address
    assert sprayed.status_code == 429
    assert "_auth_user_id" not in client.session
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    assert _post_login(elsewhere, accounts[3].email).status_code == 302
