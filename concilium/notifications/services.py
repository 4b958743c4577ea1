"""Notifications: written to the outbox in the caller's transaction, delivered by a task after commit."""

import logging
import random
import smtplib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from concilium.audit.services import audit_record
from concilium.core.errors import DomainError, ErrorKind, register_codes
from concilium.notifications.models import Notification
from concilium.notifications.signals import delivery_due

logger = logging.getLogger(__name__)

Channel = Notification.Channel
Status = Notification.Status

#: Upper bound of the wait between two delivery attempts.
OUTBOX_BACKOFF_MAX_SECONDS = 60 * 60
#: A due message left alone this long after its own delivery task should have run is picked up by the sweeper.
OUTBOX_SWEEP_GRACE_SECONDS = 60
#: Errors worth another try: the mail server is down, slow, or refused for now.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)
#: Apps whose objects never go into a notification's context (bodies carry no patient data).
_CLINICAL_APPS = frozenset({"patients", "imaging", "registry"})


class NotificationError(DomainError):
    """A notification action that does not apply to the message in its present state."""

    NOT_FAILED = "not_failed"


register_codes({NotificationError.NOT_FAILED: ErrorKind.CONFLICT})


def _check_context(context: dict[str, object]) -> None:
    for key, value in context.items():
        meta = getattr(value, "_meta", None)
        if key.startswith("patient") or (meta is not None and meta.app_label in _CLINICAL_APPS):
            raise ValueError(f"notification context {key!r} would put patient data in a message")


def notification_enqueue(
    *,
    recipient: Any,
    app: str,
    kind: str,
    context: dict[str, object] | None = None,
    link: str = "",
    channels: tuple[str, ...] = (Channel.EMAIL, Channel.IN_APP),
) -> list[Notification]:
    """Queue a notice for `recipient`, rendered in their language.

    Templates: <app>/notifications/<kind>_subject.txt and <kind>_body.txt, in the templates of `app`, the
    app that sends the notice (each app owns its notification templates).

    Bodies carry no patient data: they say what happened and link to the page, which checks access.
    If the surrounding transaction rolls back, the rows vanish and nothing is sent.
    """
    context = context or {}
    _check_context(context)
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError("a notification links to a page of Concilium: pass a path such as /cases/12/")
    language = recipient.language or settings.LANGUAGE_CODE
    data = {
        "recipient": recipient,
        "link": link,
        "absolute_link": f"{settings.SITE_URL}{link}" if link else settings.SITE_URL,
        "site_url": settings.SITE_URL,
        **context,
    }
    with translation.override(language):
        subject = " ".join(render_to_string(f"{app}/notifications/{kind}_subject.txt", data).split())
        body = render_to_string(f"{app}/notifications/{kind}_body.txt", data).strip()
    created = [
        Notification.objects.create(
            recipient=recipient,
            channel=channel,
            kind=kind,
            language=language,
            subject=subject[:200],
            body=body,
            link=link,
            status=Status.PENDING if channel == Channel.EMAIL else Status.SENT,
        )
        for channel in channels
    ]
    email_ids = [n.pk for n in created if n.channel == Channel.EMAIL]
    if email_ids:
        transaction.on_commit(lambda: _schedule_delivery(email_ids))
    return created


def _schedule_delivery(notification_ids: list[int], run_after: datetime | None = None) -> None:
    """Ask for delivery of these emails (the task queue's receiver enqueues one task each)."""
    delivery_due.send(sender=Notification, notification_ids=notification_ids, run_after=run_after)


def message_id_for(notification: Notification) -> str:
    """A Message-ID that stays the same on every attempt, so a receiver can recognise a repeat."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "concilium.localhost"
    return f"<notification.{notification.pk}.{int(notification.created_at.timestamp())}@{domain}>"


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the given number of failed attempts, capped, with a little jitter."""
    base = min(settings.OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), OUTBOX_BACKOFF_MAX_SECONDS)
    jitter = random.uniform(0, max(base * 0.1, 0.5))  # noqa: S311 - spreading retries, not a secret
    return timedelta(seconds=base + jitter)


