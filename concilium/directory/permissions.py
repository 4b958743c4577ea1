"""Who may use the clinician directory: every activated user reads it; network admins import and export it.

Hospitals are added and edited by the helpdesk and network admins (applicants ask the helpdesk for a missing
hospital); networks are added by network admins, and each network is edited by its own administrators only
(`User.administered_networks`): whoever adds a network becomes one of them.
"""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from concilium.core.policy import RolePolicy
from concilium.core.roles import Role
from concilium.directory.models import Clinician, Hospital, Network


class DirectoryAction(StrEnum):
    VIEW = "view"
    IMPORT = "import"
    EXPORT = "export"
    #: Add and edit hospitals (name, place, reference-centre flag, networks).
    HOSPITALS_MANAGE = "hospitals_manage"
    #: Add networks, and edit the networks one administers.
    NETWORKS_MANAGE = "networks_manage"


#: Role -> what it may do with the directory. Operators at the command line may import and export too.
ROLE_ACTIONS: dict[str, frozenset[DirectoryAction]] = {
    Role.CLINICIAN: frozenset({DirectoryAction.VIEW}),
    Role.EXPERT: frozenset({DirectoryAction.VIEW}),
    Role.COORDINATOR: frozenset({DirectoryAction.VIEW}),
    Role.HELPDESK: frozenset({DirectoryAction.VIEW, DirectoryAction.HOSPITALS_MANAGE}),
    Role.DATA_MANAGER: frozenset({DirectoryAction.VIEW}),
    Role.NETWORK_ADMIN: frozenset(
        {
            DirectoryAction.VIEW,
            DirectoryAction.IMPORT,
            DirectoryAction.EXPORT,
            DirectoryAction.HOSPITALS_MANAGE,
            DirectoryAction.NETWORKS_MANAGE,
        }
    ),
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


class HospitalPolicy(RolePolicy[Hospital]):
    """Hospitals, for those who manage them (the helpdesk and network admins): every hospital."""

    model = Hospital
    role_actions = ROLE_ACTIONS
    view_action = DirectoryAction.HOSPITALS_MANAGE


class NetworkPolicy(RolePolicy[Network]):
    """Networks, for network admins: each sees and edits the networks they administer (another is a 404)."""

    model = Network
    role_actions = ROLE_ACTIONS
    view_action = DirectoryAction.NETWORKS_MANAGE

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[Network]) -> QuerySet[Network]:
        return queryset.filter(administrators=actor.pk)
