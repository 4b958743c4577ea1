"""Template helpers for the outbox page."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from concilium.core.labels import NOTIFICATION_KIND, label_for

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    """What a notification kind means ("Case submitted to the group"), or its code if no app names it."""
    return label_for(NOTIFICATION_KIND, kind)


@register.filter
def due_in(moment: datetime | None) -> str:
    """When a waiting message is next tried: 'now', 'in under a minute' or 'in 5 minutes'."""
    if moment is None:
        return ""
    seconds = (moment - timezone.now()).total_seconds()
    if seconds <= 0:
        return _("now")
    if seconds < 60:
        return _("in under a minute")
    return _("in %(wait)s") % {"wait": timeuntil(moment, depth=1)}
