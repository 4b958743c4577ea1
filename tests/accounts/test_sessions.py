"""Session limits (idle and absolute), signing out everywhere, and the security page's sign-in history."""

import time

import pytest
from django.conf import settings
from django.test import Client, override_settings

from concilium.audit.models import AuditEvent
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
SECURITY = "/accounts/security/"


def _signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    """A browser that signed in through the login form (no second factor applies to `user`)."""
    client = Client()
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _age_session(client: Client, **seconds_ago: float) -> None:
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


# --- Idle and absolute limits -------------------------------------------------------------------------------


def test_a_session_idle_for_longer_than_the_limit_ends(requester):
    client = _signed_in(requester)
    _age_session(client, last_seen=settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.get("/directory/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "Your session ended after inactivity" in page.content.decode()
    # The notice is shown once.
    assert "Your session ended" not in client.get(LOGIN).content.decode()


def test_a_session_older_than_the_absolute_limit_ends_even_when_busy(requester):
    client = _signed_in(requester)
    _age_session(client, started_at=settings.SESSION_ABSOLUTE_TIMEOUT + 5, last_seen=1)
    response = client.get("/")
    assert response["Location"].startswith(LOGIN)
    page = client.get(LOGIN)
    assert "sessions last at most" in page.content.decode()


def test_a_session_within_both_limits_goes_on_and_its_last_use_moves(requester):
    client = _signed_in(requester)
    _age_session(
        client, last_seen=settings.SESSION_IDLE_TIMEOUT - 60, started_at=settings.SESSION_IDLE_TIMEOUT
    )
    before = client.session["last_seen"]
    assert client.get("/").status_code == 200
    assert client.session["last_seen"] > before


@override_settings(SESSION_IDLE_TIMEOUT=60)
def test_the_idle_limit_comes_from_the_settings(requester):
    client = _signed_in(requester)
    _age_session(client, last_seen=61)
    assert client.get("/")["Location"].startswith(LOGIN)


def test_an_ended_session_is_audited_with_its_reason(requester):
    client = _signed_in(requester)
    _age_session(client, last_seen=settings.SESSION_IDLE_TIMEOUT + 5)
    client.get("/")
    event = AuditEvent.objects.filter(action="auth.logout", actor_id=requester.pk).get()
    assert event.detail == {"reason": "idle"}


def test_a_half_signed_in_session_is_limited_too(client, coordinator):
    client.post(LOGIN, {"username": coordinator.email, "password": PASSWORD})
    _age_session(client, last_seen=settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.get("/accounts/2fa/setup/")
    assert response["Location"].startswith(LOGIN)


# --- Signing out everywhere ---------------------------------------------------------------------------------


def test_signing_out_everywhere_ends_every_session_including_this_one(requester):
    laptop, phone = _signed_in(requester), _signed_in(requester)
    assert laptop.get("/").status_code == phone.get("/").status_code == 200
    response = laptop.post("/accounts/security/logout-everywhere/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/logged-out/"
    assert "signed out on every device" in response.content.decode()
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302
    # Signing in again works, with a fresh session.
    assert _signed_in(requester).get("/").status_code == 200


def test_signing_out_everywhere_is_audited(requester):
    client = _signed_in(requester)
    client.post("/accounts/security/logout-everywhere/")
    assert AuditEvent.objects.filter(action="auth.logout_everywhere", actor_id=requester.pk).exists()
    assert AuditEvent.objects.get(action="auth.logout").detail == {"reason": "logout_everywhere"}


def test_signing_out_everywhere_needs_post_and_a_full_sign_in(requester, client):
    assert client.post("/accounts/security/logout-everywhere/")["Location"].startswith(LOGIN)
    signed_in = _signed_in(requester)
    assert signed_in.get("/accounts/security/logout-everywhere/").status_code == 405


def test_signing_out_everywhere_also_ends_api_access_through_the_session(requester):
    laptop, phone = _signed_in(requester), _signed_in(requester)
    phone.post("/accounts/security/logout-everywhere/")
    assert laptop.get("/api/accounts/me").status_code == 401


# --- Security page ------------------------------------------------------------------------------------------


def test_the_security_page_lists_the_users_own_recent_sign_ins_only(requester, expert):
    _signed_in(expert)
    client = _signed_in(requester)
    Client().post(LOGIN, {"username": requester.email, "password": "a wrong one"})
    response = client.get(SECURITY)
    assert response.status_code == 200
    rows = response.context["history"]
    assert [row["event"].action for row in rows] == ["auth.login_failed", "auth.login"]
    assert all(row["event"].actor_id == requester.pk for row in rows)
    html = response.content.decode()
    assert "Sign-in refused" in html and "Signed in" in html


def test_the_security_page_needs_a_signed_in_user(client, db):
    assert client.get(SECURITY)["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    "persona", ["requester", "expert", "coordinator", "helpdesk", "data_manager", "network_admin"]
)
def test_every_role_has_a_security_page(persona, request, client_for):
    assert client_for(request.getfixturevalue(persona)).get(SECURITY).status_code == 200


def test_the_security_page_uses_a_constant_number_of_queries(
    requester, client_for, django_assert_max_num_queries
):
    client = client_for(requester)
    client.get(SECURITY)
    for _ in range(10):
        Client().post(LOGIN, {"username": requester.email, "password": "wrong"})
    with django_assert_max_num_queries(12):
        assert client.get(SECURITY).status_code == 200
