"""Writes for registration: a clinician asks for an account; the helpdesk activates or rejects it."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concilium.accounts.models import AccountStatus, RegistrationRequest, User
from concilium.audit.models import Outcome
from concilium.audit.services import audit_record
from concilium.core.errors import DomainError, ErrorKind, register_codes
from concilium.core.roles import Role
from concilium.directory.models import Clinician, Hospital, Language, Specialty
from concilium.helpdesk.permissions import HelpdeskAction, can
from concilium.notifications.models import Notification
from concilium.notifications.services import notification_enqueue

Decision = RegistrationRequest.Decision
EMAIL_ONLY = (Notification.Channel.EMAIL,)
#: Repeated registrations with a known address send its owner one email per interval, not one per attempt.
DUPLICATE_NOTICE_INTERVAL = timedelta(hours=1)


class RegistrationError(DomainError):
    """A registration step that cannot be done; `code` says why, the message says it to a person."""

    ALREADY_DECIDED = "already_decided"
    REASON_REQUIRED = "reason_required"
    COUNTRY_MISMATCH = "country_mismatch"
    CLINICIAN_CONFLICT = "clinician_conflict"


register_codes(
    {
        RegistrationError.ALREADY_DECIDED: ErrorKind.CONFLICT,
        RegistrationError.REASON_REQUIRED: ErrorKind.INVALID,
        RegistrationError.COUNTRY_MISMATCH: ErrorKind.INVALID,
        RegistrationError.CLINICIAN_CONFLICT: ErrorKind.CONFLICT,
    }
)


def _notify_helpdesk_of_new_request() -> None:
    """Tell every active helpdesk user that a request waits; the message names nobody."""
    link = reverse("helpdesk:activation_queue")
    for member in User.objects.filter(role=Role.HELPDESK, is_active=True).order_by("pk"):
        notification_enqueue(app="helpdesk", recipient=member, kind="registration_received", link=link)


def _notify_owner_of_duplicate(owner: User) -> None:
    """Tell the address's owner that someone tried to register it (once per DUPLICATE_NOTICE_INTERVAL)."""
    recent = Notification.objects.filter(
        recipient=owner,
        kind="registration_duplicate",
        created_at__gte=timezone.now() - DUPLICATE_NOTICE_INTERVAL,
    )
    if recent.exists():
        return
    notification_enqueue(
        app="helpdesk",
        recipient=owner,
        kind="registration_duplicate",
        context={"account_status": owner.status},
        link=resolve_url(settings.LOGIN_URL),
        channels=EMAIL_ONLY,
    )


@transaction.atomic
def registration_submit(
    *,
    full_name: str,
    email: str,
    password: str,
    hospital: Hospital,
    specialty: Specialty,
    country: str,
    languages: Iterable[Language],
    professional_role: str,
    reason: str,
    language: str,
) -> RegistrationRequest | None:
    """Create a pending account and its request for the activation queue, and tell the helpdesk.

    When the address already has an account, nothing is created: its owner gets an email instead and the
    caller shows the same confirmation, so the page never reveals which addresses are registered.
    Returns the new request, or None for an address that already had an account.
    """
    if hospital.country != country:
        raise RegistrationError(
            RegistrationError.COUNTRY_MISMATCH, str(_("The hospital is not in the country you chose."))
        )
    email = User.objects.normalize_email(email).lower()
    password_hash = make_password(password)  # hashed on both paths, so timing does not tell them apart
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():  # a concurrent registration of the same address loses here
                user = User.objects.create(
                    email=email,
                    full_name=full_name,
                    password=password_hash,
                    role=Role.CLINICIAN,
                    status=AccountStatus.PENDING,
                    is_active=False,
                    hospital=hospital,
                    language=language,
                )
        except IntegrityError:
            existing = User.objects.get(email__iexact=email)
    if existing is not None:
        _notify_owner_of_duplicate(existing)
        audit_record(action="registration.duplicate", actor=None, obj=existing, outcome=Outcome.DENIED)
        return None

    registration = RegistrationRequest.objects.create(
        user=user,
        hospital=hospital,
        country=country,
        specialty=specialty,
        professional_role=professional_role,
        reason=reason,
        acknowledged_privacy_at=timezone.now(),
    )
    registration.languages.set(languages)
    audit_record(
        action="registration.submit",
        actor=user,
        obj=registration,
        detail={"user_id": user.pk, "hospital_id": hospital.pk, "specialty_id": specialty.pk},
    )
    _notify_helpdesk_of_new_request()
    return registration


