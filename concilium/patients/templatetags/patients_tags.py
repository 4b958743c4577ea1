"""Template helpers for the patients pages."""

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.dates import MONTHS

from concilium.directory.reference import country_name

register = template.Library()


@register.filter
def month_name(month: int) -> str:
    return str(MONTHS.get(month, month))


@register.filter
def country_label(code: str) -> str:
    return str(country_name(code))


@register.simple_tag
def case_url(case: Any) -> str:
    """The case page's address, or "" while the cases pages are not there."""
    try:
        return reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        return ""
