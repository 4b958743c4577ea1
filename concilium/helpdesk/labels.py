"""What the codes of the helpdesk mean to a person: registration actions and the notices it sends."""

from django.utils.translation import gettext_lazy as _

from concilium.core.labels import AUDIT_ACTION, AUDIT_FAMILY, NOTIFICATION_KIND, register_labels

register_labels(AUDIT_FAMILY, {"registration": _("Registrations")})
register_labels(
    AUDIT_ACTION,
    {
        "registration.submit": _("Registration submitted"),
        "registration.duplicate": _("Registration for an existing address"),
        "registration.activate": _("Account activated"),
        "registration.reject": _("Registration rejected"),
    },
)
register_labels(
    NOTIFICATION_KIND,
    {
        "registration_received": _("New registration to review"),
        "registration_duplicate": _("Registration for an existing account"),
        "account_activated": _("Account activated"),
        "account_rejected": _("Registration rejected"),
    },
)
