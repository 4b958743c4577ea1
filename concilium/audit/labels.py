"""What the codes of the audit log itself mean to a person."""

from django.utils.translation import gettext_lazy as _

from concilium.core.labels import AUDIT_ACTION, AUDIT_FAMILY, register_labels

register_labels(AUDIT_FAMILY, {"audit": _("Audit log")})
register_labels(
    AUDIT_ACTION,
    {"audit.viewed": _("Audit log read"), "audit.exported": _("Audit log exported")},
)
