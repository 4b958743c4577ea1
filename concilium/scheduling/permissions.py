"""Who may configure expert groups: network admins, each for the networks they administer.

A network admin sees and changes the groups of the networks they administer (`User.administered_networks`,
set on the network's page); another network's group is a 404, as if it did not exist. Nobody else
configures groups: coordinators run their group's work, not its make-up.
"""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from concilium.core.policy import RolePolicy
from concilium.core.roles import Role
from concilium.scheduling.models import ExpertGroup


class GroupAction(StrEnum):
    #: See the groups of one's networks with their members and weekly rule.
    VIEW = "view"
    #: Add a group to one of one's networks, and edit its name, description and network.
    CONFIGURE = "configure"
    #: Add and remove members and coordinators, and change their role in the group.
    MEMBERS = "members"
    #: Change the weekly meeting rule (weekday, local time, time zone, slots).
    RULE = "rule"


ROLE_ACTIONS: dict[str, frozenset[GroupAction]] = {
    Role.NETWORK_ADMIN: frozenset(GroupAction),
}


class ExpertGroupPolicy(RolePolicy[ExpertGroup]):
    """Expert groups, for the network admins of their network."""

    model = ExpertGroup
    role_actions = ROLE_ACTIONS
    view_action = GroupAction.VIEW

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[ExpertGroup]) -> QuerySet[ExpertGroup]:
        return queryset.filter(network__administrators=actor.pk)
