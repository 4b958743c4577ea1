"""Small template helpers shared by every app."""

from datetime import datetime, timedelta

from django import template
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced (for pagination and sorting links)."""
    request: HttpRequest = context["request"]
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = str(value)
    return query.urlencode()


@register.filter
def duration(value: timedelta | None) -> str:
    """A compact duration such as '3 h 20 min', '2 d 4 h' or '12 minutes'."""
    if value is None:
        return ""
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins}
    return ngettext("%(minutes)d minute", "%(minutes)d minutes", mins) % {"minutes": mins}


@register.filter
def age(moment: datetime | None) -> str:
    """A compact age such as '3 h 20 min' or '2 d 4 h'."""
    if moment is None:
        return ""
    return duration(timezone.now() - moment)


@register.filter
def css_string(value: object) -> str:
    """`value` as the inside of a CSS string (`content: "..."`): letters, digits and spaces as they are,
    every other character as a CSS escape (`-` is `\\00002D`). `escapejs` writes JavaScript escapes
    (`\\u002D`), which CSS shows as the letters "u002D"."""
    return "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):06X}" for ch in str(value))
