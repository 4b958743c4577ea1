"""Template helpers for the patients pages."""

from typing import Any

from django import template
from django.utils.dates import MONTHS
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from concilium.directory.reference import country_name

register = template.Library()


@register.filter
def month_name(month: int) -> str:
    return str(MONTHS.get(month, month))


@register.filter
def country_label(code: str) -> str:
    return str(country_name(code))


@register.filter
def column_value(patient: Any, column: Any) -> object:
    """The value another app's column annotated on a row of the patient list (patients.extensions)."""
    return getattr(patient, column.name, "")


@register.simple_tag
def consent_badge(valid: bool) -> SafeString:
    """Whether the patient has a valid care consent, at a glance (in Python: lists show it on every row)."""
    if valid:
        css, icon, label = "badge-ok", "bi-shield-check", _("Care consent")
    else:
        css, icon, label = "badge-overdue", "bi-shield-exclamation", _("No valid consent")
    badge = '<span class="badge {}"><i class="bi {}" aria-hidden="true"></i> {}</span>'
    return format_html(badge, css, icon, label)


@register.simple_tag
def diagnosis_label(patient: Any) -> SafeString:
    """The diagnosis in the clinician's words, with its code (system and code; the label on hover)."""
    code = patient.diagnosis_code
    if code is None:
        return format_html("{}", patient.diagnosis)
    return format_html(
        '{} <code class="small" title="{}">{} {}</code>',
        patient.diagnosis,
        code.label,
        code.get_system_display(),
        code.code,
    )
