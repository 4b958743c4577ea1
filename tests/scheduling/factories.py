"""Scheduling factories: an expert group that meets weekly (tests.factories.ExpertGroupFactory does not)."""

from datetime import time

from concilium.scheduling.models import Weekday
from tests.factories import ExpertGroupFactory


class WeeklyExpertGroupFactory(ExpertGroupFactory):
    """A group meeting on Thursdays at 14:00 Brussels time, three slots of 20 minutes."""

    weekday = Weekday.THURSDAY
    local_time = time(14, 0)
    time_zone = "Europe/Brussels"
    slot_count = 3
    slot_minutes = 20
