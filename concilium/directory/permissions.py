"""Who may use the clinician directory: every activated user reads it; network admins import and export it."""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from concilium.core.roles import Role
from concilium.directory.models import Clinician


class DirectoryAction(StrEnum):
    VIEW = "view"
    IMPORT = "import"
    EXPORT = "export"


#: Role -> what it may do with the directory. Operators at the command line may import and export too.
ROLE_ACTIONS: dict[str, frozenset[DirectoryAction]] = {
    Role.CLINICIAN: frozenset({DirectoryAction.VIEW}),
    Role.EXPERT: frozenset({DirectoryAction.VIEW}),
    Role.COORDINATOR: frozenset({DirectoryAction.VIEW}),
    Role.HELPDESK: frozenset({DirectoryAction.VIEW}),
    Role.DATA_MANAGER: frozenset({DirectoryAction.VIEW}),
    Role.NETWORK_ADMIN: frozenset({DirectoryAction.VIEW, DirectoryAction.IMPORT, DirectoryAction.EXPORT}),
}


class ClinicianPolicy:
    """The one policy for directory entries: checks an action and narrows a queryset to what may be seen."""

    @staticmethod
    def can(actor: Any, action: DirectoryAction) -> bool:
        # Authentication (password + second factor, or an API token) is checked before this, at the door.
        if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
            return False
        return action in ROLE_ACTIONS.get(actor.role, frozenset())

    @classmethod
    def visible(cls, actor: Any, queryset: QuerySet[Clinician] | None = None) -> QuerySet[Clinician]:
        """Listed clinicians for anyone who may view the directory; nothing for anyone else."""
        queryset = Clinician.objects.all() if queryset is None else queryset
        if not cls.can(actor, DirectoryAction.VIEW):
            return queryset.none()
        return queryset.filter(is_listed=True)
