"""The second factor: TOTP enrolment with a server-drawn QR code, verification, backup codes, and the rule
that a user who gave only the password reaches nothing else."""

import re
import time
from base64 import b32decode
from binascii import unhexlify

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.audit.models import AuditEvent
from tests.conftest import error_codes
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
TWO_FACTOR = "/accounts/2fa/"
SETUP = "/accounts/2fa/setup/"
SECURITY = "/accounts/security/"
CODE_NOT_VALID = "This code is not valid. Check it and try again."


def code_for(key: bytes, *, offset_steps: int = 0) -> str:
    """The 6-digit code an authenticator app shows for `key` now (or some 30-second steps away)."""
    totp = TOTP(key)
    totp.time = time.time() + offset_steps * 30
    return f"{totp.token():06d}"


def _password_step(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content


def _device(user, **fields) -> TOTPDevice:  # type: ignore[no-untyped-def]
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True, **fields)


def _secret_from_page(html: str) -> bytes:
    secret = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', html).group(1)  # type: ignore[union-attr]
    return b32decode(secret.replace(" ", ""))


# --- Who must give a second factor --------------------------------------------------------------------------


def test_a_coordinator_without_an_authenticator_is_sent_to_enrolment_after_the_password(client, coordinator):
    _password_step(client, coordinator)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == TWO_FACTOR
    assert client.get(TWO_FACTOR)["Location"] == SETUP


@pytest.mark.parametrize("persona", ["coordinator", "helpdesk", "network_admin"])
def test_roles_that_require_2fa_go_to_the_second_factor_step(client, persona, request):
    user = request.getfixturevalue(persona)
    _device(user)
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD, "next": "/directory/"})
    assert response["Location"] == TWO_FACTOR


def test_a_clinician_who_turned_2fa_on_must_give_it_too(client, requester):
    _device(requester)
    _password_step(client, requester)
    assert client.get("/")["Location"] == TWO_FACTOR


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/directory/",
        SECURITY,
        "/accounts/tokens/",
        "/accounts/activations/",
        "/helpdesk/inbox/",
        "/audit/",
        "/accounts/security/logout-everywhere/",
    ],
)
def test_after_only_the_password_nothing_else_is_reachable(client, helpdesk, url):
    _device(helpdesk)
    _password_step(client, helpdesk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == TWO_FACTOR
    assert client.post(url)["Location"] == TWO_FACTOR


def test_after_only_the_password_the_api_answers_401(client, helpdesk):
    _device(helpdesk)
    _password_step(client, helpdesk)
    assert client.get("/api/accounts/me").status_code == 401


def test_after_only_the_password_htmx_requests_get_401_json(client, helpdesk):
    _device(helpdesk)
    _password_step(client, helpdesk)
    response = client.get("/directory/", headers={"HX-Request": "true"})
    assert response.status_code == 401


def test_the_second_factor_page_needs_the_password_first(client, db):
    assert client.get(TWO_FACTOR)["Location"].startswith(LOGIN)
    assert client.get(SETUP)["Location"].startswith(LOGIN)


# --- Verification -------------------------------------------------------------------------------------------


def test_a_valid_code_completes_sign_in_and_follows_next(client, coordinator):
    device = _device(coordinator)
    client.post(LOGIN, {"username": coordinator.email, "password": PASSWORD, "next": "/directory/"})
    response = client.post(TWO_FACTOR, {"code": code_for(device.bin_key)})
    assert response.status_code == 302
    assert response["Location"] == "/directory/"
    assert client.get("/directory/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.2fa_verified", actor_id=coordinator.pk).exists()


def test_giving_the_second_factor_changes_the_session_id(client, coordinator):
    device = _device(coordinator)
    _password_step(client, coordinator)
    before = client.cookies["concilium_session"].value
    client.post(TWO_FACTOR, {"code": code_for(device.bin_key)})
    assert client.cookies["concilium_session"].value != before


def test_a_wrong_code_is_refused_and_audited(client, coordinator):
    device = _device(coordinator)
    _password_step(client, coordinator)
    wrong = "000000" if code_for(device.bin_key) != "000000" else "111111"
    response = client.post(TWO_FACTOR, {"code": wrong})
    assert response.status_code == 400
    # The second factor's refusals carry their message only, without a code.
    assert response.context["form"].errors == {"code": [CODE_NOT_VALID]}
    assert client.get("/")["Location"] == TWO_FACTOR
    event = AuditEvent.objects.get(action="auth.2fa_failed", actor_id=coordinator.pk)
    assert event.detail == {"reason": "invalid_code", "kind": "totp"}


def test_repeated_wrong_codes_are_slowed_down(client, coordinator):
    device = _device(coordinator)
    _password_step(client, coordinator)
    client.post(TWO_FACTOR, {"code": "000001"})
    client.post(TWO_FACTOR, {"code": "000002"})
    # Even the right code waits until the throttle allows another try.
    response = client.post(TWO_FACTOR, {"code": code_for(device.bin_key)})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "code": ["Too many wrong codes. Wait a moment, then try again."]
    }
    assert AuditEvent.objects.filter(action="auth.2fa_failed", detail__reason="throttled").exists()


