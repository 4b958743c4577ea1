"""WeeklyRule: an expert group's meetings fall on one weekday at one local (wall-clock) time in its own zone.

Both 2026 daylight-saving changes happen at 01:00 UTC on a Sunday (29 March, 25 October). Seen from the three
zones below, the skipped hour in March and the repeated hour in October start at local (winter offset + 1):00.

Careful when reading: two aware datetimes that share a tzinfo compare and subtract on their wall clocks, so
absolute durations below are always taken between UTC conversions.
"""

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concilium.scheduling.models import Weekday
from concilium.scheduling.rules import WeeklyRule

#: (zone, winter UTC offset in hours); the summer offset is one hour more.
ZONES = [
    pytest.param("Europe/Lisbon", 0, id="lisbon"),
    pytest.param("Europe/Brussels", 1, id="brussels"),
    pytest.param("Europe/Helsinki", 2, id="helsinki"),
]
WEEK = timedelta(days=7)


def hours(n: int) -> timedelta:
    return timedelta(hours=n)


def offset(n: int) -> str:
    """An ISO 8601 UTC offset of `n` whole hours east of UTC."""
    return f"+{n:02d}:00"


def isoformats(starts: list[datetime]) -> list[str]:
    return [start.isoformat() for start in starts]


def elapsed(starts: list[datetime]) -> list[timedelta]:
    """The absolute time between consecutive starts."""
    return [b.astimezone(UTC) - a.astimezone(UTC) for a, b in pairwise(starts)]


def calendar_gaps(starts: list[datetime]) -> list[timedelta]:
    """The local calendar days between consecutive starts."""
    return [b.date() - a.date() for a, b in pairwise(starts)]


def rule(weekday: int, at: time, zone: str, slot_count: int = 3, slot_minutes: int = 20) -> WeeklyRule:
    return WeeklyRule(weekday, at, zone, slot_count, slot_minutes)


# --- Ordinary weeks across both changes ---------------------------------------------------------------------


@pytest.mark.parametrize(("zone", "winter"), ZONES)
def test_weekly_rule_keeps_local_time_across_spring_change(zone: str, winter: int) -> None:
    starts = rule(Weekday.THURSDAY, time(14, 0), zone).occurrences(datetime(2026, 3, 20, tzinfo=UTC), 3)

    assert isoformats(starts) == [
        f"2026-03-26T14:00:00{offset(winter)}",
        f"2026-04-02T14:00:00{offset(winter + 1)}",
        f"2026-04-09T14:00:00{offset(winter + 1)}",
    ]
    assert [str(start.tzinfo) for start in starts] == [zone] * 3
    assert starts[1].utcoffset() - starts[0].utcoffset() == hours(1)  # type: ignore[operator]
    assert calendar_gaps(starts) == [WEEK, WEEK]
    assert elapsed(starts) == [hours(167), hours(168)]


@pytest.mark.parametrize(("zone", "winter"), ZONES)
def test_weekly_rule_keeps_local_time_across_autumn_change(zone: str, winter: int) -> None:
    starts = rule(Weekday.THURSDAY, time(14, 0), zone).occurrences(datetime(2026, 10, 16, tzinfo=UTC), 3)

    assert isoformats(starts) == [
        f"2026-10-22T14:00:00{offset(winter + 1)}",
        f"2026-10-29T14:00:00{offset(winter)}",
        f"2026-11-05T14:00:00{offset(winter)}",
    ]
    assert [str(start.tzinfo) for start in starts] == [zone] * 3
    assert starts[0].utcoffset() - starts[1].utcoffset() == hours(1)  # type: ignore[operator]
    assert calendar_gaps(starts) == [WEEK, WEEK]
    assert elapsed(starts) == [hours(169), hours(168)]


@pytest.mark.parametrize(("zone", "winter"), ZONES)
def test_sunday_rule_meets_at_its_local_time_on_the_spring_change_day(zone: str, winter: int) -> None:
    starts = rule(Weekday.SUNDAY, time(11, 0), zone).occurrences(datetime(2026, 3, 15, 12, tzinfo=UTC), 3)

    assert isoformats(starts) == [
        f"2026-03-22T11:00:00{offset(winter)}",
        f"2026-03-29T11:00:00{offset(winter + 1)}",
        f"2026-04-05T11:00:00{offset(winter + 1)}",
    ]
    assert [start.astimezone(UTC) for start in starts] == [
        datetime(2026, 3, 22, 11 - winter, tzinfo=UTC),
        datetime(2026, 3, 29, 10 - winter, tzinfo=UTC),
        datetime(2026, 4, 5, 10 - winter, tzinfo=UTC),
    ]
    assert calendar_gaps(starts) == [WEEK, WEEK]
    assert elapsed(starts) == [hours(167), hours(168)]


