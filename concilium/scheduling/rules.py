"""The weekly meeting rule of an expert group: when its next meetings fall, in its own time zone."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WeeklyRule:
    weekday: int  # Monday is 0
    local_time: time
    time_zone: str
    slot_count: int
    slot_minutes: int

    def occurrences(self, after: datetime, count: int = 1) -> list[datetime]:
        """The next `count` meeting starts strictly after `after`, as aware datetimes in the group's zone.

        Computed on the local calendar, so 11:00 in Brussels stays 11:00 across daylight-saving changes;
        compared as instants, so a meeting that started before `after` is never returned.
        """
        zone = ZoneInfo(self.time_zone)
        local_after = after.astimezone(zone)
        day: date = local_after.date() + timedelta(days=(self.weekday - local_after.weekday()) % 7)
        found: list[datetime] = []
        while len(found) < count:
            # Compared and returned as instants: two datetimes of one zone compare on the wall clock, fold
            # ignored, which would take a meeting in the repeated autumn hour for one still to come. A start
            # in the skipped spring hour is returned as the wall-clock time of that instant (an hour later).
            start = datetime.combine(day, self.local_time, tzinfo=zone).astimezone(UTC).astimezone(zone)
            if start.astimezone(UTC) > after.astimezone(UTC):
                found.append(start)
            day += timedelta(days=7)
        return found

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.slot_count * self.slot_minutes)
