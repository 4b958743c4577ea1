"""Template helpers for registration pages: durations against the activation target, the operator."""

from django import template
from django.conf import settings

from concilium.core.templatetags.core_tags import duration

register = template.Library()


register.filter("duration", duration)  # one definition, in core_tags


@register.simple_tag
def operator_info() -> dict[str, object]:
    """The organisation running this installation, as configured (OPERATOR_NAME and friends)."""
    return {
        "name": getattr(settings, "OPERATOR_NAME", "") or "Concilium",
        "address": getattr(settings, "OPERATOR_ADDRESS", ""),
        "is_eu_institution": getattr(settings, "OPERATOR_IS_EU_INSTITUTION", False),
        "privacy_email": getattr(settings, "PRIVACY_CONTACT_EMAIL", ""),
        "helpdesk_email": getattr(settings, "HELPDESK_EMAIL", ""),
        "site_url": getattr(settings, "SITE_URL", ""),
    }