@pytest.mark.parametrize(("zone", "winter"), ZONES)
def test_sunday_rule_meets_at_its_local_time_on_the_autumn_change_day(zone: str, winter: int) -> None:
    starts = rule(Weekday.SUNDAY, time(11, 0), zone).occurrences(datetime(2026, 10, 11, 12, tzinfo=UTC), 3)

    assert isoformats(starts) == [
        f"2026-10-18T11:00:00{offset(winter + 1)}",
        f"2026-10-25T11:00:00{offset(winter)}",
        f"2026-11-01T11:00:00{offset(winter)}",
    ]
    assert [start.astimezone(UTC) for start in starts] == [
        datetime(2026, 10, 18, 10 - winter, tzinfo=UTC),
        datetime(2026, 10, 25, 11 - winter, tzinfo=UTC),
        datetime(2026, 11, 1, 11 - winter, tzinfo=UTC),
    ]
    assert calendar_gaps(starts) == [WEEK, WEEK]
    assert elapsed(starts) == [hours(169), hours(168)]


# --- A meeting inside the skipped or the repeated hour (zoneinfo, fold=0) ----------------------------------


@pytest.mark.parametrize(("zone", "winter"), ZONES)
def test_meeting_in_the_skipped_hour_is_shown_at_the_wall_time_of_its_instant(zone: str, winter: int) -> None:
    """Sunday at (winter + 1):30 does not exist on 29 March. The meeting happens at 01:30 UTC, the instant
    of the week before (zoneinfo reads the time with the offset from before the change), and is returned as
    the local clock shows that instant, (winter + 2):30 summer time. The week after is 167 hours away."""
    starts = rule(Weekday.SUNDAY, time(winter + 1, 30), zone).occurrences(
        datetime(2026, 3, 20, 12, tzinfo=UTC), 3
    )
    on_change_day = starts[1]

    assert isoformats(starts) == [
        f"2026-03-22T{winter + 1:02d}:30:00{offset(winter)}",
        f"2026-03-29T{winter + 2:02d}:30:00{offset(winter + 1)}",
        f"2026-04-05T{winter + 1:02d}:30:00{offset(winter + 1)}",
    ]
    assert on_change_day.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert elapsed(starts) == [hours(168), hours(167)]


@pytest.mark.parametrize(("zone", "winter"), ZONES)
def test_meeting_in_the_repeated_hour_takes_its_first_pass_once(zone: str, winter: int) -> None:
    """Sunday at (winter + 1):30 happens twice on 25 October. zoneinfo (fold=0) picks the first pass, still on
    summer time (00:30 UTC, as the week before); the second pass (01:30 UTC) is no meeting; the week after is
    169 hours away."""
    weekly = rule(Weekday.SUNDAY, time(winter + 1, 30), zone)
    starts = weekly.occurrences(datetime(2026, 10, 11, 12, tzinfo=UTC), 3)
    on_change_day = starts[1]

    assert isoformats(starts) == [
        f"2026-10-18T{winter + 1:02d}:30:00{offset(winter + 1)}",
        f"2026-10-25T{winter + 1:02d}:30:00{offset(winter + 1)}",
        f"2026-11-01T{winter + 1:02d}:30:00{offset(winter)}",
    ]
    assert on_change_day.fold == 0
    assert on_change_day.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert elapsed(starts) == [hours(168), hours(169)]
    assert isoformats(weekly.occurrences(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), 1)) == [
        f"2026-11-01T{winter + 1:02d}:30:00{offset(winter)}"
    ]


@pytest.mark.parametrize(("zone", "winter"), ZONES)
def test_a_meeting_that_started_in_the_first_pass_of_the_repeated_hour_is_past_in_the_second(
    zone: str, winter: int
) -> None:
    """`after` (01:10 UTC on 25 October) is (winter + 1):10 in the repeated hour's second pass; that day's
    meeting at (winter + 1):30 took place in the first pass (00:30 UTC), 40 minutes earlier: the next meeting
    is a week later. (Compared on the wall clock, fold ignored, the past meeting would come back.)"""
    after = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)

    (start,) = rule(Weekday.SUNDAY, time(winter + 1, 30), zone).occurrences(after, 1)

    assert after.astimezone(ZoneInfo(zone)).fold == 1
    assert start.isoformat() == f"2026-11-01T{winter + 1:02d}:30:00{offset(winter)}"
    assert start.astimezone(UTC) > after


