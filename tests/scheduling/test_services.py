"""expert_group_upsert and group_member_add: idempotent writes, each change audited once."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from concilium.audit.models import AuditEvent
from concilium.scheduling.models import ExpertGroup, GroupMembership, Weekday
from concilium.scheduling.services import expert_group_upsert, group_member_add
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db

BRAIN = {
    "slug": "brain",
    "name": "Brain tumour board",
    "description": "Paediatric CNS tumours.",
    "contact_email": "brain@ern.example",
    "weekday": Weekday.THURSDAY,
    "local_time": time(14, 0),
    "time_zone": "Europe/Helsinki",
    "slot_count": 3,
    "slot_minutes": 25,
}


@pytest.fixture
def network():  # type: ignore[no-untyped-def]
    return NetworkFactory(code="ern-paedcan", name="ERN PaedCan")


def audit_trail(group: ExpertGroup) -> list[tuple[str, int | None, dict[str, object]]]:
    events = AuditEvent.objects.filter(object_type="scheduling.expertgroup", object_id=str(group.pk))
    return list(events.order_by("id").values_list("action", "actor_id", "detail"))


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}
    ]


# --- expert_group_upsert -----------------------------------------------------------------------------------


def test_upsert_creates_the_group_with_its_weekly_rule_and_audits_it(network, network_admin) -> None:
    group, created = expert_group_upsert(network=network, actor=network_admin, **BRAIN)  # type: ignore[arg-type]

    group.refresh_from_db()
    assert created is True
    assert (group.network, group.slug, group.name, group.description, group.contact_email) == (
        network,
        "brain",
        "Brain tumour board",
        "Paediatric CNS tumours.",
        "brain@ern.example",
    )
    assert (group.weekday, group.local_time, group.time_zone) == (3, time(14, 0), "Europe/Helsinki")
    assert (group.slot_count, group.slot_minutes, group.is_pre_evaluation) == (3, 25, False)
    assert audit_trail(group) == [("expert_group.create", network_admin.pk, {})]


def test_second_identical_upsert_changes_nothing_and_audits_nothing(network, network_admin) -> None:
    first, _created = expert_group_upsert(network=network, actor=network_admin, **BRAIN)  # type: ignore[arg-type]

    with CaptureQueriesContext(connection) as queries:
        again, created = expert_group_upsert(network=network, actor=network_admin, **BRAIN)  # type: ignore[arg-type]

    assert (again.pk, created) == (first.pk, False)
    assert writes(queries) == []
    assert ExpertGroup.objects.count() == 1
    assert audit_trail(first) == [("expert_group.create", network_admin.pk, {})]


def test_upsert_of_an_existing_slug_saves_and_audits_only_the_changed_fields(network, network_admin) -> None:
    group, _created = expert_group_upsert(network=network, **BRAIN)  # type: ignore[arg-type]
    changes = {**BRAIN, "name": "CNS tumour board", "local_time": time(15, 30), "slot_count": 4}

    updated, created = expert_group_upsert(network=network, actor=network_admin, **changes)  # type: ignore[arg-type]

    updated.refresh_from_db()
    assert (updated.pk, created) == (group.pk, False)
    assert (updated.name, updated.local_time, updated.slot_count) == ("CNS tumour board", time(15, 30), 4)
    assert audit_trail(group) == [
        ("expert_group.create", None, {}),
        ("expert_group.update", network_admin.pk, {"fields": ["name", "local_time", "slot_count"]}),
    ]


def test_upsert_brings_omitted_fields_back_to_their_defaults(network) -> None:
    group, _created = expert_group_upsert(network=network, is_pre_evaluation=True, **BRAIN)  # type: ignore[arg-type]

    expert_group_upsert(network=network, slug="brain", name="Brain tumour board")

    group.refresh_from_db()
    assert (group.description, group.contact_email, group.is_pre_evaluation) == ("", "", False)
    assert (group.weekday, group.local_time, group.time_zone) == (None, None, "Europe/Brussels")
    assert (group.slot_count, group.slot_minutes) == (0, 20)
    assert audit_trail(group)[-1] == (
        "expert_group.update",
        None,
        {
            "fields": [
                "description",
                "is_pre_evaluation",
                "contact_email",
                "weekday",
                "local_time",
                "time_zone",
                "slot_count",
                "slot_minutes",
            ]
        },
    )


def test_upsert_can_move_a_group_to_another_network(network) -> None:
    group, _created = expert_group_upsert(network=network, **BRAIN)  # type: ignore[arg-type]
    other = NetworkFactory(code="ern-euracan", name="ERN EURACAN")

    expert_group_upsert(network=other, **BRAIN)  # type: ignore[arg-type]

    group.refresh_from_db()
    assert group.network == other
    assert audit_trail(group)[-1] == ("expert_group.update", None, {"fields": ["network"]})


@pytest.mark.parametrize("time_zone", ["Europe/Nowhere", "", "../../etc/passwd", "CET+1"])
def test_upsert_refuses_an_unknown_time_zone_and_writes_nothing(network, time_zone: str) -> None:
    with pytest.raises(ValidationError) as refused:
        expert_group_upsert(network=network, **{**BRAIN, "time_zone": time_zone})  # type: ignore[arg-type]

    assert refused.value.message_dict == {"time_zone": [f"unknown time zone {time_zone!r}"]}
    assert ExpertGroup.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_upsert_with_an_unknown_time_zone_leaves_the_existing_group_as_it_was(network) -> None:
    group, _created = expert_group_upsert(network=network, **BRAIN)  # type: ignore[arg-type]

    with pytest.raises(ValidationError):
        expert_group_upsert(network=network, **{**BRAIN, "name": "Renamed", "time_zone": "Europe/Nowhere"})  # type: ignore[arg-type]

    group.refresh_from_db()
    assert (group.name, group.time_zone) == ("Brain tumour board", "Europe/Helsinki")
    assert [action for action, _actor, _detail in audit_trail(group)] == ["expert_group.create"]


@pytest.mark.parametrize(
    ("weekday", "local_time"),
    [(None, time(14, 0)), (Weekday.THURSDAY, None), (None, None)],
    ids=["no-weekday", "no-time", "neither"],
)
def test_upsert_refuses_slots_without_a_weekday_and_a_local_time(network, weekday, local_time) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        expert_group_upsert(network=network, **{**BRAIN, "weekday": weekday, "local_time": local_time})  # type: ignore[arg-type]

    assert refused.value.message_dict == {
        "weekday": ["a group with weekly slots needs a weekday and a local time"]
    }
    assert ExpertGroup.objects.count() == 0


def test_upsert_accepts_a_group_without_slots_or_weekly_rule(network) -> None:
    group, created = expert_group_upsert(
        network=network, slug="pre", name="Pre-evaluation", is_pre_evaluation=True
    )

    group.refresh_from_db()
    assert created is True
    assert (group.weekday, group.local_time, group.slot_count, group.is_pre_evaluation) == (
        None,
        None,
        0,
        True,
    )


def test_upsert_leaves_a_too_short_slot_to_the_database_constraint(network) -> None:
    """Current behaviour: the service validates the zone and the rule, not the slot length; the database
    check constraint refuses it with an IntegrityError (not a ValidationError) and nothing is written."""
    with pytest.raises(IntegrityError), transaction.atomic():
        expert_group_upsert(network=network, **{**BRAIN, "slot_minutes": 4})  # type: ignore[arg-type]

    assert ExpertGroup.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_upsert_accepts_weekday_seven(network) -> None:
    """Current behaviour: no range check on the weekday; 7 is stored (and the rule reads it as Monday)."""
    group, _created = expert_group_upsert(network=network, **{**BRAIN, "weekday": 7})  # type: ignore[arg-type]

    assert ExpertGroup.objects.get(pk=group.pk).weekday == 7


# --- group_member_add --------------------------------------------------------------------------------------


@pytest.fixture
def brain(network) -> ExpertGroup:
    group, _created = expert_group_upsert(network=network, **BRAIN)  # type: ignore[arg-type]
    return group


def test_member_add_makes_a_member_and_audits_it(brain, expert, coordinator) -> None:
    membership, created = group_member_add(group=brain, user=expert, actor=coordinator)

    assert created is True
    assert GroupMembership.objects.get(pk=membership.pk).role == "member"
    assert list(brain.members.all()) == [expert]
    assert audit_trail(brain)[1:] == [
        ("expert_group.member_add", coordinator.pk, {"user_id": expert.pk, "role": "member"})
    ]


def test_member_add_can_make_the_coordinator_directly(brain, coordinator) -> None:
    membership, created = group_member_add(group=brain, user=coordinator, role="coordinator")

    assert (created, GroupMembership.objects.get(pk=membership.pk).role) == (True, "coordinator")
    assert audit_trail(brain)[1:] == [
        ("expert_group.member_add", None, {"user_id": coordinator.pk, "role": "coordinator"})
    ]


def test_second_member_add_with_the_same_role_changes_nothing(brain, expert) -> None:
    first, _created = group_member_add(group=brain, user=expert)

    with CaptureQueriesContext(connection) as queries:
        again, created = group_member_add(group=brain, user=expert)

    assert (again.pk, created) == (first.pk, False)
    assert writes(queries) == []
    assert GroupMembership.objects.filter(group=brain).count() == 1
    assert [action for action, _actor, _detail in audit_trail(brain)] == [
        "expert_group.create",
        "expert_group.member_add",
    ]


def test_member_add_with_another_role_changes_the_role_and_audits_it(brain, expert, network_admin) -> None:
    first, _created = group_member_add(group=brain, user=expert)

    again, created = group_member_add(
        group=brain, user=expert, role=GroupMembership.GroupRole.COORDINATOR, actor=network_admin
    )

    assert (again.pk, created) == (first.pk, False)
    assert GroupMembership.objects.get(pk=first.pk).role == "coordinator"
    assert audit_trail(brain)[-1] == (
        "expert_group.member_role",
        network_admin.pk,
        {"user_id": expert.pk, "role": "coordinator"},
    )
