"""Expert groups and memberships as stored: defaults, database constraints, deletion rules."""

from datetime import time

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from concilium.scheduling.models import ExpertGroup, GroupMembership, Weekday
from tests.factories import ExpertGroupFactory, GroupMembershipFactory, NetworkFactory, UserFactory
from tests.scheduling.factories import WeeklyExpertGroupFactory

pytestmark = pytest.mark.django_db


def test_new_group_has_no_weekly_rule_and_meets_in_brussels_time_with_20_minute_slots() -> None:
    group = ExpertGroup.objects.create(network=NetworkFactory(), name="Brain tumour board", slug="brain")
    group.refresh_from_db()

    assert (group.weekday, group.local_time, group.time_zone) == (None, None, "Europe/Brussels")
    assert (group.slot_count, group.slot_minutes) == (0, 20)
    assert (group.is_pre_evaluation, group.description, group.contact_email) == (False, "", "")


def test_weekly_rule_fields_come_back_from_the_database_unchanged() -> None:
    group = WeeklyExpertGroupFactory(
        weekday=Weekday.SUNDAY, local_time=time(23, 45, 30), time_zone="Europe/Lisbon", slot_count=12
    )
    group.refresh_from_db()

    assert (group.weekday, group.local_time, group.time_zone) == (6, time(23, 45, 30), "Europe/Lisbon")
    assert (group.slot_count, group.slot_minutes) == (12, 20)


def test_two_groups_cannot_share_a_slug() -> None:
    network = NetworkFactory()
    ExpertGroup.objects.create(network=network, name="Brain tumour board", slug="brain")

    with pytest.raises(IntegrityError), transaction.atomic():
        ExpertGroup.objects.create(network=network, name="Another brain board", slug="brain")

    assert list(ExpertGroup.objects.values_list("name", flat=True)) == ["Brain tumour board"]


def test_slot_shorter_than_five_minutes_is_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpertGroup.objects.create(network=NetworkFactory(), name="Quick board", slug="quick", slot_minutes=4)

    assert not ExpertGroup.objects.filter(slug="quick").exists()


def test_five_minute_slot_is_the_shortest_accepted() -> None:
    group = ExpertGroup.objects.create(
        network=NetworkFactory(), name="Quick board", slug="quick", slot_minutes=5
    )

    assert ExpertGroup.objects.get(pk=group.pk).slot_minutes == 5


@pytest.mark.parametrize("field", ["weekday", "slot_count"])
def test_negative_weekday_or_slot_count_is_refused_by_the_database(field: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpertGroup.objects.create(network=NetworkFactory(), name="Odd board", slug="odd", **{field: -1})

    assert not ExpertGroup.objects.filter(slug="odd").exists()


def test_weekday_above_sunday_is_accepted_by_the_database() -> None:
    """Current behaviour: nothing below the form layer keeps the weekday within Monday (0) to Sunday (6)."""
    group = ExpertGroup.objects.create(network=NetworkFactory(), name="Odd board", slug="odd", weekday=7)

    assert ExpertGroup.objects.get(pk=group.pk).weekday == 7


def test_user_is_member_of_a_group_once() -> None:
    membership = GroupMembershipFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMembership.objects.create(group=membership.group, user=membership.user, role="coordinator")

    assert list(GroupMembership.objects.values_list("role", flat=True)) == ["member"]


def test_same_user_can_be_member_of_two_groups() -> None:
    user = UserFactory()
    GroupMembershipFactory(user=user, group=ExpertGroupFactory(slug="brain"))
    GroupMembershipFactory(user=user, group=ExpertGroupFactory(slug="sarcoma"))

    assert sorted(user.expert_groups.values_list("slug", flat=True)) == ["brain", "sarcoma"]


def test_network_with_groups_cannot_be_deleted() -> None:
    group = ExpertGroupFactory()

    with pytest.raises(ProtectedError):
        group.network.delete()

    assert ExpertGroup.objects.filter(pk=group.pk).exists()


def test_deleting_a_group_removes_its_memberships_and_keeps_the_users() -> None:
    group = ExpertGroupFactory()
    kept = ExpertGroupFactory()
    user = UserFactory()
    GroupMembershipFactory(group=group, user=user)
    GroupMembershipFactory(group=kept, user=user)

    group.delete()

    assert list(GroupMembership.objects.values_list("group_id", "user_id")) == [(kept.pk, user.pk)]
    assert type(user).objects.filter(pk=user.pk).exists()


def test_groups_are_listed_by_network_name_then_group_name() -> None:
    alpha, beta = (
        NetworkFactory(code="alpha", name="Alpha network"),
        NetworkFactory(code="beta", name="Beta network"),
    )
    ExpertGroupFactory(network=beta, name="Adrenal board", slug="adrenal")
    ExpertGroupFactory(network=alpha, name="Sarcoma board", slug="sarcoma")
    ExpertGroupFactory(network=alpha, name="Brain tumour board", slug="brain")

    assert list(ExpertGroup.objects.values_list("slug", flat=True)) == ["brain", "sarcoma", "adrenal"]


def test_group_and_membership_read_as_names_and_role(expert) -> None:
    group = ExpertGroupFactory(name="Brain tumour board")
    membership = GroupMembershipFactory(group=group, user=expert, role="coordinator")

    assert str(group) == "Brain tumour board"
    assert str(membership) == "Erin Expert in Brain tumour board (Coordinator)"
