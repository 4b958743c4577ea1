"""What the codes of the directory mean to a person."""

from django.utils.translation import gettext_lazy as _

from concilium.core.labels import AUDIT_ACTION, AUDIT_FAMILY, register_labels

register_labels(
    AUDIT_FAMILY, {"directory": _("Directory"), "hospital": _("Hospitals"), "network": _("Networks")}
)
register_labels(
    AUDIT_ACTION,
    {
        "directory.import": _("Clinicians imported"),
        "hospital.create": _("Hospital added"),
        "hospital.update": _("Hospital changed"),
        "network.create": _("Network added"),
        "network.update": _("Network changed"),
    },
)
