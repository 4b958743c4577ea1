"""Who may read the audit log: network admins, and nobody else (not even the helpdesk)."""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from concilium.audit.models import AuditEvent
from concilium.core.roles import Role


class AuditAction(StrEnum):
    VIEW = "view"
    EXPORT = "export"


ROLE_ACTIONS: dict[str, frozenset[AuditAction]] = {
    Role.NETWORK_ADMIN: frozenset({AuditAction.VIEW, AuditAction.EXPORT}),
}


class AuditEventPolicy:
    """The one policy for audit events: checks an action and narrows a queryset to what may be seen."""

    @staticmethod
    def can(actor: Any, action: AuditAction) -> bool:
        if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
            return False
        return action in ROLE_ACTIONS.get(getattr(actor, "role", ""), frozenset())

    @classmethod
    def visible(cls, actor: Any, queryset: QuerySet[AuditEvent] | None = None) -> QuerySet[AuditEvent]:
        queryset = AuditEvent.objects.all() if queryset is None else queryset
        return queryset if cls.can(actor, AuditAction.VIEW) else queryset.none()
