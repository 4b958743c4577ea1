"""expert_groups_for: the groups a user belongs to, with their role, size and next meeting."""

from datetime import UTC, datetime, time
from unittest import mock
from zoneinfo import ZoneInfoNotFoundError

import pytest

from concilium.scheduling.models import Weekday
from concilium.scheduling.selectors import GroupAtAGlance, expert_groups_for
from tests.factories import ExpertGroupFactory, GroupMembershipFactory, NetworkFactory
from tests.scheduling.factories import WeeklyExpertGroupFactory

pytestmark = pytest.mark.django_db

#: Wednesday 25 March 2026, noon UTC: the week of the spring change.
WEDNESDAY_NOON = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)


def glance(rows: list[GroupAtAGlance]) -> list[tuple[str, str, int, str | None]]:
    return [
        (
            row.group.slug,
            row.role,
            row.member_count,
            row.next_meeting.isoformat() if row.next_meeting is not None else None,
        )
        for row in rows
    ]


@pytest.fixture
def boards(expert, coordinator, requester, outsider):  # type: ignore[no-untyped-def]
    """Three groups of Erin Expert's (one without a weekly rule) and one she is not in."""
    network = NetworkFactory(code="ern-paedcan", name="ERN PaedCan")
    brain = WeeklyExpertGroupFactory(network=network, name="Brain tumour board", slug="brain")
    sarcoma = WeeklyExpertGroupFactory(
        network=network,
        name="Sarcoma board",
        slug="sarcoma",
        weekday=Weekday.TUESDAY,
        local_time=time(17, 0),
        time_zone="Europe/Helsinki",
        slot_count=2,
    )
    neuroblastoma = ExpertGroupFactory(network=network, name="Neuroblastoma panel", slug="neuroblastoma")
    adrenal = WeeklyExpertGroupFactory(network=network, name="Adrenal board", slug="adrenal")
    for group, user, role in [
        (brain, expert, "member"),
        (brain, coordinator, "coordinator"),
        (brain, requester, "member"),
        (sarcoma, expert, "coordinator"),
        (sarcoma, coordinator, "member"),
        (neuroblastoma, expert, "member"),
        (adrenal, outsider, "member"),
        (adrenal, coordinator, "member"),
    ]:
        GroupMembershipFactory(group=group, user=user, role=role)
    return {"brain": brain, "sarcoma": sarcoma, "neuroblastoma": neuroblastoma, "adrenal": adrenal}


def test_lists_the_users_groups_by_name_with_role_size_and_next_meeting_in_the_groups_zone(
    boards, expert
) -> None:
    rows = expert_groups_for(user=expert, now=WEDNESDAY_NOON)

    assert glance(rows) == [
        ("brain", "member", 3, "2026-03-26T14:00:00+01:00"),
        ("neuroblastoma", "member", 1, None),
        ("sarcoma", "coordinator", 2, "2026-03-31T17:00:00+03:00"),
    ]
    assert rows[0].group.network.name == "ERN PaedCan"


def test_reads_everything_in_one_query(boards, expert, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        rows = expert_groups_for(user=expert, now=WEDNESDAY_NOON)
        network_names = [row.group.network.name for row in rows]

    assert network_names == ["ERN PaedCan"] * 3


def test_user_in_no_group_gets_an_empty_list(boards, helpdesk) -> None:
    assert expert_groups_for(user=helpdesk, now=WEDNESDAY_NOON) == []


def test_group_with_a_weekday_and_time_but_no_slots_has_no_next_meeting(expert) -> None:
    group = WeeklyExpertGroupFactory(slug="paused", slot_count=0)
    GroupMembershipFactory(group=group, user=expert)

    assert glance(expert_groups_for(user=expert, now=WEDNESDAY_NOON)) == [("paused", "member", 1, None)]


def test_next_meeting_exactly_at_now_is_the_one_a_week_later(expert) -> None:
    GroupMembershipFactory(group=WeeklyExpertGroupFactory(slug="brain"), user=expert)
    thursday_meeting = datetime(2026, 3, 26, 13, 0, tzinfo=UTC)  # 14:00 in Brussels

    rows = expert_groups_for(user=expert, now=thursday_meeting)

    assert glance(rows) == [("brain", "member", 1, "2026-04-02T14:00:00+02:00")]


def test_without_now_the_next_meeting_is_counted_from_the_current_time(expert) -> None:
    GroupMembershipFactory(group=WeeklyExpertGroupFactory(slug="brain"), user=expert)
    saturday_before_autumn_change = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)

    with mock.patch("django.utils.timezone.now", return_value=saturday_before_autumn_change):
        rows = expert_groups_for(user=expert)

    assert glance(rows) == [("brain", "member", 1, "2026-10-29T14:00:00+01:00")]


def test_weekday_seven_stored_by_hand_shows_a_monday_meeting(expert) -> None:
    """Current behaviour: an out-of-range weekday is not refused anywhere and reads as Monday."""
    GroupMembershipFactory(group=WeeklyExpertGroupFactory(slug="odd", weekday=7), user=expert)

    assert glance(expert_groups_for(user=expert, now=WEDNESDAY_NOON)) == [
        ("odd", "member", 1, "2026-03-30T14:00:00+02:00")
    ]


def test_unknown_zone_stored_without_the_service_makes_the_selector_raise(expert) -> None:
    """Current behaviour: only expert_group_upsert checks the zone; the model stores any text, and the
    selector (the dashboard's "my groups" card) then fails for every member of that group."""
    GroupMembershipFactory(
        group=WeeklyExpertGroupFactory(slug="lost", time_zone="Europe/Nowhere"), user=expert
    )

    with pytest.raises(ZoneInfoNotFoundError):
        expert_groups_for(user=expert, now=WEDNESDAY_NOON)
