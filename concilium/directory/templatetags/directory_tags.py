"""Template helpers for the directory."""

from html import escape
from typing import cast

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from concilium.directory.forms import OptionField
from concilium.directory.reference import country_name as _country_name
from concilium.directory.selectors import DirectoryEntry

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    """'DE' -> 'Germany' (translated); codes outside Europe are shown as they are."""
    return _country_name(code)


@register.simple_tag
def select_options(field: BoundField) -> SafeString:
    """The <option>s of a filter ("Any" first), the submitted one selected.

    Built with the standard library's escape: the filters hold a hundred options and the page is rendered on
    every keystroke, where Django's widget templates cost milliseconds.
    """
    current = "" if field.value() is None else str(field.value())
    options = [f'<option value="">{escape(str(_("Any")))}</option>']
    for value, label in cast(OptionField, field.field).options:  # the directory's filters
        selected = " selected" if value == current else ""
        options.append(f'<option value="{escape(value)}"{selected}>{escape(label)}</option>')
    return mark_safe("".join(options))  # noqa: S308 - every value and label is escaped above


@register.simple_tag
def directory_rows(rows: list[DirectoryEntry]) -> SafeString:
    """The table rows of a page of results, in Python for the same reason (a tenth of the template's cost)."""
    badge = (
        '<span class="badge badge-reference ms-1"><i class="bi bi-patch-check" aria-hidden="true"></i> '
        f"{escape(str(_('Reference centre')))}</span>"
    )
    none = '<span class="text-secondary">—</span>'
    html = []
    for row in rows:
        languages = " ".join(
            f'<abbr class="badge badge-language" title="{escape(tag.name)}">{escape(tag.code.upper())}</abbr>'
            for tag in row.languages
        )
        networks = " ".join(
            f'<span class="badge badge-network">{escape(tag.name)}</span>' for tag in row.networks
        )
        html.append(
            f'<tr><th scope="row">{escape(row.full_name)}</th><td>{escape(row.specialty)}</td>'
            f"<td><div>{escape(row.hospital_name)}</div>"
            f'<div class="small text-secondary">{escape(row.hospital_city)}'
            f"{' ' + badge if row.is_reference_centre else ''}</div></td>"
            f"<td>{escape(_country_name(row.country))}</td>"
            f"<td>{languages or none}</td><td>{networks or none}</td></tr>"
        )
    return mark_safe("\n".join(html))  # noqa: S308 - every value is escaped above