def test_a_code_cannot_be_used_twice(client, coordinator):
    device = _device(coordinator)
    code = code_for(device.bin_key)
    _password_step(client, coordinator)
    client.post(TWO_FACTOR, {"code": code})
    other = Client()
    _password_step(other, coordinator)
    reused = other.post(TWO_FACTOR, {"code": code})
    assert reused.status_code == 400
    assert reused.context["form"].errors == {"code": [CODE_NOT_VALID]}


def test_a_backup_code_works_once(client, coordinator):
    _device(coordinator)
    backup = StaticDevice.objects.create(user=coordinator, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=backup, token="abcd2345")
    _password_step(client, coordinator)
    assert client.post(TWO_FACTOR, {"code": "ABCD 2345"})["Location"] == "/"
    other = Client()
    _password_step(other, coordinator)
    reused = other.post(TWO_FACTOR, {"code": "abcd2345"})
    assert reused.status_code == 400
    assert reused.context["form"].errors == {"code": [CODE_NOT_VALID]}


# --- Enrolment ----------------------------------------------------------------------------------------------


def test_enrolment_shows_a_server_drawn_svg_qr_code_and_the_key_in_text(client, coordinator):
    _password_step(client, coordinator)
    response = client.get(SETUP)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<svg [^>]*class="qr-code"', html)
    assert "<script" not in html.split("</nav>", 1)[1].split("<footer", 1)[0]
    assert ' style="' not in html
    key = _secret_from_page(html)
    assert len(key) == 20
    assert client.session["totp_enrol_key"] == key.hex()
    # Reloading keeps the same key (nothing is stored until confirmed).
    assert _secret_from_page(client.get(SETUP).content.decode()) == key
    assert not TOTPDevice.objects.filter(user=coordinator).exists()


def test_confirming_enrolment_turns_2fa_on_and_shows_ten_backup_codes_once(client, coordinator):
    client.post(LOGIN, {"username": coordinator.email, "password": PASSWORD, "next": "/directory/"})
    key = _secret_from_page(client.get(SETUP).content.decode())
    response = client.post(SETUP, {"code": code_for(key)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/directory/"' in response.content.decode()
    device = TOTPDevice.objects.get(user=coordinator)
    assert device.confirmed and device.key == key.hex()
    assert set(StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True)) == set(
        codes
    )
    assert client.get("/directory/").status_code == 200  # verified by the enrolment itself
    assert AuditEvent.objects.filter(action="auth.2fa_enrolled", actor_id=coordinator.pk).exists()
    # Next sign-in asks for the code.
    fresh = Client()
    _password_step(fresh, coordinator)
    assert fresh.get("/")["Location"] == TWO_FACTOR
    assert fresh.post(TWO_FACTOR, {"code": codes[0]})["Location"] == "/"


def test_a_wrong_enrolment_code_is_refused_and_nothing_is_stored(client, coordinator):
    _password_step(client, coordinator)
    key = _secret_from_page(client.get(SETUP).content.decode())
    response = client.post(SETUP, {"code": code_for(key, offset_steps=10)})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "code": ["This code does not match. Check the time on your phone and enter the current code."]
    }
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert AuditEvent.objects.get(action="auth.2fa_failed").detail["kind"] == "enrolment"
    malformed = client.post(SETUP, {"code": "12ab56"})
    assert malformed.status_code == 400
    assert error_codes(malformed.context["form"], "code") == ["invalid"]