@pytest.mark.parametrize(("zone", "winter"), ZONES)
def test_a_meeting_in_the_skipped_hour_still_to_come_is_returned(zone: str, winter: int) -> None:
    """`after` is 01:15 UTC on 29 March, (winter + 2):15 on the local clock; that day's meeting, set at the
    non-existent (winter + 1):30, happens at 01:30 UTC, 15 minutes later, and is the one returned."""
    (start,) = rule(Weekday.SUNDAY, time(winter + 1, 30), zone).occurrences(
        datetime(2026, 3, 29, 1, 15, tzinfo=UTC), 1
    )

    assert start.isoformat() == f"2026-03-29T{winter + 2:02d}:30:00{offset(winter + 1)}"
    assert start.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


# --- `after`: its zone, and strictly after -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        pytest.param("Europe/Lisbon", "2026-01-05T00:30:00+00:00", id="lisbon"),
        pytest.param("Europe/Brussels", "2026-01-05T00:30:00+01:00", id="brussels"),
        pytest.param("Europe/Helsinki", "2026-01-12T00:30:00+02:00", id="helsinki"),
    ],
)
def test_after_in_utc_is_read_on_the_groups_local_calendar(zone: str, expected: str) -> None:
    """Sunday 4 January 23:00 UTC is still Sunday in Lisbon, midnight on Monday in Brussels and already past a
    Monday 00:30 meeting in Helsinki."""
    starts = rule(Weekday.MONDAY, time(0, 30), zone).occurrences(datetime(2026, 1, 4, 23, 0, tzinfo=UTC), 1)

    assert isoformats(starts) == [expected]


