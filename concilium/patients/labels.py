"""What the codes of patients mean to a person."""

from django.utils.translation import gettext_lazy as _

from concilium.core.labels import AUDIT_ACTION, AUDIT_FAMILY, register_labels

register_labels(
    AUDIT_FAMILY,
    {"patient": _("Patients"), "consent": _("Consents"), "consent_form": _("Consent forms")},
)
register_labels(
    AUDIT_ACTION,
    {
        "patient.enrol": _("Patient enrolled"),
        "patient.update": _("Patient changed"),
        "patient.view": _("Patient record read"),
        "patient.list": _("Patient list read"),
        "patient.ids_rotated": _("Local identifiers re-encrypted"),
        "consent.record": _("Consent recorded"),
        "consent.withdraw": _("Consent withdrawn"),
        "consent.list": _("Consents read"),
        "consent.document_download": _("Signed consent downloaded"),
        "consent_form.upload": _("Consent form uploaded"),
    },
)
