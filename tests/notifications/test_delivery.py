"""Delivery of outbox emails: claiming, retries with backoff, giving up, the sweeper, language, privacy."""

import io
import re
import smtplib
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.template import engines
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from concilium.audit.models import AuditEvent
from concilium.notifications import services
from concilium.notifications.models import Notification
from concilium.notifications.services import (
    NotificationError,
    message_id_for,
    notification_claim,
    notification_deliver,
    notification_enqueue,
    notification_retry,
    outbox_sweep_due,
    retry_delay,
)
from concilium.notifications.tasks import deliver_notification, outbox_sweep
from tests.factories import UserFactory

Status = Notification.Status
Channel = Notification.Channel
EMAIL_ONLY = (Channel.EMAIL,)


@pytest.fixture
def recipient(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="rita@alpha.example", full_name="Rita Requester", language="en")


def _email(recipient, **changes) -> Notification:  # type: ignore[no-untyped-def]
    (email,) = notification_enqueue(
        app="notifications",
        recipient=recipient,
        kind="outbox_test",
        link="/helpdesk/outbox/",
        channels=EMAIL_ONLY,
    )
    if changes:
        Notification.objects.filter(pk=email.pk).update(**changes)
        email.refresh_from_db()
    return email


def _failing_send(exc: BaseException):  # type: ignore[no-untyped-def]
    def send(notification: Notification) -> None:
        raise exc

    return send


def test_enqueue_writes_an_email_and_an_in_app_notice_and_queues_delivery_after_commit(
    recipient, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email, notice = notification_enqueue(
            app="notifications", recipient=recipient, kind="outbox_test", link="/helpdesk/outbox/"
        )
    assert (email.channel, email.status) == (Channel.EMAIL, Status.PENDING)
    assert (notice.channel, notice.status, notice.read_at) == (Channel.IN_APP, Status.SENT, None)
    assert len(callbacks) == 1
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "concilium.notifications.tasks.deliver_notification"
    assert queued.args_kwargs == {"args": [email.pk], "kwargs": {}}


def test_delivery_sends_one_email_with_a_stable_message_id_and_marks_it_sent(recipient) -> None:
    email = _email(recipient)
    assert deliver_notification.call(email.pk) == "sent"
    (message,) = mail.outbox
    assert message.to == ["rita@alpha.example"]
    assert message.subject == email.subject == "Concilium test message"
    assert message.body == email.body
    assert (
        "http://127.0.0.1:8000/helpdesk/outbox/" in message.body or django_settings.SITE_URL in message.body
    )
    assert message.extra_headers["Message-ID"] == message_id_for(email)
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.extra_headers["Content-Language"] == "en"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.lease_until, email.last_error) == (Status.SENT, 1, None, "")
    assert email.sent_at is not None


def test_the_message_id_is_the_same_on_every_attempt_and_differs_between_messages(recipient) -> None:
    first, second = _email(recipient), _email(recipient)
    assert message_id_for(first) == message_id_for(Notification.objects.get(pk=first.pk))
    assert message_id_for(first) != message_id_for(second)
    assert re.fullmatch(r"<notification\.\d+\.\d+@[\w.-]+>", message_id_for(first))


