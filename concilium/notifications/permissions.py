"""Who may do what with notifications: one policy for the outbox, one rule for the inbox."""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from concilium.core.roles import Role
from concilium.notifications.models import Notification


class OutboxAction(StrEnum):
    VIEW = "view"
    RETRY = "retry"
    SEND_TEST = "send_test"


#: Roles that run the outbox: they manage accounts, so they may see recipients' addresses.
OUTBOX_ROLES: dict[OutboxAction, frozenset[str]] = {
    OutboxAction.VIEW: frozenset({Role.HELPDESK, Role.NETWORK_ADMIN}),
    OutboxAction.RETRY: frozenset({Role.HELPDESK, Role.NETWORK_ADMIN}),
    OutboxAction.SEND_TEST: frozenset({Role.HELPDESK, Role.NETWORK_ADMIN}),
}


class NotificationPolicy:
    """The outbox is for helpdesk and network admins; an in-app notice is visible to its recipient only."""

    @staticmethod
    def can(actor: Any, action: OutboxAction) -> bool:
        # Like every policy: a pending, rejected or suspended account holds no action, whatever its role.
        if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
            return False
        return actor.role in OUTBOX_ROLES[action]

    @staticmethod
    def outbox(actor: Any) -> QuerySet[Notification]:
        """Every email in the outbox, or none for a role that may not see it."""
        if not NotificationPolicy.can(actor, OutboxAction.VIEW):
            return Notification.objects.none()
        return Notification.objects.filter(channel=Notification.Channel.EMAIL)

    @staticmethod
    def inbox(actor: Any) -> QuerySet[Notification]:
        """The actor's own in-app notifications, never anyone else's."""
        return Notification.objects.filter(recipient_id=actor.pk, channel=Notification.Channel.IN_APP)
