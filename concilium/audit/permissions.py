"""Who may read the audit log: network admins, and nobody else (not even the helpdesk)."""

from enum import StrEnum

from concilium.audit.models import AuditEvent
from concilium.core.policy import RolePolicy
from concilium.core.roles import Role


class AuditAction(StrEnum):
    VIEW = "view"
    EXPORT = "export"


ROLE_ACTIONS: dict[str, frozenset[AuditAction]] = {
    Role.NETWORK_ADMIN: frozenset({AuditAction.VIEW, AuditAction.EXPORT}),
}


class AuditEventPolicy(RolePolicy[AuditEvent]):
    """The one policy for audit events: network admins see every event; nobody else sees any."""

    model = AuditEvent
    role_actions = ROLE_ACTIONS
    view_action = AuditAction.VIEW
