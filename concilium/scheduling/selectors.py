"""Reads for expert groups."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from concilium.scheduling.models import ExpertGroup, GroupMembership
from concilium.scheduling.permissions import ExpertGroupPolicy
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


# --- The administration's reads: every one starts from what the network admin may see -------------------


def expert_groups_administered(*, actor: Any) -> QuerySet[ExpertGroup]:
    """The groups of the networks the actor administers, by network and name, with their member count."""
    return (
        ExpertGroupPolicy.visible(actor)
        .select_related("network")
        .annotate(member_count=Count("memberships"))
        .order_by("network__name", "name")
    )


def expert_group_administered_get(*, actor: Any, pk: int) -> ExpertGroup:
    """A group of a network the actor administers, or 404 (also for another network's group)."""
    return get_object_or_404(ExpertGroupPolicy.visible(actor).select_related("network"), pk=pk)


def group_roster(*, group: ExpertGroup) -> list[GroupMembership]:
    """Everyone in the group, active or not, coordinators first, then by name, with their hospital."""
    return list(
        GroupMembership.objects.filter(group=group)
        .select_related("user", "user__hospital")
        .order_by("-role", "user__full_name", "user_id")
    )


def group_membership_get(*, group: ExpertGroup, pk: int) -> GroupMembership:
    """One membership of `group` (a group the caller already may see), or 404."""
    return get_object_or_404(GroupMembership.objects.select_related("user"), group=group, pk=pk)


def memberships_of_users(*, user_ids: list[int]) -> dict[int, list[GroupMembership]]:
    """The expert-group memberships of these users, with their group, by user id (one query for a page)."""
    found: dict[int, list[GroupMembership]] = {user_id: [] for user_id in user_ids}
    memberships = (
        GroupMembership.objects.filter(user_id__in=user_ids)
        .select_related("group")
        .order_by("group__name", "pk")
    )
    for membership in memberships:
        found[membership.user_id].append(membership)
    return found


def next_meetings(*, group: ExpertGroup, count: int = 3, now: datetime | None = None) -> list[datetime]:
    """The group's next `count` meeting starts in its own time zone (none when it has no weekly rule)."""
    if group.weekday is None or group.local_time is None or not group.slot_count:
        return []
    rule = WeeklyRule(group.weekday, group.local_time, group.time_zone, group.slot_count, group.slot_minutes)
    return rule.occurrences(now or timezone.now(), count)
