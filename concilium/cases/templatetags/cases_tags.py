"""Template helpers for the cases pages: the pieces every row of a list shows, rendered in Python (an include
per cell and row cost more than the page's queries)."""

from datetime import datetime
from functools import lru_cache
from html import escape
from typing import Any

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from concilium.cases.models import CaseStatus
from concilium.core.templatetags.core_tags import age
from concilium.patients.models import CodeSystem

register = template.Library()

STATUS_LABELS = dict(CaseStatus.choices)
CODE_SYSTEMS = dict(CodeSystem.choices)
CONSENT_BADGE = '<span class="badge {}"><i class="bi {}" aria-hidden="true"></i> {}</span>'

#: Bootstrap's colour for each status; declined and stopped cases, the ones that went no further, are red.
STATUS_COLOURS = {
    CaseStatus.DRAFT: "text-bg-secondary",
    CaseStatus.SUBMITTED: "text-bg-info",
    CaseStatus.ACCEPTED: "text-bg-primary",
    CaseStatus.SCHEDULED: "text-bg-warning",
    CaseStatus.DISCUSSED: "text-bg-info",
    CaseStatus.SIGNED: "text-bg-success",
    CaseStatus.CLOSED: "text-bg-dark",
}


@register.simple_tag
def status_badge(case: Any) -> SafeString:
    """The case's status as a coloured badge."""
    colour = STATUS_COLOURS.get(case.status, "text-bg-danger")
    # The label from the enum, not `get_status_display()`, which rebuilds (and translates) every choice.
    return format_html(
        '<span class="badge {}">{}</span>', colour, STATUS_LABELS.get(case.status, case.status)
    )


#: A case id no case has, put in the case page's URL once and replaced by each row's id.
_SENTINEL = 918273645


@lru_cache(maxsize=8)
def _case_url_pattern(script_prefix: str) -> str:
    return reverse("cases:detail", args=[_SENTINEL]).replace(str(_SENTINEL), "{}")


def case_url(pk: int) -> str:
    """The case page's address, without resolving the URL configuration for every row of a list."""
    return _case_url_pattern(get_script_prefix()).format(int(pk))


def _created(value: datetime) -> str:
    local = timezone.localtime(value)
    return f'<time datetime="{local.isoformat()}">{date_format(local, "SHORT_DATE_FORMAT")}</time>'


def _diagnosis(patient: Any) -> str:
    """`patients_tags.diagnosis_label`, escaped by hand."""
    code = patient.diagnosis_code
    if code is None:
        return escape(patient.diagnosis)
    system = escape(str(CODE_SYSTEMS.get(code.system, code.system)))
    return (
        f'{escape(patient.diagnosis)} <code class="small" title="{escape(code.label)}">'
        f"{system} {escape(code.code)}</code>"
    )


@register.simple_tag
def case_row(case: Any) -> SafeString:
    """One row of "My cases", built in Python in one call with plain escaping: a template per cell (and a
    URL look-up, a date filter, a choice label and `format_html` each) made the 25 rows cost more than the
    page's queries. The markup is that of the badges' own tags (`status_badge`, `consent_badge`)."""
    patient = case.patient
    urgent = f' <span class="badge text-bg-danger">{escape(_("Urgent"))}</span>' if case.urgent else ""
    if patient.has_care_consent:
        consent = CONSENT_BADGE.format("badge-ok", "bi-shield-check", escape(_("Care consent")))
    else:
        consent = CONSENT_BADGE.format(
            "badge-overdue", "bi-shield-exclamation", escape(_("No valid consent"))
        )
    status = escape(str(STATUS_LABELS.get(case.status, case.status)))
    colour = STATUS_COLOURS.get(case.status, "text-bg-danger")
    asked = (
        f' <span class="badge text-bg-warning">{escape(_("Information requested"))}</span>'
        if case.information_requested_at
        else ""
    )
    return mark_safe(  # noqa: S308 (every value is escaped here)
        f'<tr><td class="text-nowrap"><a href="{case_url(case.pk)}">{escape(case.reference)}</a>{urgent}</td>'
        f'<td class="text-nowrap">{escape(patient.pseudonym)} {consent}</td><td>{_diagnosis(patient)}</td>'
        f"<td>{escape(case.group.display_name)}</td>"
        f'<td><span class="badge {colour}">{status}</span>{asked}</td>'
        f'<td class="small text-nowrap">{_created(case.created_at)}</td></tr>'
    )


#: The waiting time's badge by how much it presses (queue rows).
WAIT_BADGES = {"overdue": "badge-overdue", "due-soon": "text-bg-warning"}


@register.simple_tag
def queue_row(row: Any, *, scheduled: bool = False) -> SafeString:
    """One row of the coordinator's queue, built in Python in one call (see `case_row`)."""
    case = row["case"]
    patient = case.patient
    urgent = f' <span class="badge text-bg-danger">{escape(_("Urgent"))}</span>' if case.urgent else ""
    asked = (
        f' <span class="badge text-bg-warning">{escape(_("Information requested"))}</span>'
        if case.information_requested_at
        else ""
    )
    submitted = timezone.localtime(case.submitted_at) if case.submitted_at else None
    waited = (
        f'<span class="badge {WAIT_BADGES.get(row["level"], "badge-ok")}" '
        f'title="{escape(date_format(submitted, "DATETIME_FORMAT")) if submitted else ""}">'
        f"{escape(age(case.submitted_at))}</span>"
    )
    discussion = ""
    if scheduled:
        when = (
            date_format(timezone.localtime(case.discussion_on), "DATETIME_FORMAT")
            if case.discussion_on
            else ""
        )
        discussion = f'<td class="small text-nowrap">{escape(when)}</td>'
    return mark_safe(  # noqa: S308 (every value is escaped here)
        f'<tr><td class="text-nowrap"><a href="{case_url(case.pk)}">{escape(case.reference)}</a>'
        f"{urgent}{asked}</td>"
        f'<td class="age-meter">{waited}</td>'
        f'<td class="text-nowrap">{escape(patient.pseudonym)}</td><td>{_diagnosis(patient)}</td>'
        f"<td><div>{escape(str(case.requester))}</div>"
        f'<div class="small text-secondary">{escape(case.hospital.name)}</div></td>'
        f"<td>{escape(case.group.display_name)}</td>{discussion}</tr>"
    )
