"""Template helpers for the cases pages: the pieces every row of a list shows, rendered in Python (an include
per cell and row cost more than the page's queries)."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from concilium.cases.models import CaseStatus

register = template.Library()

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
    return format_html('<span class="badge {}">{}</span>', colour, case.get_status_display())
