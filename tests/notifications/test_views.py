"""The outbox page (helpdesk and network admins) and the in-app inbox (everyone, their own notices only)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concilium.audit.models import AuditEvent
from concilium.notifications.models import Notification
from concilium.notifications.services import notification_enqueue
from tests.factories import UserFactory

Status = Notification.Status
Channel = Notification.Channel
OUTBOX = reverse("notifications:outbox")
INBOX = reverse("notifications:inbox")
EVERY_PERSONA = [
    "requester",
    "outsider",
    "expert",
    "coordinator",
    "helpdesk",
    "data_manager",
    "network_admin",
]
OUTBOX_STAFF = {"helpdesk", "network_admin"}


def _emails(recipient, count: int = 1, **changes) -> list[Notification]:  # type: ignore[no-untyped-def]
    emails = [
        notification_enqueue(
            app="notifications", recipient=recipient, kind="outbox_test", channels=(Channel.EMAIL,)
        )[0]
        for _ in range(count)
    ]
    if changes:
        Notification.objects.filter(pk__in=[e.pk for e in emails]).update(**changes)
    return emails


def _notice(recipient, **changes) -> Notification:  # type: ignore[no-untyped-def]
    (notice,) = notification_enqueue(
        app="notifications",
        recipient=recipient,
        kind="outbox_test",
        link="/helpdesk/inbox/",
        channels=(Channel.IN_APP,),
    )
    if changes:
        Notification.objects.filter(pk=notice.pk).update(**changes)
        notice.refresh_from_db()
    return notice


# --- Outbox -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EVERY_PERSONA)
def test_only_helpdesk_and_network_admins_open_the_outbox(persona: str, request, client_for) -> None:
    user = request.getfixturevalue(persona)
    response = client_for(user).get(OUTBOX)
    assert response.status_code == (200 if persona in OUTBOX_STAFF else 403)


@pytest.mark.parametrize("persona", EVERY_PERSONA)
def test_only_helpdesk_and_network_admins_retry_a_failed_message(
    persona: str, request, client_for, requester
) -> None:
    user = request.getfixturevalue(persona)
    (email,) = _emails(requester, status=Status.FAILED, attempts=8)
    response = client_for(user).post(reverse("notifications:outbox_retry", args=[email.pk]))
    email.refresh_from_db()
    if persona in OUTBOX_STAFF:
        assert response.status_code == 302
        assert email.status == Status.PENDING
    else:
        assert response.status_code == 403
        assert email.status == Status.FAILED


@pytest.mark.parametrize("persona", EVERY_PERSONA)
def test_only_helpdesk_and_network_admins_send_a_test_email(persona: str, request, client_for) -> None:
    user = request.getfixturevalue(persona)
    response = client_for(user).post(reverse("notifications:outbox_send_test"))
    sent = Notification.objects.filter(recipient=user, kind="outbox_test", channel=Channel.EMAIL)
    assert response.status_code == (302 if persona in OUTBOX_STAFF else 403)
    assert sent.count() == (1 if persona in OUTBOX_STAFF else 0)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db) -> None:
    for url in (OUTBOX, INBOX):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_outbox_counts_messages_by_status_and_lists_them(client_for, helpdesk, requester) -> None:
    _emails(requester, 2)
    _emails(requester, 1, status=Status.SENT, attempts=1)
    _emails(requester, 3, status=Status.FAILED, attempts=8, last_error="SMTPServerDisconnected")
    _notice(requester)  # in-app notices are not part of the outbox
    response = client_for(helpdesk).get(OUTBOX)
    cards = {card["status"]: card["count"] for card in response.context["cards"]}
    assert cards == {"pending": 2, "sending": 0, "sent": 1, "failed": 3}
    assert len(response.context["page_obj"].object_list) == 6
    page = response.content.decode()
    assert "requester@alpha.example" in page
    assert "SMTPServerDisconnected" in page
    assert page.count("Retry now") == 3


def test_the_outbox_filters_by_status(client_for, helpdesk, requester) -> None:
    _emails(requester, 2)
    (failed,) = _emails(requester, 1, status=Status.FAILED, attempts=8)
    response = client_for(helpdesk).get(OUTBOX, {"status": "failed"})
    assert [n.pk for n in response.context["page_obj"].object_list] == [failed.pk]
    assert response.context["status"] == "failed"
    unknown = client_for(helpdesk).get(OUTBOX, {"status": "<script>"})
    assert unknown.status_code == 200
    assert len(unknown.context["page_obj"].object_list) == 3


def test_the_outbox_paginates(client_for, helpdesk, requester) -> None:
    _emails(requester, 30)
    client = client_for(helpdesk)
    first = client.get(OUTBOX)
    assert len(first.context["page_obj"].object_list) == 25
    second = client.get(OUTBOX, {"page": 2})
    assert len(second.context["page_obj"].object_list) == 5


def test_the_outbox_page_runs_the_same_number_of_queries_however_many_messages(
    client_for, helpdesk, requester, other_hospital
) -> None:
    client = client_for(helpdesk)
    _emails(requester, 2)
    client.get(OUTBOX)
    with CaptureQueriesContext(connection) as few:
        client.get(OUTBOX)
    for n in range(10):
        _emails(UserFactory(email=f"many{n}@beta.example", hospital=other_hospital), 2)
    with CaptureQueriesContext(connection) as many:
        client.get(OUTBOX)
    assert len(many) == len(few)


def test_retrying_a_message_that_has_not_failed_changes_nothing(client_for, helpdesk, requester) -> None:
    (email,) = _emails(requester, status=Status.SENT, attempts=1)
    response = client_for(helpdesk).post(reverse("notifications:outbox_retry", args=[email.pk]), follow=True)
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert "Only a failed message can be sent again." in response.content.decode()
    assert not AuditEvent.objects.filter(action="notification.retry").exists()


def test_retrying_a_message_is_audited_and_keeps_the_filter(client_for, helpdesk, requester) -> None:
    (email,) = _emails(requester, status=Status.FAILED, attempts=8)
    response = client_for(helpdesk).post(
        reverse("notifications:outbox_retry", args=[email.pk]), {"status": "failed"}
    )
    assert response["Location"] == f"{OUTBOX}?status=failed"
    assert AuditEvent.objects.filter(action="notification.retry", actor_id=helpdesk.pk).count() == 1


def test_retrying_an_in_app_notice_or_a_missing_message_is_404(client_for, helpdesk, requester) -> None:
    notice = _notice(requester, status=Status.FAILED)
    client = client_for(helpdesk)
    assert client.post(reverse("notifications:outbox_retry", args=[notice.pk])).status_code == 404
    assert client.post(reverse("notifications:outbox_retry", args=[999_999])).status_code == 404


def test_retry_and_send_test_refuse_get(client_for, helpdesk, requester) -> None:
    (email,) = _emails(requester, status=Status.FAILED)
    client = client_for(helpdesk)
    assert client.get(reverse("notifications:outbox_retry", args=[email.pk])).status_code == 405
    assert client.get(reverse("notifications:outbox_send_test")).status_code == 405


# --- Inbox ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EVERY_PERSONA)
def test_every_user_sees_their_own_notifications_and_nobody_elses(
    persona: str, request, client_for, outsider
) -> None:
    user = request.getfixturevalue(persona)
    mine = _notice(user)
    theirs = _notice(outsider if user != outsider else UserFactory())
    response = client_for(user).get(INBOX)
    assert response.status_code == 200
    listed = [n.pk for n in response.context["page_obj"].object_list]
    assert listed == [mine.pk]
    assert theirs.pk not in listed


def test_unread_notifications_come_first(client_for, requester) -> None:
    old_unread = _notice(requester, created_at=timezone.now() - timedelta(days=3))
    new_read = _notice(requester, read_at=timezone.now())
    new_unread = _notice(requester)
    response = client_for(requester).get(INBOX)
    assert [n.pk for n in response.context["page_obj"].object_list] == [
        new_unread.pk,
        old_unread.pk,
        new_read.pk,
    ]


def test_marking_a_notification_read(client_for, requester) -> None:
    notice = _notice(requester)
    response = client_for(requester).post(reverse("notifications:inbox_mark_read", args=[notice.pk]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_marking_read_with_htmx_returns_the_row_and_the_new_unread_count(client_for, requester) -> None:
    first, _second = _notice(requester), _notice(requester)
    response = client_for(requester).post(
        reverse("notifications:inbox_mark_read", args=[first.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="notification-{first.pk}"' in page
    assert "Mark read" not in page
    assert 'id="inbox-badge" hx-swap-oob="true"' in page
    assert ">1<span" in page.replace("\n", "")


def test_a_user_cannot_mark_someone_elses_notification_read(client_for, requester, outsider) -> None:
    theirs = _notice(outsider)
    response = client_for(requester).post(reverse("notifications:inbox_mark_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_email_is_not_an_inbox_item(client_for, requester) -> None:
    (email,) = _emails(requester)
    response = client_for(requester).post(reverse("notifications:inbox_mark_read", args=[email.pk]))
    assert response.status_code == 404


def test_mark_all_read_touches_only_the_users_own(client_for, requester, outsider) -> None:
    mine = [_notice(requester), _notice(requester)]
    theirs = _notice(outsider)
    response = client_for(requester).post(reverse("notifications:inbox_mark_all_read"))
    assert response.status_code == 302
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_read_refuses_get(client_for, requester) -> None:
    notice = _notice(requester)
    assert (
        client_for(requester).get(reverse("notifications:inbox_mark_read", args=[notice.pk])).status_code
        == 405
    )


def test_the_navigation_shows_the_unread_count(client_for, requester, outsider) -> None:
    _notice(requester), _notice(requester), _notice(outsider)
    _notice(requester, read_at=timezone.now())
    response = client_for(requester).get(INBOX)
    assert response.context["inbox_unread"] == 2
    page = response.content.decode()
    assert 'id="inbox-badge" class="badge rounded-pill text-bg-warning ms-1">2<' in page


def test_the_inbox_paginates_with_a_constant_number_of_queries(client_for, requester) -> None:
    client = client_for(requester)
    _notice(requester)
    client.get(INBOX)
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX)
    for _ in range(24):
        _notice(requester)
    with CaptureQueriesContext(connection) as many:
        response = client.get(INBOX)
    assert len(many) == len(few)
    assert len(response.context["page_obj"].object_list) == 20
    assert len(client.get(INBOX, {"page": 2}).context["page_obj"].object_list) == 5


@pytest.mark.parametrize(
    ("offset", "text"),
    [(-5, "now"), (30, "in under a minute"), (185, "in 3\xa0minutes"), (7300, "in 2\xa0hours")],
)
def test_the_next_attempt_reads_as_a_wait(offset: int, text: str) -> None:
    from concilium.notifications.templatetags.notifications_tags import due_in

    assert due_in(timezone.now() + timedelta(seconds=offset)) == text
