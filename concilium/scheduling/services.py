"""Writes for expert groups: create or update a group with its weekly rule, add members (the demo and the
operators' `expert_group_upsert`), and the administration's audited, checked changes of each part."""

from datetime import time
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from concilium.audit.services import audit_record
from concilium.core.errors import CommonCode, DomainError, ErrorKind, not_found, register_codes
from concilium.core.roles import CLINICAL_ROLES
from concilium.core.text import clean_text
from concilium.core.translations import clean_translations
from concilium.directory.models import Network
from concilium.directory.permissions import DirectoryAction, NetworkPolicy
from concilium.scheduling.models import ExpertGroup, GroupMembership, Weekday
from concilium.scheduling.permissions import ExpertGroupPolicy, GroupAction


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
    translations: dict[str, dict[str, str]] | None = None,
) -> tuple[ExpertGroup, bool]:
    """Create the group `slug`, or bring it in line with these values; returns (group, created).

    `translations` ({"de": {"name": "…", "description": "…"}}) replaces the group's; None leaves them.
    """
    _check_rule(weekday=weekday, local_time=local_time, time_zone=time_zone, slot_count=slot_count)
    values: dict[str, Any] = {
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
    if translations is not None:
        values["translations"] = clean_translations(translations, keys={"name", "description"})
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


# --- The administration's changes: each checked against the policy, refused with a form field -------------

#: Bounds of the weekly rule: a meeting has at most this many slots, each this short or long (minutes).
MAX_SLOTS = 24
MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 240


class SchedulingError(DomainError):
    """An expert-group change that cannot be made; `field` names the form field it belongs to."""

    NETWORK_NOT_ADMINISTERED = "network_not_administered"
    UNKNOWN_TIME_ZONE = "unknown_time_zone"
    RULE_INCOMPLETE = "rule_incomplete"
    NOT_A_CLINICIAN = "not_a_clinician"


register_codes(
    {
        SchedulingError.NETWORK_NOT_ADMINISTERED: ErrorKind.INVALID,
        SchedulingError.UNKNOWN_TIME_ZONE: ErrorKind.INVALID,
        SchedulingError.RULE_INCOMPLETE: ErrorKind.INVALID,
        SchedulingError.NOT_A_CLINICIAN: ErrorKind.INVALID,
    }
)


@cache
def time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows ("Europe/Brussels", "UTC", ...)."""
    return frozenset(available_timezones())


def _check_network(actor: Any, network: Network) -> None:
    if not NetworkPolicy.can(actor, DirectoryAction.NETWORKS_MANAGE, network):
        raise SchedulingError(
            SchedulingError.NETWORK_NOT_ADMINISTERED,
            _("Choose one of the networks you administer."),
            field="network",
        )


def _group_values(*, name: str, description: str) -> dict[str, str]:
    return {
        "name": clean_text(name, limit=200, field="name", multiline=False, allow_markup=False, required=True),
        "description": clean_text(description, limit=2000, field="description", allow_markup=False),
    }


def _free_slug(name: str) -> str:
    base = (slugify(name) or "group")[:70]
    slug, n = base, 1
    while ExpertGroup.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def expert_group_create(
    *, actor: Any, network: Network, name: str, description: str = "", is_pre_evaluation: bool = False
) -> ExpertGroup:
    """Add an expert group to a network the actor administers; it meets once its weekly rule is set."""
    ExpertGroupPolicy.require(actor, GroupAction.CONFIGURE)
    _check_network(actor, network)
    values = _group_values(name=name, description=description)
    group = ExpertGroup.objects.create(
        network=network, slug=_free_slug(values["name"]), is_pre_evaluation=is_pre_evaluation, **values
    )
    audit_record(action="expert_group.create", actor=actor, obj=group, detail={"network_id": network.pk})
    return group


@transaction.atomic
def expert_group_update(
    *,
    actor: Any,
    group: ExpertGroup,
    network: Network,
    name: str,
    description: str = "",
    is_pre_evaluation: bool = False,
) -> ExpertGroup:
    """Change a group's network (another the actor administers), name, description and pre-evaluation flag."""
    ExpertGroupPolicy.require(actor, GroupAction.CONFIGURE, group)
    _check_network(actor, network)
    locked = ExpertGroup.objects.select_for_update().get(pk=group.pk)
    values: dict[str, Any] = {
        **_group_values(name=name, description=description),
        "network": network,
        "is_pre_evaluation": is_pre_evaluation,
    }
    changed = [field for field, value in values.items() if getattr(locked, field) != value]
    for field in changed:
        setattr(locked, field, values[field])
    if changed:
        locked.save(update_fields=changed)
        audit_record(action="expert_group.update", actor=actor, obj=locked, detail={"fields": changed})
    return locked


def weekly_rule_problem(
    *, weekday: int | None, local_time: time | None, time_zone: str, slot_count: int, slot_minutes: int
) -> SchedulingError | None:
    """Why these values make no weekly rule (the first problem, on its field), or None."""
    checks = (
        (
            weekday is not None and weekday not in Weekday.values,
            CommonCode.INVALID_REQUEST,
            "weekday",
            lambda: _("Choose a day of the week."),
        ),
        (
            time_zone not in time_zones(),
            SchedulingError.UNKNOWN_TIME_ZONE,
            "time_zone",
            lambda: _("Choose a time zone from the list, such as Europe/Brussels."),
        ),
        (
            not 0 <= slot_count <= MAX_SLOTS,
            CommonCode.INVALID_REQUEST,
            "slot_count",
            lambda: _("A meeting has from 0 to %(max)d slots.") % {"max": MAX_SLOTS},
        ),
        (
            not MIN_SLOT_MINUTES <= slot_minutes <= MAX_SLOT_MINUTES,
            CommonCode.INVALID_REQUEST,
            "slot_minutes",
            lambda: (
                _("A slot lasts from %(min)d to %(max)d minutes.")
                % {"min": MIN_SLOT_MINUTES, "max": MAX_SLOT_MINUTES}
            ),
        ),
        (
            bool(slot_count) and weekday is None,
            SchedulingError.RULE_INCOMPLETE,
            "weekday",
            lambda: _("A group that meets needs a day of the week."),
        ),
        (
            bool(slot_count) and local_time is None,
            SchedulingError.RULE_INCOMPLETE,
            "local_time",
            lambda: _("A group that meets needs a start time."),
        ),
    )
    for failed, code, field, message in checks:
        if failed:
            return SchedulingError(code, message(), field=field)
    return None


@transaction.atomic
def expert_group_rule_set(
    *,
    actor: Any,
    group: ExpertGroup,
    weekday: int | None,
    local_time: time | None,
    time_zone: str,
    slot_count: int,
    slot_minutes: int,
) -> ExpertGroup:
    """Set the weekly meeting rule: the group meets on `weekday` at `local_time` in `time_zone` (its wall
    clock, daylight saving included), with `slot_count` slots of `slot_minutes`; no slots: no meeting."""
    ExpertGroupPolicy.require(actor, GroupAction.RULE, group)
    values: dict[str, Any] = {
        "weekday": weekday,
        "local_time": local_time,
        "time_zone": time_zone,
        "slot_count": slot_count,
        "slot_minutes": slot_minutes,
    }
    problem = weekly_rule_problem(**values)
    if problem is not None:
        raise problem
    locked = ExpertGroup.objects.select_for_update().get(pk=group.pk)
    changed = [field for field, value in values.items() if getattr(locked, field) != value]
    for field in changed:
        setattr(locked, field, values[field])
    if changed:
        locked.save(update_fields=changed)
        audit_record(
            action="expert_group.rule_change",
            actor=actor,
            obj=locked,
            detail={
                "fields": changed,
                "weekday": weekday,
                "local_time": local_time.isoformat() if local_time else None,
                "time_zone": time_zone,
                "slot_count": slot_count,
                "slot_minutes": slot_minutes,
            },
        )
    return locked


@transaction.atomic
def group_member_set(
    *, actor: Any, group: ExpertGroup, user: Any, role: str = GroupMembership.GroupRole.MEMBER
) -> GroupMembership:
    """Make an active clinician (any clinical role) a member or a coordinator of the group, or change their
    role in it; audited as `expert_group.member_add` or `expert_group.member_role`."""
    ExpertGroupPolicy.require(actor, GroupAction.MEMBERS, group)
    if role not in GroupMembership.GroupRole.values:
        raise SchedulingError(CommonCode.INVALID_REQUEST, _("Choose one of the listed roles."), field="role")
    if not (getattr(user, "is_active", False) and getattr(user, "role", "") in CLINICAL_ROLES):
        raise SchedulingError(
            SchedulingError.NOT_A_CLINICIAN,
            _("Only active clinicians, experts and coordinators can join an expert group."),
            field="user",
        )
    membership, _created = group_member_add(group=group, user=user, role=role, actor=actor)
    return membership


@transaction.atomic
def group_member_remove(*, actor: Any, group: ExpertGroup, membership: GroupMembership) -> None:
    """Take a person out of the group (their panel seats on accepted cases stay as they are)."""
    ExpertGroupPolicy.require(actor, GroupAction.MEMBERS, group)
    locked = GroupMembership.objects.select_for_update().filter(pk=membership.pk, group=group).first()
    if locked is None:  # another group's membership, or one removed meanwhile
        raise not_found(_("Not found."))
    user_id, role = locked.user_id, locked.role
    locked.delete()
    audit_record(
        action="expert_group.member_remove", actor=actor, obj=group, detail={"user_id": user_id, "role": role}
    )
