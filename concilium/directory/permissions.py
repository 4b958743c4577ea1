"""Who may use the clinician directory: every activated user reads it; network admins import and export it."""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from concilium.core.policy import RolePolicy
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


class ClinicianPolicy(RolePolicy[Clinician]):
    """The one policy for directory entries: listed clinicians, for anyone who may view the directory.

    Authentication (password + second factor, or an API token) is checked before this, at the door."""

    model = Clinician
    role_actions = ROLE_ACTIONS
    view_action = DirectoryAction.VIEW

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[Clinician]) -> QuerySet[Clinician]:
        return queryset.filter(is_listed=True)