def test_with_only_the_password_an_existing_authenticator_cannot_be_replaced(client, coordinator):
    _device(coordinator)
    _password_step(client, coordinator)
    assert client.get(SETUP)["Location"] == TWO_FACTOR
    assert client.post(SETUP, {"code": "123456"})["Location"] == TWO_FACTOR
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_a_verified_coordinator_can_replace_the_authenticator_and_the_old_one_stops(coordinator, client_for):
    client = client_for(coordinator)
    old = TOTPDevice.objects.get(user=coordinator)
    html = client.get(SETUP).content.decode()
    assert "Set up a new authenticator" in html
    key = _secret_from_page(html)
    response = client.post(SETUP, {"code": code_for(key)})
    assert response.status_code == 200
    assert 'href="/accounts/security/"' in response.content.decode()
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert TOTPDevice.objects.get(user=coordinator).key == key.hex()
    event = AuditEvent.objects.get(action="auth.2fa_enrolled")
    assert event.detail == {"replaced": True}


def test_a_clinician_turns_2fa_on_from_the_security_page(requester, client_for):
    client = client_for(requester)
    assert "Turn on two-factor authentication" in client.get(SECURITY).content.decode()
    key = _secret_from_page(client.get(SETUP).content.decode())
    client.post(SETUP, {"code": code_for(key)})
    assert TOTPDevice.objects.filter(user=requester, confirmed=True).exists()
    assert client.get("/").status_code == 200  # this session stays verified


def test_a_clinician_turns_2fa_off_with_the_password(requester, client_for):
    client = client_for(requester)
    _device(requester)
    assert client.get("/")["Location"] == TWO_FACTOR  # a device now applies to this unverified session
    client = Client()
    device = TOTPDevice.objects.get(user=requester)
    _password_step(client, requester)
    client.post(TWO_FACTOR, {"code": code_for(device.bin_key)})
    wrong = client.post("/accounts/2fa/disable/", {"password": "not it"})
    assert wrong.status_code == 400
    assert TOTPDevice.objects.filter(user=requester).exists()
    response = client.post("/accounts/2fa/disable/", {"password": PASSWORD})
    assert response["Location"] == SECURITY
    assert not TOTPDevice.objects.filter(user=requester).exists()
    assert not StaticDevice.objects.filter(user=requester).exists()
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.2fa_disabled", actor_id=requester.pk).exists()


def test_a_coordinator_cannot_turn_2fa_off(coordinator, client_for):
    client = client_for(coordinator)
    page = client.get(SECURITY).content.decode()
    assert "Turn two-factor authentication off" not in page
    response = client.post("/accounts/2fa/disable/", {"password": PASSWORD})
    assert response["Location"] == SECURITY
    assert TOTPDevice.objects.filter(user=coordinator).exists()


def test_new_backup_codes_replace_the_old_ones(coordinator, client_for):
    client = client_for(coordinator)
    backup = StaticDevice.objects.create(user=coordinator, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=backup, token="oldcode2")
    response = client.post("/accounts/2fa/backup-codes/")
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10
    assert "oldcode2" not in StaticToken.objects.values_list("token", flat=True)
    assert "Your earlier backup codes no longer work." in response.content.decode()


def test_backup_codes_need_an_authenticator_first(requester, client_for):
    client = client_for(requester)
    response = client.post("/accounts/2fa/backup-codes/")
    assert response["Location"] == SECURITY
    assert not StaticDevice.objects.filter(user=requester).exists()


def test_the_second_factor_pages_of_a_fully_signed_in_user_send_them_on(requester, client_for):
    assert client_for(requester).get(TWO_FACTOR)["Location"] == "/"


def test_codes_are_checked_against_unhexlified_device_keys(coordinator):
    """The helper above computes codes the way an authenticator app does (guards the tests themselves)."""
    device = _device(coordinator)
    assert device.verify_token(code_for(unhexlify(device.key)))


def _device_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(1 for query in queries.captured_queries if "otp_" in query["sql"])


def test_a_page_looks_for_the_users_authenticators_once_however_often_it_asks(
    requester, coordinator, client_for
):
    # The gate and the layout both ask whether the user has given or must give a second factor.
    # Without an authenticator: one lookup per kind of device (authenticator app, backup codes), once.
    assert _device_queries(client_for(requester), "/cases/") == 2
    # Past the second factor: the session's verified device, read once by django-otp, answers both.
    assert _device_queries(client_for(coordinator), "/cases/") == 1
