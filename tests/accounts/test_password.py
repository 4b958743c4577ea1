"""Changing the password (other sessions end, this one stays) and resetting it by email through the outbox."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from concilium.accounts.models import AccountStatus
from concilium.audit.models import AuditEvent
from concilium.notifications.models import Notification
from concilium.notifications.services import notification_deliver
from tests.conftest import error_codes
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
CHANGE = "/accounts/security/password/"
RESET = "/accounts/password-reset/"
NEW_PASSWORD = "a brand new passphrase 2024"


def _signed_in(user, password: str = PASSWORD) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.post(LOGIN, {"username": user.email, "password": password}).status_code == 302
    return client


def _change(client: Client, old: str = PASSWORD, new: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


# --- Changing the password ----------------------------------------------------------------------------------


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(requester):
    laptop, phone = _signed_in(requester), _signed_in(requester)
    before = laptop.cookies["concilium_session"].value
    response = _change(laptop)
    assert response["Location"] == "/accounts/security/"
    assert laptop.get("/").status_code == 200
    assert laptop.cookies["concilium_session"].value != before  # and it got a new id
    assert phone.get("/").status_code == 302
    requester.refresh_from_db()
    assert requester.check_password(NEW_PASSWORD)
    assert _signed_in(requester, NEW_PASSWORD).get("/").status_code == 200


def test_a_password_change_is_audited_and_emailed_without_the_password(requester):
    _change(_signed_in(requester))
    event = AuditEvent.objects.get(action="auth.password_changed")
    assert event.actor_id == requester.pk
    assert event.detail == {"via": "settings"}
    notice = Notification.objects.get(kind="password_changed")
    assert notice.channel == Notification.Channel.EMAIL
    assert NEW_PASSWORD not in notice.body and PASSWORD not in notice.body
    assert "every other session" in notice.body


def test_a_wrong_current_password_is_a_form_error_and_changes_nothing(requester):
    client = _signed_in(requester)
    response = _change(client, old="not my password")
    assert response.status_code == 400
    assert error_codes(response.context["password_form"], "old_password") == ["password_incorrect"]
    requester.refresh_from_db()
    assert requester.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="auth.password_changed").exists()


@pytest.mark.parametrize(
    ("new", "codes"),
    [
        ("short", ["password_too_short"]),
        ("1234567890123", ["password_too_common", "password_entirely_numeric"]),
        ("password12345", ["password_too_common"]),
    ],
)
def test_a_weak_new_password_is_refused(requester, new, codes):
    response = _change(_signed_in(requester), new=new)
    assert response.status_code == 400
    assert error_codes(response.context["password_form"], "new_password2") == codes


def test_changing_the_password_needs_a_full_sign_in_and_post(requester, client):
    assert _change(client)["Location"].startswith(LOGIN)
    assert _signed_in(requester).get(CHANGE).status_code == 405


# --- Resetting it by email ----------------------------------------------------------------------------------


def _delivered_reset_link() -> str:
    notice = Notification.objects.get(kind="password_reset")
    assert notice.channel == Notification.Channel.EMAIL
    assert notification_deliver(notification_id=notice.pk) == "sent"
    body = mail.outbox[-1].body
    return urlsplit(re.search(r"https?://\S+/accounts/password-reset/\S+/", body).group(0)).path  # type: ignore[union-attr]


def test_a_reset_link_is_sent_through_the_outbox_and_sets_a_new_password(client, requester):
    other_browser = _signed_in(requester)
    response = client.post(RESET, {"email": requester.email.upper()})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []  # nothing straight to SMTP: the outbox delivers it
    assert not Notification.objects.filter(channel=Notification.Channel.IN_APP).exists()
    link = _delivered_reset_link()
    assert mail.outbox[0].to == [requester.email]
    page = client.get(link, follow=True)
    assert page.status_code == 200
    assert page.context["validlink"]
    form_url = page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/accounts/password-reset/done/"
    requester.refresh_from_db()
    assert requester.check_password(NEW_PASSWORD)
    assert other_browser.get("/").status_code == 302  # every session of the account ended
    assert client.get(link, follow=True).context["validlink"] is False  # the link works once
    assert AuditEvent.objects.get(action="auth.password_changed").detail == {"via": "reset"}
    assert AuditEvent.objects.filter(action="auth.password_reset_requested", actor_id=requester.pk).exists()


def test_the_reset_page_reads_the_same_for_unknown_and_known_addresses(client, requester):
    known = client.post(RESET, {"email": requester.email})
    unknown = client.post(RESET, {"email": "nobody@nowhere.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert Notification.objects.filter(kind="password_reset").count() == 1
    refused = AuditEvent.objects.get(action="auth.password_reset_requested", actor_id__isnull=True)
    assert "nobody" not in str(refused.detail)


def test_no_reset_email_for_an_account_that_is_not_active(client, db):
    UserFactory(email="pending@alpha.example", status=AccountStatus.PENDING, is_active=False)
    client.post(RESET, {"email": "pending@alpha.example"})
    assert not Notification.objects.filter(kind="password_reset").exists()


def test_a_second_reset_request_within_minutes_sends_nothing_more(client, requester):
    client.post(RESET, {"email": requester.email})
    client.post(RESET, {"email": requester.email})
    assert Notification.objects.filter(kind="password_reset").count() == 1
    assert AuditEvent.objects.filter(action="auth.password_reset_requested", outcome="denied").count() == 1


def test_a_tampered_reset_link_is_refused(client, requester):
    client.post(RESET, {"email": requester.email})
    link = _delivered_reset_link()
    tampered = link.rstrip("/")[:-3] + "zzz/"
    assert client.get(tampered, follow=True).context["validlink"] is False


def test_the_reset_email_is_in_the_recipients_language(client, db):
    UserFactory(email="marie@alpha.example", language="fr")
    client.post(RESET, {"email": "marie@alpha.example"})
    notice = Notification.objects.get(kind="password_reset")
    assert notice.language == "fr"


def test_a_malformed_reset_address_is_a_form_error(client, db):
    response = client.post(RESET, {"email": "not an address\x00"})
    assert response.status_code == 400
    assert error_codes(response.context["form"], "email") == ["invalid", "control_characters"]
    assert not Notification.objects.exists()


def test_mismatched_new_passwords_through_a_reset_link_are_a_form_error(client, requester):
    client.post(RESET, {"email": requester.email})
    page = client.get(_delivered_reset_link(), follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": "other"}
    )
    assert response.status_code == 400
    assert error_codes(response.context["form"], "new_password2") == ["password_mismatch"]
    requester.refresh_from_db()
    assert requester.check_password(PASSWORD)


def test_the_reset_pages_are_public(client, db):
    for url in (RESET, "/accounts/password-reset/sent/", "/accounts/password-reset/done/"):
        assert client.get(url).status_code == 200