def test_a_sent_message_is_never_sent_again(recipient) -> None:
    email = _email(recipient)
    assert notification_deliver(notification_id=email.pk) == "sent"
    assert notification_deliver(notification_id=email.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_message_leased_to_a_live_worker_is_not_taken_by_another(recipient) -> None:
    email = _email(
        recipient, status=Status.SENDING, attempts=1, lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert notification_claim(notification_id=email.pk) is None
    assert notification_deliver(notification_id=email.pk) == "skipped"
    assert mail.outbox == []


def test_a_message_whose_lease_ran_out_is_taken_over(recipient) -> None:
    email = _email(
        recipient, status=Status.SENDING, attempts=1, lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert notification_deliver(notification_id=email.pk) == "sent"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)


def test_a_message_not_yet_due_waits(recipient) -> None:
    email = _email(recipient, next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert notification_deliver(notification_id=email.pk) == "skipped"
    assert mail.outbox == []


def test_a_claim_sets_the_lease_and_counts_the_attempt(recipient, settings) -> None:
    settings.OUTBOX_LEASE_SECONDS = 90
    email = _email(recipient)
    before = timezone.now()
    claimed = notification_claim(notification_id=email.pk)
    assert claimed is not None
    assert (claimed.status, claimed.attempts) == (Status.SENDING, 1)
    assert before + timedelta(seconds=89) < claimed.lease_until < timezone.now() + timedelta(seconds=91)
    assert notification_claim(notification_id=email.pk) is None


def test_an_smtp_failure_puts_the_message_back_with_backoff_and_requeues_it(
    recipient, monkeypatch, settings, django_capture_on_commit_callbacks
) -> None:
    settings.OUTBOX_BACKOFF_SECONDS = 30
    email = _email(recipient)
    refused = smtplib.SMTPRecipientsRefused({"rita@alpha.example": (550, b"rita@alpha.example unknown")})
    monkeypatch.setattr(services, "_send", _failing_send(refused))
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_deliver(notification_id=email.pk) == "retry"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.lease_until) == (Status.PENDING, 1, None)
    assert email.last_error == "SMTPRecipientsRefused"  # the class name only: no address, no server text
    assert before + timedelta(seconds=30) <= email.next_attempt_at <= timezone.now() + timedelta(seconds=33.1)
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs["args"] == [email.pk]
    assert retry.run_after == email.next_attempt_at


def test_backoff_doubles_with_each_attempt_and_is_capped(settings) -> None:
    settings.OUTBOX_BACKOFF_SECONDS = 30
    for attempts, base in [(1, 30), (2, 60), (3, 120), (4, 240)]:
        delay = retry_delay(attempts).total_seconds()
        assert base <= delay <= base * 1.1 + 0.5
    assert retry_delay(40).total_seconds() <= services.OUTBOX_BACKOFF_MAX_SECONDS * 1.1


def test_after_the_last_allowed_attempt_the_message_is_failed(recipient, monkeypatch, settings) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 3
    email = _email(recipient, attempts=2)
    monkeypatch.setattr(services, "_send", _failing_send(ConnectionRefusedError(111, "refused")))
    assert notification_deliver(notification_id=email.pk) == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Status.FAILED, 3, "ConnectionRefusedError")
    assert not DBTaskResult.objects.exists()
    assert notification_deliver(notification_id=email.pk) == "skipped"


def test_an_error_that_retrying_cannot_fix_fails_the_message_at_once(recipient, monkeypatch) -> None:
    email = _email(recipient)
    monkeypatch.setattr(services, "_send", _failing_send(ValueError("header with a newline")))
    assert notification_deliver(notification_id=email.pk) == "failed"
    email.refresh_from_db()
    assert (email.status, email.last_error) == (Status.FAILED, "ValueError")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing() -> None:
    recipient = UserFactory(email="rolled@back.example")
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_enqueue(app="notifications", recipient=recipient, kind="outbox_test")
        raise RuntimeError("the change that caused the notice failed")
    assert not Notification.objects.exists()
    assert not DBTaskResult.objects.exists()
    call_command("worker", "--batch", stdout=io.StringIO())
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_delivered_by_the_worker() -> None:
    recipient = UserFactory(email="committed@change.example")
    with transaction.atomic():
        notification_enqueue(
            app="notifications", recipient=recipient, kind="outbox_test", channels=EMAIL_ONLY
        )
    call_command("worker", "--batch", stdout=io.StringIO())
    assert [message.to for message in mail.outbox] == [["committed@change.example"]]
    assert Notification.objects.get().status == Status.SENT


def test_the_sweeper_requeues_long_due_messages_and_expired_leases_only(
    recipient, settings, django_capture_on_commit_callbacks
) -> None:
    now = timezone.now()
    long_due = _email(recipient, next_attempt_at=now - timedelta(minutes=5))
    _email(recipient, next_attempt_at=now - timedelta(seconds=5))  # its own task is about to run
    _email(recipient, next_attempt_at=now + timedelta(minutes=5))  # not due
    expired = _email(recipient, status=Status.SENDING, attempts=1, lease_until=now - timedelta(seconds=1))
    _email(recipient, status=Status.SENDING, attempts=1, lease_until=now + timedelta(minutes=1))  # in flight
    _email(recipient, status=Status.SENT, next_attempt_at=now - timedelta(hours=1))
    _email(recipient, status=Status.FAILED, next_attempt_at=now - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep.call() == 2
    queued = sorted(task.args_kwargs["args"][0] for task in DBTaskResult.objects.all())
    assert queued == sorted([long_due.pk, expired.pk])


def test_the_sweeper_fails_a_message_whose_last_attempt_lost_its_lease(recipient, settings) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = _email(
        recipient, status=Status.SENDING, attempts=2, lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_sweep_due() == 0
    email.refresh_from_db()
    assert (email.status, email.last_error) == (Status.FAILED, "LeaseExpired")


def test_retry_gives_a_failed_message_a_fresh_start_and_is_audited(
    recipient, helpdesk, django_capture_on_commit_callbacks
) -> None:
    email = _email(recipient, status=Status.FAILED, attempts=8, last_error="SMTPServerDisconnected")
    with django_capture_on_commit_callbacks(execute=True):
        notification_retry(notification=email, actor=helpdesk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 0)
    assert email.next_attempt_at <= timezone.now()
    assert DBTaskResult.objects.filter(args_kwargs__args=[email.pk]).exists()
    event = AuditEvent.objects.get(action="notification.retry")
    assert (event.actor_id, event.object_id) == (helpdesk.pk, str(email.pk))


def test_retry_refuses_a_message_that_has_not_failed(recipient, helpdesk) -> None:
    email = _email(recipient)
    with pytest.raises(NotificationError) as error:
        notification_retry(notification=email, actor=helpdesk)
    assert error.value.code == NotificationError.NOT_FAILED
    assert not AuditEvent.objects.filter(action="notification.retry").exists()


def test_a_message_is_rendered_in_the_recipients_language(db, monkeypatch) -> None:
    german = UserFactory(email="greta@klinik.example", language="de")
    rendered_in: list[str | None] = []
    real_render = services.render_to_string

    def spy(template_name: str, context: dict[str, object]) -> str:
        rendered_in.append(translation.get_language())
        return real_render(template_name, context)

    monkeypatch.setattr(services, "render_to_string", spy)
    with translation.override("en"):
        email, notice = notification_enqueue(app="notifications", recipient=german, kind="outbox_test")
    assert rendered_in == ["de", "de"]
    assert email.language == notice.language == "de"
    with translation.override("de"):
        german_subject = gettext("Concilium test message")
    assert email.subject == german_subject  # the German text once the catalog has it
    assert translation.get_language() == "en"


def test_a_recipient_without_a_language_gets_the_site_language(db) -> None:
    user = UserFactory(email="nolang@hospital.example", language="")
    (email,) = notification_enqueue(
        app="notifications", recipient=user, kind="outbox_test", channels=EMAIL_ONLY
    )
    assert email.language == django_settings.LANGUAGE_CODE


@pytest.mark.parametrize("key", ["patient", "patient_name"])
def test_patient_data_cannot_be_put_into_a_notification(recipient, key: str) -> None:
    with pytest.raises(ValueError, match="patient data"):
        notification_enqueue(
            app="notifications", recipient=recipient, kind="outbox_test", context={key: "Jane Doe"}
        )
    assert not Notification.objects.exists()


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_a_notification_links_only_to_a_page_of_concilium(recipient, link: str) -> None:
    with pytest.raises(ValueError, match="links to a page of Concilium"):
        notification_enqueue(app="notifications", recipient=recipient, kind="outbox_test", link=link)
    assert not Notification.objects.exists()


CLINICAL = re.compile(r"patient|diagnos|clinical|history|pathology|imaging|finding|birth|consent\.", re.I)


def test_no_notification_template_refers_to_patient_data() -> None:
    """Every app's notification templates use only non-clinical variables (bodies carry no patient data)."""
    templates = [
        path
        for directory in engines["django"].template_dirs
        for path in Path(directory).glob("*/notifications/*.txt")
    ]
    owners = {path.parent.parent.name for path in templates}
    assert owners == {"accounts", "cases", "helpdesk", "notifications"}  # each app owns its templates
    assert any(path.name == "outbox_test_body.txt" for path in templates)
    for path in templates:
        variables = re.findall(r"{{\s*([\w.]+)", path.read_text()) + re.findall(
            r"with \w+=([\w.]+)", path.read_text()
        )
        assert not [v for v in variables if CLINICAL.search(v)], f"{path} refers to clinical data"