def _lock_pending(request_obj: RegistrationRequest, actor: Any) -> RegistrationRequest:
    if not can(actor, HelpdeskAction.REGISTRATION_DECIDE):
        raise PermissionDenied
    locked = RegistrationRequest.objects.select_for_update().select_related("user").get(pk=request_obj.pk)
    if locked.decision != Decision.PENDING:
        raise RegistrationError(
            RegistrationError.ALREADY_DECIDED,
            str(
                _("This request was already decided (%(decision)s).")
                % {"decision": locked.get_decision_display()}
            ),
        )
    return locked


def _link_clinician(registration: RegistrationRequest) -> Clinician:
    """The applicant's directory entry: an existing one with the same address is linked, else a new one."""
    user = registration.user
    clinician = Clinician.objects.select_for_update().filter(email__iexact=user.email).first()
    if clinician is None:
        clinician = Clinician.objects.create(
            full_name=user.full_name,
            email=user.email,
            hospital=registration.hospital,
            specialty=registration.specialty,
            user=user,
        )
    else:
        if clinician.user_id not in (None, user.pk):
            raise RegistrationError(
                RegistrationError.CLINICIAN_CONFLICT,
                str(_("The directory entry with this address belongs to another account.")),
            )
        # The reviewed request is the newer statement of where the clinician works.
        clinician.user = user
        clinician.hospital = registration.hospital
        clinician.specialty = registration.specialty
        clinician.save()
    clinician.languages.add(*registration.languages.all())
    return clinician


@transaction.atomic
def registration_activate(*, request_obj: RegistrationRequest, actor: Any) -> RegistrationRequest:
    """Activate the applicant's account, list them in the directory, and email them a sign-in link."""
    registration = _lock_pending(request_obj, actor)
    user = registration.user
    now = timezone.now()
    registration.decision = Decision.ACTIVATED
    registration.decided_at = now
    registration.decided_by = actor
    registration.save(update_fields=["decision", "decided_at", "decided_by"])
    User.objects.filter(pk=user.pk).update(
        status=AccountStatus.ACTIVE, is_active=True, hospital=registration.hospital
    )
    user.refresh_from_db()
    clinician = _link_clinician(registration)
    audit_record(
        action="registration.activate",
        actor=actor,
        obj=registration,
        detail={"user_id": user.pk, "clinician_id": clinician.pk},
    )
    notification_enqueue(
        app="helpdesk",
        recipient=user,
        kind="account_activated",
        link=resolve_url(settings.LOGIN_URL),
        channels=EMAIL_ONLY,
    )
    return registration


@transaction.atomic
def registration_reject(*, request_obj: RegistrationRequest, actor: Any, reason: str) -> RegistrationRequest:
    """Reject the request with a reason, keep the account closed, and email the applicant the reason."""
    reason = reason.strip()
    if not reason:
        raise RegistrationError(RegistrationError.REASON_REQUIRED, str(_("Give the applicant a reason.")))
    registration = _lock_pending(request_obj, actor)
    user = registration.user
    registration.decision = Decision.REJECTED
    registration.decided_at = timezone.now()
    registration.decided_by = actor
    registration.decision_reason = reason
    registration.save(update_fields=["decision", "decided_at", "decided_by", "decision_reason"])
    User.objects.filter(pk=user.pk).update(status=AccountStatus.REJECTED, is_active=False)
    user.refresh_from_db()
    audit_record(
        action="registration.reject",
        actor=actor,
        obj=registration,
        detail={"user_id": user.pk},
    )
    notification_enqueue(
        app="helpdesk",
        recipient=user,
        kind="account_rejected",
        context={"reason": reason},
        link=reverse("home:about"),
        channels=EMAIL_ONLY,
    )
    return registration
