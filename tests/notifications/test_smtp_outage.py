"""The outbox against a real SMTP server on loopback: an outage delays mail, nothing is lost or sent twice."""

import io
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from concilium.notifications.models import Notification
from concilium.notifications.services import message_id_for, notification_enqueue
from tests.factories import UserFactory
from tests.notifications.support import REPO_ROOT, SmtpServer, SmtpSink, free_port, subprocess_env

pytestmark = pytest.mark.django_db(transaction=True)

Status = Notification.Status
EMAIL_ONLY = (Notification.Channel.EMAIL,)


@pytest.fixture
def smtp_port(settings) -> int:  # type: ignore[no-untyped-def]
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return port


def _queue(count: int) -> list[Notification]:
    emails = []
    for n in range(count):
        user = UserFactory(email=f"recipient{n}@hospital.example")
        emails += notification_enqueue(
            app="notifications",
            recipient=user,
            kind="outbox_test",
            link="/helpdesk/outbox/",
            channels=EMAIL_ONLY,
        )
    return emails


def _run_worker_once() -> None:
    call_command("worker", "--batch", stdout=io.StringIO())


def test_mail_waits_while_the_server_is_down_and_goes_out_exactly_once_when_it_is_back(
    smtp_port: int,
) -> None:
    emails = _queue(3)

    # (a) The server is down: every delivery fails, nothing is lost, each waits for a later attempt.
    _run_worker_once()
    started = timezone.now()
    for email in emails:
        email.refresh_from_db()
        assert email.status == Status.PENDING
        assert email.attempts == 1
        assert email.next_attempt_at > started
        assert email.last_error == "ConnectionRefusedError"
    retries = DBTaskResult.objects.filter(status="READY", task_path__endswith="deliver_notification")
    assert retries.count() == 3
    assert all(task.run_after > started for task in retries)

    # (b) The server is back. Make both the messages and their retry tasks due, so that the sweeper's
    # deliveries and the retry tasks race for the same rows: each message still goes out once.
    sink = SmtpSink()
    server = SmtpServer(smtp_port, sink).start()
    try:
        past = timezone.now() - timedelta(minutes=5)
        Notification.objects.update(next_attempt_at=past)
        DBTaskResult.objects.filter(status="READY").update(run_after=past)
        _run_worker_once()

        expected = {message_id_for(email) for email in emails}
        assert set(sink.message_ids()) == expected
        assert all(count == 1 for count in sink.message_ids().values())
        for email in emails:
            email.refresh_from_db()
            assert email.status == Status.SENT
            assert email.attempts == 2
            assert email.sent_at is not None
            assert email.last_error == ""
        recipients = sorted(message["To"] for message in sink.messages)
        assert recipients == [f"recipient{n}@hospital.example" for n in range(3)]

        # Sweeping again sends nothing more.
        _run_worker_once()
        assert len(sink.messages) == 3
    finally:
        server.stop()


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "concilium", "worker", "--interval", "0.1", "--sweep-interval", "0.3"]
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env)


def _wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_message_whose_worker_is_killed_mid_delivery_is_delivered_exactly_once(
    smtp_port: int, workers: list[subprocess.Popen[bytes]]
) -> None:
    sink = SmtpSink(hold_first_rcpt=True)
    server = SmtpServer(smtp_port, sink).start()
    env = subprocess_env(
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}", OUTBOX_LEASE_SECONDS="2", EMAIL_TIMEOUT="15"
    )
    try:
        (email,) = _queue(1)

        # The first worker takes the message and hangs in the SMTP conversation: kill it there.
        first = _start_worker(env)
        workers.append(first)
        assert sink.rcpt_reached.wait(timeout=20), "the first worker never reached the mail server"
        email.refresh_from_db()
        assert email.status == Status.SENDING
        assert email.attempts == 1
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        sink.release.set()
        assert sink.messages == []

        # A fresh worker finds the message once its lease has run out, and delivers it.
        workers.append(_start_worker(env))

        def delivered() -> bool:
            email.refresh_from_db()
            return email.status == Status.SENT

        assert _wait_for(delivered, timeout=20), (
            f"not delivered: {email.status} after {email.attempts} attempts"
        )
        time.sleep(1.0)  # a few more sweeps: they must not send it again
        assert sink.message_ids() == {message_id_for(email): 1}
        email.refresh_from_db()
        assert email.status == Status.SENT
        assert email.attempts == 2
    finally:
        for process in workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in workers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        server.stop()
