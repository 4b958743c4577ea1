"""Background work of the notification outbox (Django's Tasks API)."""

from django_tasks import task

from concilium.notifications.services import notification_deliver, outbox_sweep_due


@task()
def deliver_notification(notification_id: int) -> str:
    """Deliver one outbox email; a failed attempt re-queues this task with backoff."""
    return notification_deliver(notification_id=notification_id)


@task()
def outbox_sweep() -> int:
    """Re-queue emails whose delivery task was lost (a worker killed mid-delivery, a long outage)."""
    return outbox_sweep_due()