@pytest.mark.parametrize(
    "after",
    [
        pytest.param(datetime(2026, 1, 4, 23, 0, tzinfo=UTC), id="utc"),
        pytest.param(datetime(2026, 1, 4, 18, 0, tzinfo=ZoneInfo("America/New_York")), id="new-york"),
        pytest.param(datetime(2026, 1, 5, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo")), id="tokyo"),
        pytest.param(datetime(2026, 1, 5, 1, 0, tzinfo=ZoneInfo("Europe/Helsinki")), id="helsinki"),
    ],
)
def test_after_in_any_zone_gives_the_same_meetings_in_the_groups_zone(after: datetime) -> None:
    starts = rule(Weekday.MONDAY, time(0, 30), "Europe/Brussels").occurrences(after, 2)

    assert isoformats(starts) == ["2026-01-05T00:30:00+01:00", "2026-01-12T00:30:00+01:00"]
    assert [str(start.tzinfo) for start in starts] == ["Europe/Brussels", "Europe/Brussels"]


@pytest.mark.parametrize(("zone", "winter"), ZONES)
def test_meeting_exactly_at_after_is_not_returned(zone: str, winter: int) -> None:
    meeting = datetime(2026, 6, 10, 16, 0, tzinfo=ZoneInfo(zone))  # a Wednesday, summer time
    weekly = rule(Weekday.WEDNESDAY, time(16, 0), zone)

    assert isoformats(weekly.occurrences(meeting, 1)) == [f"2026-06-17T16:00:00{offset(winter + 1)}"]
    assert isoformats(weekly.occurrences(meeting.astimezone(UTC), 1)) == [
        f"2026-06-17T16:00:00{offset(winter + 1)}"
    ]


@pytest.mark.parametrize(("zone", "winter"), ZONES)
def test_meeting_a_microsecond_after_after_is_returned(zone: str, winter: int) -> None:
    after = datetime(2026, 6, 10, 16, 0, tzinfo=ZoneInfo(zone)).astimezone(UTC) - timedelta(microseconds=1)

    starts = rule(Weekday.WEDNESDAY, time(16, 0), zone).occurrences(after, 1)

    assert isoformats(starts) == [f"2026-06-10T16:00:00{offset(winter + 1)}"]


def test_meeting_later_on_the_same_weekday_is_the_next_one() -> None:
    starts = rule(Weekday.WEDNESDAY, time(16, 0), "Europe/Brussels").occurrences(
        datetime(2026, 6, 10, 9, 0, tzinfo=UTC), 1
    )

    assert isoformats(starts) == ["2026-06-10T16:00:00+02:00"]


# --- count and duration ------------------------------------------------------------------------------------


def test_one_meeting_by_default() -> None:
    starts = rule(Weekday.FRIDAY, time(9, 15), "Europe/Helsinki").occurrences(
        datetime(2026, 2, 2, tzinfo=UTC)
    )

    assert isoformats(starts) == ["2026-02-06T09:15:00+02:00"]


def test_count_gives_that_many_consecutive_weeks_across_the_new_year() -> None:
    starts = rule(Weekday.FRIDAY, time(9, 15), "Europe/Helsinki").occurrences(
        datetime(2026, 12, 15, tzinfo=UTC), 5
    )

    assert isoformats(starts) == [
        "2026-12-18T09:15:00+02:00",
        "2026-12-25T09:15:00+02:00",
        "2027-01-01T09:15:00+02:00",
        "2027-01-08T09:15:00+02:00",
        "2027-01-15T09:15:00+02:00",
    ]


def test_count_zero_gives_no_meeting() -> None:
    weekly = rule(Weekday.FRIDAY, time(9, 15), "Europe/Helsinki")

    assert weekly.occurrences(datetime(2026, 2, 2, tzinfo=UTC), 0) == []


@pytest.mark.parametrize(
    ("slot_count", "slot_minutes", "minutes"),
    [(3, 20, 60), (1, 5, 5), (7, 25, 175), (0, 20, 0)],
)
def test_duration_is_slot_count_times_slot_length(slot_count: int, slot_minutes: int, minutes: int) -> None:
    weekly = rule(Weekday.TUESDAY, time(17, 0), "Europe/Brussels", slot_count, slot_minutes)

    assert weekly.duration == timedelta(minutes=minutes)


def test_rule_is_immutable() -> None:
    weekly = rule(Weekday.TUESDAY, time(17, 0), "Europe/Brussels")

    with pytest.raises(AttributeError):
        weekly.weekday = Weekday.MONDAY  # type: ignore[misc]


def test_weekday_numbers_follow_python_with_monday_zero() -> None:
    week = [date(2026, 3, 23) + timedelta(days=n) for n in range(7)]  # Monday 23 to Sunday 29 March

    assert [Weekday(day.weekday()).label for day in week] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]


def test_weekday_seven_is_not_refused_and_means_monday() -> None:
    """Current behaviour: the rule takes the weekday modulo 7, so an out-of-range 7 silently means Monday."""
    starts = rule(7, time(9, 0), "Europe/Brussels").occurrences(datetime(2026, 1, 1, tzinfo=UTC), 1)

    assert isoformats(starts) == ["2026-01-05T09:00:00+01:00"]
    assert starts[0].weekday() == Weekday.MONDAY


# --- Property ----------------------------------------------------------------------------------------------


@settings(database=None, deadline=None, max_examples=300)
@given(
    after=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31, 23, 59, 59), timezones=st.timezones()
    ),
    weekday=st.integers(min_value=0, max_value=6),
    local_time=st.times().map(lambda at: at.replace(fold=0)),
    zone=st.sampled_from(["Europe/Lisbon", "Europe/Brussels", "Europe/Helsinki"]),
    count=st.integers(min_value=1, max_value=8),
)
def test_any_rule_gives_weekly_increasing_starts_on_its_weekday_at_its_local_time_after_after(
    after: datetime, weekday: int, local_time: time, zone: str, count: int
) -> None:
    group_zone = ZoneInfo(zone)
    starts = WeeklyRule(weekday, local_time, zone, 3, 20).occurrences(after, count)

    assert len(starts) == count
    for start in starts:
        assert str(start.tzinfo) == zone
        assert start.weekday() == weekday
        # At its local time; when that time does not exist (spring), at the wall time of the same instant.
        set_for = datetime.combine(start.date(), local_time, tzinfo=group_zone)
        assert start.astimezone(UTC) == set_for.astimezone(UTC)
        assert start.replace(tzinfo=None) in {
            set_for.replace(tzinfo=None),
            set_for.replace(tzinfo=None) + timedelta(hours=1),
        }
    for earlier, later in pairwise(starts):
        assert later.date() - earlier.date() == WEEK
        assert later.astimezone(UTC) > earlier.astimezone(UTC)
    # The first start is the first one after `after`, as instants: the one a week before is not after it.
    assert starts[0].astimezone(UTC) > after.astimezone(UTC)
    week_before = datetime.combine(starts[0].date() - WEEK, local_time, tzinfo=group_zone)
    assert week_before.astimezone(UTC) <= after.astimezone(UTC)
