"""The coordinator's queue, "Cases for my groups": submitted cases oldest first, with their waiting time."""

from typing import TypedDict

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from concilium.cases.models import Case, CaseStatus
from concilium.cases.permissions import can_use_queue
from concilium.cases.selectors import QUEUE_STATUSES, case_queue_for, coordinated_groups
from concilium.cases.services.reads import cases_listed

PAGE_SIZE = 25
#: Waiting longer than this (days) shows as overdue; half of it as due soon.
WAIT_OVERDUE_DAYS = 14


class QueueRow(TypedDict):
    case: Case
    waited_days: int
    #: "overdue", "due-soon" or "".
    level: str


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if not can_use_queue(request.user):
        raise PermissionDenied
    status = request.GET.get("status", CaseStatus.SUBMITTED)
    if status not in QUEUE_STATUSES:
        status = CaseStatus.SUBMITTED
    groups = coordinated_groups(actor=request.user)
    group_id = request.GET.get("group", "")
    group = int(group_id) if group_id.isdigit() and int(group_id) in {g.pk for g in groups} else None
    # Urgent cases first unless switched off (the form sends "0", then "1" when the switch is on).
    choices = request.GET.getlist("urgent_first")
    urgent_first = choices[-1] == "1" if choices else True
    page = Paginator(
        case_queue_for(actor=request.user, status=status, group=group, urgent_first=urgent_first), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    now = timezone.now()
    rows: list[QueueRow] = []
    for case in page.object_list:
        waited = (now - case.submitted_at).total_seconds() / 86400 if case.submitted_at else 0
        level = (
            "overdue"
            if waited >= WAIT_OVERDUE_DAYS
            else "due-soon"
            if waited >= WAIT_OVERDUE_DAYS / 2
            else ""
        )
        rows.append({"case": case, "waited_days": int(waited), "level": level})
    cases_listed(
        actor=request.user,
        action="case.queue",
        case_ids=[row["case"].pk for row in rows],
        page=page.number,
    )
    tabs = [{"status": s, "label": CaseStatus(s).label, "active": s == status} for s in QUEUE_STATUSES]
    return render(
        request,
        "cases/queue.html",
        {
            "page_obj": page,
            "rows": rows,
            "tabs": tabs,
            "status": status,
            "scheduled": status == CaseStatus.SCHEDULED,
            "groups": groups,
            "group": group,
            "urgent_first": urgent_first,
            "overdue_days": WAIT_OVERDUE_DAYS,
        },
    )
