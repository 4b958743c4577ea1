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

from concilium.core.policy import RolePolicy
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


class PatientPolicy(RolePolicy[Patient]):
    """The one policy for patients: the treating roles of a hospital hold its patients, nobody else."""

    model = Patient
    role_actions = ROLE_ACTIONS
    view_action = PatientAction.VIEW

    @classmethod
    def holds(cls, actor: Any, action: str) -> bool:
        if not super().holds(actor, action):
            return False
        return action not in _HOSPITAL_ACTIONS or bool(actor.hospital_id)

    @classmethod
    def reaches(cls, actor: Any, obj: Any) -> bool:
        """A patient (or one of its consents) of the actor's hospital."""
        patient = obj.patient if isinstance(obj, Consent) else obj
        return cls.holds(actor, PatientAction.VIEW) and patient.hospital_id == actor.hospital_id

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[Patient]) -> QuerySet[Patient]:
        return queryset.filter(hospital_id=actor.hospital_id)


class ConsentPolicy(RolePolicy[Consent]):
    """Consents go with their patient: seen by the treating roles of the patient's hospital."""

    model = Consent
    role_actions = ROLE_ACTIONS
    view_action = PatientAction.VIEW

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[Consent]) -> QuerySet[Consent]:
        return queryset.filter(patient__hospital_id=actor.hospital_id)


class ConsentFormPolicy(RolePolicy[ConsentFormTemplate]):
    """Blank consent forms: network admins see every version; treating roles the current ones."""

    model = ConsentFormTemplate
    role_actions = ROLE_ACTIONS
    view_action = PatientAction.FORMS_DOWNLOAD

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[ConsentFormTemplate]) -> QuerySet[ConsentFormTemplate]:
        if cls.holds(actor, PatientAction.FORMS_MANAGE):
            return queryset
        return queryset.filter(is_current=True)
