"""Receivers of the outbox's signals: due emails become delivery tasks on the queue."""

from datetime import datetime
from typing import Any

from django.dispatch import receiver

from concilium.notifications.signals import delivery_due
from concilium.notifications.tasks import deliver_notification


@receiver(delivery_due, dispatch_uid="notifications.enqueue_delivery")
def enqueue_delivery(
    sender: Any, *, notification_ids: list[int], run_after: datetime | None = None, **kwargs: Any
) -> None:
    task = deliver_notification.using(run_after=run_after) if run_after else deliver_notification
    for notification_id in notification_ids:
        task.enqueue(notification_id)
