"""Reads for the helpdesk: the activation queue, one request, and the dashboard summary."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from concilium.accounts.models import RegistrationRequest
from concilium.helpdesk.permissions import RegistrationRequestPolicy

#: The service level: a registration request is decided within 24 hours of its submission.
ACTIVATION_TARGET = timedelta(hours=24)
#: A request past this share of the target is shown as "due soon".
DUE_SOON_SHARE = 0.75

Decision = RegistrationRequest.Decision


@dataclass(frozen=True)
class RequestAge:
    """How long a request has waited, measured against the activation target."""

    elapsed: timedelta
    target: timedelta = ACTIVATION_TARGET

    @property
    def percent(self) -> int:
        """Share of the target used, 0-100 (capped: an overdue request shows a full bar)."""
        share = self.elapsed / self.target if self.target else 1.0
        return max(0, min(100, int(share * 100)))

    @property
    def overdue(self) -> bool:
        return self.elapsed > self.target

    @property
    def due_soon(self) -> bool:
        return not self.overdue and self.elapsed >= self.target * DUE_SOON_SHARE

    @property
    def remaining(self) -> timedelta:
        """Time left before the target (zero once overdue)."""
        return max(self.target - self.elapsed, timedelta(0))

    @property
    def overdue_by(self) -> timedelta:
        return max(self.elapsed - self.target, timedelta(0))


def request_age(submitted_at: datetime, *, until: datetime | None = None) -> RequestAge:
    """The age of a request submitted at `submitted_at`, up to `until` (default: now)."""
    until = until or timezone.now()
    return RequestAge(elapsed=max(until - submitted_at, timedelta(0)))


def _with_details(queryset: QuerySet[RegistrationRequest]) -> QuerySet[RegistrationRequest]:
    # One query for the rows with applicant, hospital, specialty and reviewer; one for all their languages.
    return queryset.select_related("user", "hospital", "specialty", "decided_by").prefetch_related(
        "languages"
    )


def activation_queue(*, actor: Any, decision: str = Decision.PENDING) -> QuerySet[RegistrationRequest]:
    """Requests with the given decision the actor may review: pending oldest first, decided newest first."""
    queryset = RegistrationRequestPolicy.visible(actor).filter(decision=decision)
    if decision == Decision.PENDING:
        queryset = queryset.order_by("submitted_at", "pk")
    else:
        queryset = queryset.order_by("-decided_at", "-pk")
    return queryset.select_related("user", "hospital", "specialty", "decided_by")


def activation_decision_counts(*, actor: Any) -> dict[str, int]:
    """How many requests there are per decision (one aggregate query)."""
    visible = RegistrationRequestPolicy.visible(actor)
    totals = visible.aggregate(**{value: Count("pk", filter=Q(decision=value)) for value in Decision.values})
    return {value: totals[value] or 0 for value in Decision.values}


def registration_request_get(*, actor: Any, pk: int) -> RegistrationRequest:
    """One request the actor may review, or 404 (the same for missing and forbidden)."""
    return get_object_or_404(_with_details(RegistrationRequestPolicy.visible(actor)), pk=pk)


def activation_queue_summary(*, limit: int = 5, now: datetime | None = None) -> dict[str, object]:
    """The helpdesk dashboard card: pending and overdue counts, the oldest age, the oldest few requests.

    Two queries whatever the queue's length: one aggregate, one for the oldest rows.
    """
    now = now or timezone.now()
    pending = RegistrationRequest.objects.filter(decision=Decision.PENDING)
    totals = pending.aggregate(
        pending=Count("pk"),
        overdue=Count("pk", filter=Q(submitted_at__lt=now - ACTIVATION_TARGET)),
        oldest=Min("submitted_at"),
    )
    oldest_rows = list(pending.select_related("user", "hospital").order_by("submitted_at", "pk")[:limit])
    return {
        "pending": totals["pending"],
        "overdue": totals["overdue"],
        "oldest_age": request_age(totals["oldest"], until=now) if totals["oldest"] else None,
        "oldest": [{"request": row, "age": request_age(row.submitted_at, until=now)} for row in oldest_rows],
        "target_hours": int(ACTIVATION_TARGET.total_seconds() // 3600),
    }
