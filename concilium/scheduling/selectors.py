"""Reads for expert groups."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count
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
        result.append(GroupAtAGlance(group, membership.role, membership.member_count, next_meeting))  # type: ignore[attr-defined]
    return result
