"""Reads for the outbox and inbox pages, starting from what the actor may see."""

from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from concilium.notifications.models import Notification
from concilium.notifications.permissions import InboxPolicy, OutboxPolicy

Status = Notification.Status


def outbox_status_counts(*, actor: Any) -> dict[str, int]:
    """Emails per status (pending, sending, sent, failed), in one aggregate query."""
    counts = {status.value: 0 for status in Status}
    rows = OutboxPolicy.visible(actor).order_by().values("status").annotate(total=Count("id"))
    for row in rows:
        counts[row["status"]] = row["total"]
    return counts


def outbox_list(*, actor: Any, status: str = "") -> QuerySet[Notification]:
    """Recent outbox emails, newest first, with their recipient and hospital loaded."""
    emails = OutboxPolicy.visible(actor).select_related("recipient", "recipient__hospital")
    if status in Status.values:
        emails = emails.filter(status=status)
    return emails.order_by("-created_at", "-id")


def outbox_get(*, actor: Any, notification_id: int) -> Notification:
    """One outbox email the actor may see, or Notification.DoesNotExist."""
    return OutboxPolicy.visible(actor).get(pk=notification_id)


def inbox_list(*, actor: Any) -> QuerySet[Notification]:
    """The actor's in-app notifications: unread first, then newest first."""
    unread = Case(When(read_at__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField())
    return InboxPolicy.visible(actor).alias(unread=unread).order_by("-unread", "-created_at", "-id")


def inbox_get(*, actor: Any, notification_id: int) -> Notification:
    """One of the actor's own in-app notifications, or Notification.DoesNotExist (also for anyone else's)."""
    return InboxPolicy.visible(actor).get(pk=notification_id)


def inbox_unread_count(*, actor: Any) -> int:
    """How many of the actor's in-app notifications are unread (one COUNT query)."""
    return InboxPolicy.visible(actor).filter(read_at__isnull=True).count()
