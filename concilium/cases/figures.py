"""Coordinator figures: how each expert group and network handles its requests.

Counts and times per group come from a few aggregate queries, whatever the number of cases: requested
(submitted), accepted, declined, the mean wait from submission to the discussion date, the mean time from
submission to the signed recommendation, and the contributions per panel. A panel that finished (signed or
closed) with fewer than two contributions is flagged. No patient data: references, groups and figures only.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from concilium.cases.models import CaseStatus, Contribution
from concilium.scheduling.models import ExpertGroup

#: Statuses a case reaches only after its group accepted it.
ACCEPTED_OR_LATER = (
    CaseStatus.ACCEPTED,
    CaseStatus.SCHEDULED,
    CaseStatus.DISCUSSED,
    CaseStatus.SIGNED,
    CaseStatus.CLOSED,
)
#: Below this many contributions a finished panel is flagged: a recommendation should rest on a discussion.
MIN_CONTRIBUTIONS = 2
FLAGGED_LIMIT = 50


@dataclass
class GroupFigures:
    group_id: int
    group: str
    network: str
    requested: int = 0
    accepted: int = 0
    declined: int = 0
    waiting: timedelta | None = None
    to_signature: timedelta | None = None
    panels_finished: int = 0
    contributions: int = 0
    thin_panels: int = 0

    @property
    def acceptance_percent(self) -> int | None:
        decided = self.accepted + self.declined
        return round(100 * self.accepted / decided) if decided else None

    @property
    def contributions_per_panel(self) -> float | None:
        return round(self.contributions / self.panels_finished, 1) if self.panels_finished else None


@dataclass
class MonthBar:
    month: date
    requested: int
    accepted: int
    declined: int
    percent: int = 0
    accepted_percent: int = 0
    declined_percent: int = 0


@dataclass
class Figures:
    start: date
    end: date
    groups: list[GroupFigures]
    networks: list[GroupFigures]
    months: list[MonthBar]
    flagged: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> GroupFigures:
        return _sum("", "", self.groups)


def _contribution_count() -> Coalesce:
    counted = (
        Contribution.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(total=Count("id"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _mean(start: str, end: str) -> Avg:
    return Avg(ExpressionWrapper(F(end) - F(start), output_field=DurationField()))


def _period(start: date, end: date) -> Q:
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return Q(submitted_at__gte=since, submitted_at__lt=until)


def _sum(group: str, network: str, rows: list[GroupFigures], group_id: int = 0) -> GroupFigures:
    """Counts add up; mean times are weighted by the cases that have them (accepted, and finished panels)."""
    total = GroupFigures(group_id=group_id, group=group, network=network)
    waiting_weight = signature_weight = 0
    waiting = signature = timedelta()
    for row in rows:
        total.requested += row.requested
        total.accepted += row.accepted
        total.declined += row.declined
        total.panels_finished += row.panels_finished
        total.contributions += row.contributions
        total.thin_panels += row.thin_panels
        if row.waiting is not None:
            waiting += row.waiting * row.accepted
            waiting_weight += row.accepted
        if row.to_signature is not None:
            signature += row.to_signature * row.panels_finished
            signature_weight += row.panels_finished
    total.waiting = waiting / waiting_weight if waiting_weight else None
    total.to_signature = signature / signature_weight if signature_weight else None
    return total


def case_figures(*, cases: Any, start: date, end: date) -> Figures:
    """Figures over `cases` (already narrowed to what the actor may see) submitted between start and end."""
    submitted = cases.filter(_period(start, end)).exclude(status=CaseStatus.DRAFT)
    finished = Q(status__in=(CaseStatus.SIGNED, CaseStatus.CLOSED))
    per_group = (
        submitted.annotate(contributions_made=_contribution_count())
        .values("group_id", "group__name", "group__network__name")
        .annotate(
            requested=Count("id"),
            accepted=Count("id", filter=Q(status__in=ACCEPTED_OR_LATER)),
            declined=Count("id", filter=Q(status=CaseStatus.DECLINED)),
            waiting=_mean("submitted_at", "discussion_on"),
            to_signature=_mean("submitted_at", "signed_at"),
            panels_finished=Count("id", filter=finished),
            contributions=Coalesce(Sum("contributions_made", filter=finished), 0),
            thin_panels=Count("id", filter=finished & Q(contributions_made__lt=MIN_CONTRIBUTIONS)),
        )
        .order_by("group__network__name", "group__name")
    )
    group_rows = list(per_group)
    names = _group_names({row["group_id"] for row in group_rows})
    groups = [
        GroupFigures(
            group_id=row["group_id"],
            group=names.get(row["group_id"], row["group__name"]),
            network=row["group__network__name"],
            requested=row["requested"],
            accepted=row["accepted"],
            declined=row["declined"],
            waiting=row["waiting"],
            to_signature=row["to_signature"],
            panels_finished=row["panels_finished"],
            contributions=row["contributions"],
            thin_panels=row["thin_panels"],
        )
        for row in group_rows
    ]
    networks: dict[str, list[GroupFigures]] = {}
    for row in groups:
        networks.setdefault(row.network, []).append(row)
    return Figures(
        start=start,
        end=end,
        groups=groups,
        networks=[_sum("", name, rows) for name, rows in networks.items()],
        months=_months(submitted),
        flagged=_thin_panels(submitted.filter(finished)),
    )


def _months(submitted: Any) -> list[MonthBar]:
    rows = (
        submitted.annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(
            requested=Count("id"),
            accepted=Count("id", filter=Q(status__in=ACCEPTED_OR_LATER)),
            declined=Count("id", filter=Q(status=CaseStatus.DECLINED)),
        )
        .order_by("month")
    )
    bars = [
        MonthBar(
            month=row["month"].date() if isinstance(row["month"], datetime) else row["month"],
            requested=row["requested"],
            accepted=row["accepted"],
            declined=row["declined"],
        )
        for row in rows
    ]
    peak = max((bar.requested for bar in bars), default=0) or 1
    for bar in bars:
        bar.percent = round(100 * bar.requested / peak)
        bar.accepted_percent = round(100 * bar.accepted / peak)
        # Rounded as a running total, so that a month fully decided shows no sliver of "awaiting".
        bar.declined_percent = round(100 * (bar.accepted + bar.declined) / peak) - bar.accepted_percent
    return bars


def _group_names(group_ids: set[int]) -> dict[int, str]:
    """The names of these expert groups in the active language (one small query)."""
    groups = ExpertGroup.objects.filter(pk__in=group_ids).only("id", "name", "translations")
    return {group.pk: group.display_name for group in groups}


def _thin_panels(finished: Any) -> list[dict[str, Any]]:
    rows = list(
        finished.annotate(contributions_made=_contribution_count())
        .filter(contributions_made__lt=MIN_CONTRIBUTIONS)
        .values("id", "reference", "group_id", "group__name", "signed_at", "closed_at", "contributions_made")
        .order_by("-signed_at", "-id")[:FLAGGED_LIMIT]
    )
    names = _group_names({row["group_id"] for row in rows})
    for row in rows:
        row["group__name"] = names.get(row["group_id"], row["group__name"])
    return rows


def figures_csv_rows(figures: Figures) -> list[list[object]]:
    """One row per group, then one per network: the same figures as the page, times in days."""

    def days(value: timedelta | None) -> str:
        return f"{value.total_seconds() / 86400:.1f}" if value is not None else ""

    rows: list[list[object]] = [
        [
            "level",
            "network",
            "group",
            "requested",
            "accepted",
            "declined",
            "mean_days_to_discussion",
            "mean_days_to_signed_recommendation",
            "panels_finished",
            "contributions_per_panel",
            "panels_with_fewer_than_two_contributions",
        ]
    ]
    for level, items in (("group", figures.groups), ("network", figures.networks)):
        rows.extend(
            [
                level,
                item.network,
                item.group,
                item.requested,
                item.accepted,
                item.declined,
                days(item.waiting),
                days(item.to_signature),
                item.panels_finished,
                "" if item.contributions_per_panel is None else item.contributions_per_panel,
                item.thin_panels,
            ]
            for item in items
        )
    return rows
