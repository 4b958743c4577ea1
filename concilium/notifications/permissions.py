"""Who may do what with notifications: the outbox is for helpdesk and network admins; an in-app notice is
seen by its recipient only."""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from concilium.core.policy import Policy, Refused, RolePolicy, is_usable, refused_forbidden, refused_not_found
from concilium.core.roles import Role
from concilium.notifications.models import Notification


class OutboxAction(StrEnum):
    VIEW = "view"
    RETRY = "retry"
    SEND_TEST = "send_test"


class InboxAction(StrEnum):
    READ = "read"


#: Roles that run the outbox: they manage accounts, so they may see recipients' addresses.
_OUTBOX = frozenset({OutboxAction.VIEW, OutboxAction.RETRY, OutboxAction.SEND_TEST})
ROLE_ACTIONS: dict[str, frozenset[OutboxAction]] = {Role.HELPDESK: _OUTBOX, Role.NETWORK_ADMIN: _OUTBOX}


class OutboxPolicy(RolePolicy[Notification]):
    """Every email in the outbox, for the roles that run it; nothing for the others."""

    model = Notification
    role_actions = ROLE_ACTIONS
    view_action = OutboxAction.VIEW

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        return queryset.filter(channel=Notification.Channel.EMAIL)


class InboxPolicy(Policy[Notification]):
    """Each activated user reads their own in-app notifications, never anyone else's (a 404)."""

    model = Notification

    @classmethod
    def refusal(cls, actor: Any, action: str, obj: Any = None) -> Refused | None:
        if not is_usable(actor) or action != InboxAction.READ:
            return refused_forbidden() if obj is None else refused_not_found()
        if obj is not None and (obj.recipient_id != actor.pk or obj.channel != Notification.Channel.IN_APP):
            return refused_not_found()
        return None

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        return queryset.filter(recipient_id=actor.pk, channel=Notification.Channel.IN_APP)