def notification_claim(*, notification_id: int) -> Notification | None:
    """Take one due email for delivery, or None when it is not due, already sent, or leased to another worker.

    A single conditional UPDATE: of two workers racing for the same row exactly one changes it.
    """
    now = timezone.now()
    claimable = Q(status=Status.PENDING) | Q(status=Status.SENDING, lease_until__lt=now)
    claimed = (
        Notification.objects.filter(
            claimable, pk=notification_id, channel=Channel.EMAIL, next_attempt_at__lte=now
        )
        .filter(attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)
        .update(
            status=Status.SENDING,
            lease_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    return Notification.objects.select_related("recipient").get(pk=notification_id)


def _send(notification: Notification) -> None:
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        to=[notification.recipient.email],
        headers={
            "Message-ID": message_id_for(notification),
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "Content-Language": notification.language,
        },
    )
    message.send(fail_silently=False)


def notification_deliver(*, notification_id: int) -> str:
    """Send one queued email; on a passing failure put it back with backoff. Returns the outcome."""
    notification = notification_claim(notification_id=notification_id)
    if notification is None:
        return "skipped"
    # The row is ours while attempts matches: a worker that lost its lease cannot overwrite a later attempt.
    ours = Notification.objects.filter(
        pk=notification.pk, status=Status.SENDING, attempts=notification.attempts
    )
    try:
        _send(notification)
    except Exception as exc:
        error = type(exc).__name__
        now = timezone.now()
        transient = isinstance(exc, TRANSIENT_ERRORS)
        if transient and notification.attempts < settings.OUTBOX_MAX_ATTEMPTS:
            next_attempt = now + retry_delay(notification.attempts)
            ours.update(
                status=Status.PENDING, next_attempt_at=next_attempt, lease_until=None, last_error=error
            )
            transaction.on_commit(lambda: _schedule_delivery([notification.pk], run_after=next_attempt))
            logger.warning(
                "notification delivery failed, will retry",
                extra={
                    "notification_id": notification.pk,
                    "attempt": notification.attempts,
                    "error_type": error,
                },
            )
            return "retry"
        ours.update(status=Status.FAILED, lease_until=None, last_error=error)
        logger.error(
            "notification delivery failed for good",
            extra={"notification_id": notification.pk, "attempt": notification.attempts, "error_type": error},
        )
        return "failed"
    ours.update(status=Status.SENT, sent_at=timezone.now(), lease_until=None, last_error="")
    logger.info("notification sent", extra={"notification_id": notification.pk, "kind": notification.kind})
    return "sent"


def outbox_sweep_due(*, grace_seconds: int = OUTBOX_SWEEP_GRACE_SECONDS, limit: int = 500) -> int:
    """Queue delivery again for emails whose own task was lost: long due, or leased by a worker that died.

    A lease that ran out on the last allowed attempt marks the message failed. Returns how many were queued.
    """
    now = timezone.now()
    emails = Notification.objects.filter(channel=Channel.EMAIL)
    expired = Q(status=Status.SENDING, lease_until__lt=now)
    exhausted = emails.filter(expired, attempts__gte=settings.OUTBOX_MAX_ATTEMPTS)
    exhausted.update(status=Status.FAILED, lease_until=None, last_error="LeaseExpired")
    overdue = Q(status=Status.PENDING, next_attempt_at__lte=now - timedelta(seconds=grace_seconds))
    due_ids = list(
        emails.filter(overdue | expired).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
    if due_ids:
        transaction.on_commit(lambda: _schedule_delivery(due_ids))
        logger.info("outbox sweep queued deliveries", extra={"count": len(due_ids)})
    return len(due_ids)


@transaction.atomic
def notification_retry(*, notification: Notification, actor: Any) -> Notification:
    """Give a failed email a fresh set of attempts, starting now (a helpdesk action, audited)."""
    locked = Notification.objects.select_for_update().get(pk=notification.pk)
    if locked.channel != Channel.EMAIL or locked.status != Status.FAILED:
        raise NotificationError(NotificationError.NOT_FAILED, "Only a failed email can be sent again.")
    locked.status = Status.PENDING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.lease_until = None
    locked.save(update_fields=["status", "attempts", "next_attempt_at", "lease_until"])
    audit_record(action="notification.retry", actor=actor, obj=locked)
    transaction.on_commit(lambda: _schedule_delivery([locked.pk]))
    return locked


def notification_mark_read(*, notification: Notification, actor: Any) -> Notification:
    """Mark one of the actor's in-app notifications read (idempotent)."""
    if notification.recipient_id != actor.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, actor: Any) -> int:
    """Mark every unread in-app notification of the actor read; returns how many changed."""
    return Notification.objects.filter(recipient=actor, channel=Channel.IN_APP, read_at__isnull=True).update(
        read_at=timezone.now()
    )
