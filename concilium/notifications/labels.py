"""What the codes of the outbox mean to a person: its audit action and its own notification kind."""

from django.utils.translation import gettext_lazy as _

from concilium.core.labels import AUDIT_ACTION, AUDIT_FAMILY, NOTIFICATION_KIND, register_labels

register_labels(AUDIT_FAMILY, {"notification": _("Notifications")})
register_labels(AUDIT_ACTION, {"notification.retry": _("Email sent again")})
register_labels(NOTIFICATION_KIND, {"outbox_test": _("Test message")})
