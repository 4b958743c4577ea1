"""Reads for the audit log: the admin's search, a count-free page of events, action choices and CSV rows."""

import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from concilium.audit.models import AuditEvent
from concilium.audit.permissions import AuditEventPolicy
from concilium.core.labels import AUDIT_ACTION, AUDIT_FAMILY, has_label, label_for, object_type_label
from concilium.core.pagination import UncountedPage, uncounted_page

PAGE_SIZE = 50
#: Deep offsets get slow on a large log; past this page, ask for a narrower search.
MAX_PAGE = 200
#: Suffix of an action choice that matches every action starting with the part before it ("account.*").
PREFIX_MARK = ".*"
ACTIONS_CACHE_KEY = "audit:known-actions"
ACTIONS_CACHE_SECONDS = 300

CSV_COLUMNS = (
    "time",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "patient_ref",
    "source_ip",
    "outcome",
    "request_id",
    "detail",
    "action_label",  # the action and the object type as the admin's page names them, in their language
    "object_type_label",
)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_search(
    *,
    actor: Any,
    who: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    patient_ref: str = "",
    outcome: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Events `actor` may read, newest first, filtered.

    `who` is an actor id (digits) or an email address, matched exactly (a prefix with a trailing `*`);
    `action` is an exact action or a family such as `account.*`; dates are whole days in the site's time zone.
    """
    queryset = AuditEventPolicy.visible(actor)
    who = who.strip()
    if who.isdigit():
        queryset = queryset.filter(actor_id=int(who))
    elif who.endswith("*"):
        queryset = queryset.filter(actor_label__startswith=who[:-1].lower())
    elif who:
        queryset = queryset.filter(actor_label=who.lower())
    if action.endswith(PREFIX_MARK):
        queryset = queryset.filter(action__startswith=action[: -len(PREFIX_MARK)] + ".")
    elif action:
        queryset = queryset.filter(action=action)
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    if object_id:
        queryset = queryset.filter(object_id=object_id)
    if patient_ref:
        queryset = queryset.filter(patient_ref=patient_ref)
    if outcome:
        queryset = queryset.filter(outcome=outcome)
    if date_from:
        queryset = queryset.filter(at__gte=_start_of(date_from))
    if date_to:
        queryset = queryset.filter(at__lt=_start_of(date_to + timedelta(days=1)))
    return queryset.order_by("-at", "-id")


AuditPage = UncountedPage[AuditEvent]


def audit_event_page(
    queryset: QuerySet[AuditEvent], *, number: int = 1, per_page: int = PAGE_SIZE
) -> AuditPage:
    """The rows of page `number`: one query, one extra row fetched to know whether a next page exists."""
    return uncounted_page(queryset, number=number, per_page=per_page, max_page=MAX_PAGE)


def audit_known_actions() -> list[str]:
    """Every action the log holds, sorted; cached for a few minutes (one DISTINCT query on a cold cache)."""

    def load() -> list[str]:
        return sorted(AuditEvent.objects.order_by().values_list("action", flat=True).distinct())

    return list(cache.get_or_set(ACTIONS_CACHE_KEY, load, ACTIONS_CACHE_SECONDS) or [])


def audit_action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for the action filter: each family (`account.*`) followed by its actions, named by
    their labels in the active language (an action no app names keeps its code)."""
    families: dict[str, list[str]] = {}
    for action in audit_known_actions():
        families.setdefault(action.split(".", 1)[0], []).append(action)
    grouped = []
    for family, actions in sorted(families.items()):
        name = label_for(AUDIT_FAMILY, family)
        every = _("%(family)s: every action") % {"family": name} if has_label(AUDIT_FAMILY, family) else ""
        options = (
            [(f"{family}{PREFIX_MARK}", every or f"{family}.*")] if any("." in a for a in actions) else []
        )
        options += sorted(
            ((action, label_for(AUDIT_ACTION, action)) for action in actions), key=lambda o: o[1]
        )
        grouped.append((name, options))
    return grouped


def audit_export_rows(queryset: QuerySet[AuditEvent], *, chunk_size: int = 2000) -> Iterator[list[str]]:
    """The events of `queryset` as CSV rows (header first), streamed in chunks so memory stays flat; the
    writer (core.spreadsheet) neutralises formula cells."""
    yield list(CSV_COLUMNS)
    for event in queryset.iterator(chunk_size=chunk_size):
        yield [
            value
            for value in (
                event.at.isoformat(),
                "" if event.actor_id is None else str(event.actor_id),
                event.actor_label,
                event.action,
                event.object_type,
                event.object_id,
                event.patient_ref,
                event.source_ip or "",
                event.outcome,
                event.request_id,
                json.dumps(event.detail, sort_keys=True, ensure_ascii=False) if event.detail else "",
                label_for(AUDIT_ACTION, event.action),
                object_type_label(event.object_type) if event.object_type else "",
            )
        ]
