"""The dashboard's "Today" card: what waits for the actor in the case workflow, in a few aggregate queries.

Only counts, dates and links: no patient data, so the dashboard itself reads none (and audits none).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from concilium.cases.models import Case, CaseStatus, PanelMember, PanelRole
from concilium.cases.permissions import CasePolicy, can_create_case, can_use_queue

#: Signed recommendations stay "new" on the requester's dashboard this long.
RECENT_RECOMMENDATIONS = timedelta(days=14)
PANEL_AT_WORK = (CaseStatus.ACCEPTED, CaseStatus.SCHEDULED, CaseStatus.DISCUSSED)


@dataclass(frozen=True)
class WorkItem:
    label: str | Promise
    count: int
    url: str
    icon: str
    tone: str = ""  # "", "warning" or "danger": how much it presses
    since: datetime | None = None  # the oldest of them, when age matters
    next_on: datetime | None = None  # the next date they come up


def case_work_summary(*, actor: Any) -> list[WorkItem]:
    """What waits for the actor today, most pressing first; empty lines are left out."""
    items: list[WorkItem] = []
    if can_use_queue(actor):
        items.extend(_queue(actor))
    if can_create_case(actor):
        items.extend(_requester(actor))
    items.extend(_panels(actor))
    return [item for item in items if item.count]


def _queue(actor: Any) -> list[WorkItem]:
    # Only the two statuses counted: the groups' queue index (group, status) reads just those cases.
    in_queue = CasePolicy.visible_in_coordinated_groups(actor).filter(
        status__in=(CaseStatus.SUBMITTED, CaseStatus.ACCEPTED)
    )
    waiting = in_queue.aggregate(
        submitted=Count("id", filter=Q(status=CaseStatus.SUBMITTED)),
        urgent=Count("id", filter=Q(status=CaseStatus.SUBMITTED, urgent=True)),
        oldest=Min("submitted_at", filter=Q(status=CaseStatus.SUBMITTED)),
        to_schedule=Count("id", filter=Q(status=CaseStatus.ACCEPTED)),
    )
    queue = reverse("cases:queue")
    return [
        WorkItem(
            _("Urgent requests to decide"),
            waiting["urgent"],
            f"{queue}?urgent_first=1",
            "lightning",
            "danger",
        ),
        WorkItem(
            _("Requests to decide"),
            waiting["submitted"],
            queue,
            "inboxes",
            "warning" if waiting["oldest"] and timezone.now() - waiting["oldest"] > timedelta(days=7) else "",
            waiting["oldest"],
        ),
        WorkItem(
            _("Accepted cases to schedule"),
            waiting["to_schedule"],
            f"{queue}?status=accepted",
            "calendar-plus",
        ),
    ]


def _requester(actor: Any) -> list[WorkItem]:
    # Only the statuses counted: the hospital's status index reads just those cases, not all of them.
    counted = CasePolicy.visible_at_own_hospital(actor).filter(
        status__in=(CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.SIGNED)
    )
    mine = counted.aggregate(
        drafts=Count("id", filter=Q(status=CaseStatus.DRAFT, requester_id=actor.pk)),
        asked=Count(
            "id",
            filter=Q(
                information_requested_at__isnull=False,
                status__in=(CaseStatus.SUBMITTED, CaseStatus.ACCEPTED),
            ),
        ),
        signed=Count(
            "id",
            filter=Q(status=CaseStatus.SIGNED, signed_at__gte=timezone.now() - RECENT_RECOMMENDATIONS),
        ),
    )
    cases = reverse("cases:list")
    return [
        WorkItem(_("Experts asked for more information"), mine["asked"], cases, "chat-left-text", "warning"),
        WorkItem(_("New signed recommendations"), mine["signed"], f"{cases}?status=signed", "patch-check"),
        WorkItem(_("Your drafts to finish"), mine["drafts"], f"{cases}?status=draft", "pencil-square"),
    ]


def _panels(actor: Any) -> list[WorkItem]:
    # From the cases at work (a few thousand, read from their own small index `case_at_work`), those with a
    # live seat of the actor (one probe each of the seats' unique index): not every seat the actor ever
    # held, which grows case after case for years.
    seat = PanelMember.objects.live().filter(case_id=OuterRef("pk"), user_id=actor.pk)
    seats = Case.objects.filter(
        Exists(seat), status__in=PANEL_AT_WORK, patient__has_care_consent=True
    ).aggregate(
        active=Count("id"),
        to_sign=Count("id", filter=Q(Exists(seat.filter(role=PanelRole.LEAD)), status=CaseStatus.DISCUSSED)),
        next_meeting=Min("discussion_on", filter=Q(discussion_on__gte=timezone.now())),
    )
    panels = reverse("cases:my_panels")
    return [
        WorkItem(_("Recommendations for you to sign"), seats["to_sign"], panels, "pen", "warning"),
        WorkItem(_("Panels at work"), seats["active"], panels, "people", next_on=seats["next_meeting"]),
    ]
