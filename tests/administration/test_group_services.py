"""Expert groups for network admins: add and edit groups of their own networks, set the weekly rule with
clear field errors, add, re-role and remove members; every change audited, another network's group a 404."""

from datetime import time

import pytest

from concilium.audit.models import AuditEvent
from concilium.core.errors import DomainError
from concilium.core.roles import Role
from concilium.scheduling.models import ExpertGroup, GroupMembership, Weekday
from concilium.scheduling.services import (
    SchedulingError,
    expert_group_create,
    expert_group_rule_set,
    expert_group_update,
    group_member_remove,
    group_member_set,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RULE = {
    "weekday": Weekday.THURSDAY,
    "local_time": time(14, 0),
    "time_zone": "Europe/Brussels",
    "slot_count": 6,
    "slot_minutes": 20,
}


def actions(group: ExpertGroup) -> list[tuple[str, dict[str, object]]]:
    found = AuditEvent.objects.filter(object_type="scheduling.expertgroup", object_id=str(group.pk))
    return list(found.order_by("id").values_list("action", "detail"))


def test_a_network_admin_adds_a_group_to_their_network(network_admin, own_network) -> None:
    group = expert_group_create(
        actor=network_admin, network=own_network, name="Bone Sarcoma Group", is_pre_evaluation=True
    )
    assert (group.network, group.slug, group.is_pre_evaluation) == (own_network, "bone-sarcoma-group", True)
    assert actions(group) == [("expert_group.create", {"network_id": own_network.pk})]
    second = expert_group_create(actor=network_admin, network=own_network, name="Bone Sarcoma Group")
    assert second.slug == "bone-sarcoma-group-2"


def test_a_group_goes_only_to_a_network_one_administers(network_admin, own_group, foreign_network) -> None:
    with pytest.raises(SchedulingError) as refused:
        expert_group_create(actor=network_admin, network=foreign_network, name="Mine")
    assert (refused.value.code, refused.value.field) == (SchedulingError.NETWORK_NOT_ADMINISTERED, "network")
    with pytest.raises(SchedulingError):
        expert_group_update(actor=network_admin, group=own_group, network=foreign_network, name="Moved")
    assert ExpertGroup.objects.count() == 1


def test_an_edit_records_the_fields_it_changed(network_admin, own_group, own_network) -> None:
    expert_group_update(
        actor=network_admin,
        group=own_group,
        network=own_network,
        name="Brain Tumour Expert Group",
        description="Paediatric CNS tumours.",
        is_pre_evaluation=False,
    )
    assert actions(own_group) == [("expert_group.update", {"fields": ["description"]})]


def test_another_networks_group_is_not_found(network_admin, foreign_group) -> None:
    for change in (
        lambda: expert_group_rule_set(actor=network_admin, group=foreign_group, **RULE),
        lambda: group_member_set(actor=network_admin, group=foreign_group, user=UserFactory()),
    ):
        with pytest.raises(DomainError) as refused:
            change()
        assert refused.value.status == 404
    assert actions(foreign_group) == []


@pytest.mark.parametrize("persona", ["helpdesk", "coordinator", "expert", "requester", "data_manager"])
def test_only_network_admins_configure_groups(request, persona, own_group, own_network) -> None:
    actor = request.getfixturevalue(persona)
    with pytest.raises(DomainError) as refused:
        expert_group_create(actor=actor, network=own_network, name="Mine")
    assert refused.value.status == 403
    with pytest.raises(DomainError) as hidden:
        expert_group_rule_set(actor=actor, group=own_group, **RULE)
    assert hidden.value.status == 404


def test_the_weekly_rule_is_set_and_audited(network_admin, own_group) -> None:
    expert_group_rule_set(actor=network_admin, group=own_group, **RULE)
    own_group.refresh_from_db()
    assert (own_group.weekday, own_group.local_time, own_group.slot_count) == (3, time(14, 0), 6)
    [(action, detail)] = actions(own_group)
    assert action == "expert_group.rule_change"
    assert detail["local_time"] == "14:00:00"
    assert detail["fields"] == ["weekday", "local_time", "slot_count"]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"weekday": 7}, "weekday", "invalid_request"),
        ({"time_zone": "CET/Brussels"}, "time_zone", SchedulingError.UNKNOWN_TIME_ZONE),
        ({"time_zone": "../../etc/passwd"}, "time_zone", SchedulingError.UNKNOWN_TIME_ZONE),
        ({"slot_minutes": 4}, "slot_minutes", "invalid_request"),
        ({"slot_minutes": 241}, "slot_minutes", "invalid_request"),
        ({"slot_count": 25}, "slot_count", "invalid_request"),
        ({"slot_count": -1}, "slot_count", "invalid_request"),
        ({"weekday": None}, "weekday", SchedulingError.RULE_INCOMPLETE),
        ({"local_time": None}, "local_time", SchedulingError.RULE_INCOMPLETE),
    ],
)
def test_a_bad_weekly_rule_is_refused_on_its_field(network_admin, own_group, change, field, code) -> None:
    with pytest.raises(DomainError) as refused:
        expert_group_rule_set(actor=network_admin, group=own_group, **{**RULE, **change})
    assert (refused.value.field, refused.value.code) == (field, code)
    assert actions(own_group) == []


def test_a_group_without_slots_does_not_meet_and_needs_no_day(network_admin, own_group) -> None:
    expert_group_rule_set(
        actor=network_admin, group=own_group, **{**RULE, "weekday": None, "local_time": None, "slot_count": 0}
    )
    own_group.refresh_from_db()
    assert own_group.slot_count == 0


def test_members_are_added_given_a_role_and_removed_each_audited(network_admin, own_group, expert) -> None:
    membership = group_member_set(actor=network_admin, group=own_group, user=expert)
    group_member_set(actor=network_admin, group=own_group, user=expert, role="coordinator")
    group_member_remove(actor=network_admin, group=own_group, membership=membership)

    assert not GroupMembership.objects.exists()
    assert actions(own_group) == [
        ("expert_group.member_add", {"user_id": expert.pk, "role": "member"}),
        ("expert_group.member_role", {"user_id": expert.pk, "role": "coordinator"}),
        ("expert_group.member_remove", {"user_id": expert.pk, "role": "coordinator"}),
    ]


@pytest.mark.parametrize(
    "account",
    [
        {"role": Role.HELPDESK},
        {"role": Role.DATA_MANAGER},
        {"role": Role.EXPERT, "status": "suspended", "is_active": False},
    ],
)
def test_only_active_clinicians_join_a_group(network_admin, own_group, account) -> None:
    user = UserFactory(**account)
    with pytest.raises(SchedulingError) as refused:
        group_member_set(actor=network_admin, group=own_group, user=user)
    assert (refused.value.code, refused.value.field) == (SchedulingError.NOT_A_CLINICIAN, "user")
    assert not GroupMembership.objects.exists()


def test_a_membership_of_another_group_is_not_removed_through_this_one(
    network_admin, own_group, own_network, expert
) -> None:
    other = expert_group_create(actor=network_admin, network=own_network, name="Other group")
    membership = group_member_set(actor=network_admin, group=other, user=expert)
    with pytest.raises(DomainError) as refused:
        group_member_remove(actor=network_admin, group=own_group, membership=membership)
    assert refused.value.status == 404
    assert GroupMembership.objects.filter(pk=membership.pk).exists()
