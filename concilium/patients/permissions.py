"""Who may do what with patients, consents and consent forms.

Patients belong to a hospital. The treating roles — clinician, expert and group coordinator accounts, all
physicians who treat patients at their own hospital and may bring them to a panel (the same roles the cases
app counts as the hospital's clinicians) — see, enrol and update the patients of their hospital, and record
and withdraw their consents. Nobody else sees a patient page: another hospital's patient is a 404.
(Coordinators and panel members see a pseudonymised patient header inside the cases they may see; that is
the cases app's business.) Network admins keep the blank consent forms; treating roles download them.
"""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from concilium.core.roles import CLINICAL_ROLES, Role
from concilium.patients.models import Consent, ConsentFormTemplate, Patient


class PatientAction(StrEnum):
    #: Open the "My patients" list, a patient's page and a signed consent document.
    VIEW = "view"
    ENROL = "enrol"
    UPDATE = "update"
    CONSENT_RECORD = "consent_record"
    CONSENT_WITHDRAW = "consent_withdraw"
    #: Upload and list blank consent forms (every language and version).
    FORMS_MANAGE = "forms_manage"
    #: Download a current blank consent form to print.
    FORMS_DOWNLOAD = "forms_download"


#: Roles that treat patients at their hospital and so hold patients: the clinical roles.
TREATING_ROLES = CLINICAL_ROLES

_TREATING = frozenset(
    {
        PatientAction.VIEW,
        PatientAction.ENROL,
        PatientAction.UPDATE,
        PatientAction.CONSENT_RECORD,
        PatientAction.CONSENT_WITHDRAW,
        PatientAction.FORMS_DOWNLOAD,
    }
)

#: Role -> the patient actions it holds. A role not listed holds none.
ROLE_ACTIONS: dict[str, frozenset[PatientAction]] = {
    Role.CLINICIAN: _TREATING,
    Role.EXPERT: _TREATING,
    Role.COORDINATOR: _TREATING,
    Role.NETWORK_ADMIN: frozenset({PatientAction.FORMS_MANAGE, PatientAction.FORMS_DOWNLOAD}),
}

#: Actions that need the actor to work at a hospital (the patient's).
_HOSPITAL_ACTIONS = _TREATING - {PatientAction.FORMS_DOWNLOAD}


class PatientPolicy:
    """The one policy for patients and their consents: checks an action and narrows a queryset."""

    @staticmethod
    def can(actor: Any, action: PatientAction, obj: Patient | Consent | None = None) -> bool:
        """True when `actor` holds `action` and, given a patient or consent, when it is of their hospital."""
        if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
            return False
        if action not in ROLE_ACTIONS.get(actor.role, frozenset()):
            return False
        if action in _HOSPITAL_ACTIONS and not actor.hospital_id:
            return False
        if obj is not None:
            patient = obj.patient if isinstance(obj, Consent) else obj
            return patient.hospital_id == actor.hospital_id
        return True

    @classmethod
    def visible(cls, actor: Any, queryset: QuerySet[Patient] | None = None) -> QuerySet[Patient]:
        """The patients of the actor's hospital for treating roles; nothing for anyone else."""
        queryset = Patient.objects.all() if queryset is None else queryset
        if not cls.can(actor, PatientAction.VIEW):
            return queryset.none()
        return queryset.filter(hospital_id=actor.hospital_id)

    @classmethod
    def visible_consents(cls, actor: Any, queryset: QuerySet[Consent] | None = None) -> QuerySet[Consent]:
        queryset = Consent.objects.all() if queryset is None else queryset
        if not cls.can(actor, PatientAction.VIEW):
            return queryset.none()
        return queryset.filter(patient__hospital_id=actor.hospital_id)


class ConsentFormPolicy:
    """Blank consent forms: network admins see every version; treating roles the current ones."""

    @staticmethod
    def can(actor: Any, action: PatientAction) -> bool:
        return PatientPolicy.can(actor, action)

    @staticmethod
    def visible(
        actor: Any, queryset: QuerySet[ConsentFormTemplate] | None = None
    ) -> QuerySet[ConsentFormTemplate]:
        queryset = ConsentFormTemplate.objects.all() if queryset is None else queryset
        if PatientPolicy.can(actor, PatientAction.FORMS_MANAGE):
            return queryset
        if PatientPolicy.can(actor, PatientAction.FORMS_DOWNLOAD):
            return queryset.filter(is_current=True)
        return queryset.none()
