"""Writes for expert groups: create or update a group with its weekly rule, add members."""

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction

from concilium.audit.services import audit_record
from concilium.directory.models import Network
from concilium.scheduling.models import ExpertGroup, GroupMembership


def _check_rule(*, weekday: int | None, local_time: time | None, time_zone: str, slot_count: int) -> None:
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError({"time_zone": f"unknown time zone {time_zone!r}"}) from exc
    if slot_count and (weekday is None or local_time is None):
        raise ValidationError({"weekday": "a group with weekly slots needs a weekday and a local time"})


@transaction.atomic
def expert_group_upsert(
    *,
    network: Network,
    slug: str,
    name: str,
    description: str = "",
    is_pre_evaluation: bool = False,
    contact_email: str = "",
    weekday: int | None = None,
    local_time: time | None = None,
    time_zone: str = "Europe/Brussels",
    slot_count: int = 0,
    slot_minutes: int = 20,
    actor: Any = None,
) -> tuple[ExpertGroup, bool]:
    """Create the group `slug`, or bring it in line with these values; returns (group, created)."""
    _check_rule(weekday=weekday, local_time=local_time, time_zone=time_zone, slot_count=slot_count)
    values = {
        "network": network,
        "name": name,
        "description": description,
        "is_pre_evaluation": is_pre_evaluation,
        "contact_email": contact_email,
        "weekday": weekday,
        "local_time": local_time,
        "time_zone": time_zone,
        "slot_count": slot_count,
        "slot_minutes": slot_minutes,
    }
    group = ExpertGroup.objects.select_for_update().filter(slug=slug).first()
    if group is None:
        group = ExpertGroup.objects.create(slug=slug, **values)
        audit_record(action="expert_group.create", actor=actor, obj=group)
        return group, True
    changed = [field for field, value in values.items() if getattr(group, field) != value]
    if changed:
        for field in changed:
            setattr(group, field, values[field])
        group.save(update_fields=changed)
        audit_record(action="expert_group.update", actor=actor, obj=group, detail={"fields": changed})
    return group, False


@transaction.atomic
def group_member_add(
    *, group: ExpertGroup, user: Any, role: str = GroupMembership.GroupRole.MEMBER, actor: Any = None
) -> tuple[GroupMembership, bool]:
    """Make `user` a member (or the coordinator) of `group`; an existing membership takes the new role."""
    membership, created = GroupMembership.objects.get_or_create(
        group=group, user=user, defaults={"role": role}
    )
    if created:
        audit_record(
            action="expert_group.member_add",
            actor=actor,
            obj=group,
            detail={"user_id": user.pk, "role": role},
        )
    elif membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(
            action="expert_group.member_role",
            actor=actor,
            obj=group,
            detail={"user_id": user.pk, "role": role},
        )
    return membership, created
