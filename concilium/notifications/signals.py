"""Signals of the outbox: the services say that emails are due; the task queue's receiver enqueues them."""

from django.dispatch import Signal

#: Sent (after commit) with `notification_ids: list[int]` and `run_after: datetime | None`.
delivery_due = Signal()
