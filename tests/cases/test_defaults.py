"""Defaults are valid choices: a form's default, submitted unchanged, is accepted."""

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concilium.cases.models import Case, CaseStatus
from concilium.scheduling.models import ExpertGroup

pytestmark = pytest.mark.django_db


def _default_discussion_on(page: str) -> str:
    found = re.search(r'name="discussion_on"[^>]*value="([^"]*)"', page) or re.search(
        r'value="([^"]*)"[^>]*name="discussion_on"', page
    )
    return found.group(1) if found else ""


@pytest.fixture
def overdue(complete_draft, advance, group):
    """A scheduled case whose planned discussion date has passed without the discussion."""
    case = advance(complete_draft, CaseStatus.SCHEDULED)
    Case.objects.filter(pk=case.pk).update(discussion_on=timezone.now() - timedelta(days=2))
    return Case.objects.get(pk=case.pk)


def test_rescheduling_an_overdue_case_defaults_to_the_groups_next_meeting(
    overdue, group, group_coordinator, client_for
):
    ExpertGroup.objects.filter(pk=group.pk).update(weekday=2, local_time=time(11, 0), slot_count=4)
    client = client_for(group_coordinator)
    url = reverse("cases:schedule", args=[overdue.pk])

    default = _default_discussion_on(client.get(url).content.decode())
    response = client.post(url, {"discussion_on": default})

    assert default.endswith("T11:00")
    assert response.status_code == 302, response.content.decode()
    case = Case.objects.get(pk=overdue.pk)
    assert case.discussion_on > timezone.now()
    assert timezone.localtime(case.discussion_on).weekday() == 2


def test_an_overdue_date_is_not_offered_as_the_default(overdue, group_coordinator, client_for):
    page = client_for(group_coordinator).get(reverse("cases:schedule", args=[overdue.pk])).content.decode()

    assert _default_discussion_on(page) == ""  # no weekly rule: nothing rather than a refused past date


def test_a_planned_date_still_ahead_stays_the_default(complete_draft, advance, group_coordinator, client_for):
    case = advance(complete_draft, CaseStatus.SCHEDULED)
    client = client_for(group_coordinator)
    url = reverse("cases:schedule", args=[case.pk])

    default = _default_discussion_on(client.get(url).content.decode())

    assert default == timezone.localtime(case.discussion_on).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"discussion_on": default}).status_code == 302
