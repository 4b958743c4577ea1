"""Reads for expert groups."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from concilium.scheduling.models import ExpertGroup, GroupMembership
from concilium.scheduling.rules import WeeklyRule


@dataclass(frozen=True)
class GroupAtAGlance:
    group: ExpertGroup
    role: str
    member_count: int
    next_meeting: datetime | None


def expert_groups_for(*, user: Any, now: datetime | None = None) -> list[GroupAtAGlance]:
    """The groups `user` belongs to, with their size and next meeting start (in the group's time zone)."""
    now = now or timezone.now()
    memberships = (
        GroupMembership.objects.filter(user=user)
        .select_related("group", "group__network")
        .annotate(member_count=Count("group__memberships"))
        .order_by("group__name")
    )
    result = []
    for membership in memberships:
        group = membership.group
        next_meeting = None
        if group.weekday is not None and group.local_time is not None and group.slot_count:
            rule = WeeklyRule(
                group.weekday, group.local_time, group.time_zone, group.slot_count, group.slot_minutes
            )
            next_meeting = rule.occurrences(now, 1)[0]
        result.append(GroupAtAGlance(group, membership.role, membership.member_count, next_meeting))
    return result


COORDINATOR = GroupMembership.GroupRole.COORDINATOR


def coordinator_memberships(*, user_id: int | None, group_id: Any = None) -> QuerySet[GroupMembership]:
    """The memberships by which `user_id` coordinates a group (`group_id` may be an `OuterRef`)."""
    queryset = GroupMembership.objects.filter(user=user_id, role=COORDINATOR)
    return queryset if group_id is None else queryset.filter(group_id=group_id)


def coordinated_group_ids(*, user_id: int | None) -> list[int]:
    """The ids of the groups `user_id` coordinates (one query)."""
    return list(coordinator_memberships(user_id=user_id).values_list("group_id", flat=True))


def is_coordinator(*, user_id: int | None, group_id: int | None = None) -> bool:
    """Whether `user_id` coordinates `group_id` (any group when None)."""
    return coordinator_memberships(user_id=user_id, group_id=group_id).exists()


def coordinated_groups(*, user_id: int | None) -> list[ExpertGroup]:
    """The groups `user_id` coordinates, by name."""
    return list(
        ExpertGroup.objects.filter(memberships__user=user_id, memberships__role=COORDINATOR).order_by("name")
    )


def group_members(*, group_id: int, coordinators_only: bool = False) -> list[GroupMembership]:
    """The active members of a group (or its coordinators), with their user, in a stable order."""
    queryset = GroupMembership.objects.filter(group_id=group_id, user__is_active=True)
    if coordinators_only:
        queryset = queryset.filter(role=COORDINATOR)
    return list(queryset.select_related("user").order_by("user_id"))


def expert_groups_all() -> QuerySet[ExpertGroup]:
    """Every expert group with its network, by network and name (the choices of a form)."""
    return ExpertGroup.objects.select_related("network").order_by("network__name", "name")


def expert_group_get(*, group_id: int) -> ExpertGroup | None:
    return ExpertGroup.objects.select_related("network").filter(pk=group_id).first()
