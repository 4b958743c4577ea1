"""Writes on another person's account, by the helpdesk or a network admin, each audited: change the role
(network admins), suspend and reactivate, reset a lost second factor, end every session."""

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.accounts.models import AccountStatus, User
from concilium.accounts.permissions import AccountAction, AccountPolicy
from concilium.accounts.services.authentication import sessions_invalidate
from concilium.audit.services import audit_record
from concilium.core.errors import DomainError, ErrorKind, register_codes
from concilium.core.roles import Role
from concilium.core.text import find_control_character


class AccountChangeError(DomainError):
    """A role change or suspension that cannot be done; `code` says why, the message says it to a person."""

    NOT_ALLOWED = "not_allowed"
    UNKNOWN_ROLE = "unknown_role"
    SAME_ROLE = "same_role"
    SELF = "self"
    NOT_ACTIVE = "not_active"
    NOT_SUSPENDED = "not_suspended"
    NO_SECOND_FACTOR = "no_second_factor"
    REASON_REQUIRED = "reason_required"


register_codes(
    {
        AccountChangeError.NOT_ALLOWED: ErrorKind.FORBIDDEN,
        AccountChangeError.UNKNOWN_ROLE: ErrorKind.INVALID,
        AccountChangeError.SAME_ROLE: ErrorKind.CONFLICT,
        AccountChangeError.SELF: ErrorKind.CONFLICT,
        AccountChangeError.NOT_ACTIVE: ErrorKind.CONFLICT,
        AccountChangeError.NOT_SUSPENDED: ErrorKind.CONFLICT,
        AccountChangeError.NO_SECOND_FACTOR: ErrorKind.CONFLICT,
        AccountChangeError.REASON_REQUIRED: ErrorKind.INVALID,
    }
)


def _check_actor(actor: User, user: User, action: AccountAction) -> None:
    # Admins never act on themselves, so the acting admin is always another active one: the network cannot
    # lose its last network admin through these services.
    if AccountPolicy.refusal(actor, action, user) is not None:
        raise AccountChangeError(AccountChangeError.NOT_ALLOWED, _("You may not change this account."))
    if actor.pk == user.pk:
        raise AccountChangeError(
            AccountChangeError.SELF, _("Ask another network admin to change your own account.")
        )


@transaction.atomic
def user_role_change(*, user: User, role: Role | str, actor: User) -> User:
    """Give `user` another role, audited with the old and the new one; it applies from the next request."""
    _check_actor(actor, user, AccountAction.ROLE_CHANGE)
    if role not in Role.values:
        raise AccountChangeError(AccountChangeError.UNKNOWN_ROLE, _("Choose one of the listed roles."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    old_role = locked.role
    if old_role == role:
        raise AccountChangeError(AccountChangeError.SAME_ROLE, _("The account already has this role."))
    locked.role = str(role)
    locked.save(update_fields=["role"])
    audit_record(
        action="account.role_changed",
        actor=actor,
        obj=locked,
        detail={"old_role": old_role, "new_role": str(role)},
    )
    user.role = locked.role
    return locked


@transaction.atomic
def user_suspend(*, user: User, actor: User, reason: str) -> User:
    """Suspend an active account: its sessions end at once, its API tokens stop working, it cannot sign in."""
    _check_actor(actor, user, AccountAction.ACCOUNT_SUSPEND)
    reason = _reason(reason, _("Give a reason of up to 500 characters for the suspension."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.status != AccountStatus.ACTIVE:
        raise AccountChangeError(AccountChangeError.NOT_ACTIVE, _("Only an active account can be suspended."))
    locked.status = AccountStatus.SUSPENDED
    locked.is_active = False
    locked.save(update_fields=["status", "is_active"])
    sessions_invalidate(user=locked)  # every session's auth hash stops matching: all end now
    audit_record(
        action="account.suspended",
        actor=actor,
        obj=locked,
        detail={"role": locked.role, "reason": reason},
    )
    user.status, user.is_active, user.session_salt = locked.status, locked.is_active, locked.session_salt
    return locked


def _reason(reason: str, message: str) -> str:
    """A reason for the audit log: required, one to 500 characters, no control characters."""
    reason = reason.strip()
    if not reason or len(reason) > 500 or find_control_character(reason) is not None:
        raise AccountChangeError(AccountChangeError.REASON_REQUIRED, message, field="reason")
    return reason


@transaction.atomic
def user_reactivate(*, user: User, actor: User) -> User:
    """Give a suspended account its access back (a pending or rejected one goes through the activation queue).

    Its old sessions stay ended: the person signs in again, with their second factor if their role needs one.
    """
    _check_actor(actor, user, AccountAction.ACCOUNT_REACTIVATE)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.status != AccountStatus.SUSPENDED:
        raise AccountChangeError(
            AccountChangeError.NOT_SUSPENDED, _("Only a suspended account can be reactivated.")
        )
    locked.status = AccountStatus.ACTIVE
    locked.is_active = True
    locked.save(update_fields=["status", "is_active"])
    audit_record(action="account.reactivated", actor=actor, obj=locked, detail={"role": locked.role})
    user.status, user.is_active = locked.status, locked.is_active
    return locked


@transaction.atomic
def user_second_factor_reset(*, user: User, actor: User, reason: str) -> User:
    """Remove the person's authenticator and backup codes (a lost phone) and end their sessions.

    At the next sign-in a role that requires a second factor is led to set up a new authenticator. The
    reason (how the person's identity was checked, say) goes to the audit log.
    """
    _check_actor(actor, user, AccountAction.SECOND_FACTOR_RESET)
    reason = _reason(reason, _("Give a reason of up to 500 characters for the reset."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    removed = TOTPDevice.objects.filter(user=locked).delete()[0]
    removed += StaticDevice.objects.filter(user=locked).delete()[0]
    if not removed:
        raise AccountChangeError(
            AccountChangeError.NO_SECOND_FACTOR, _("This account has no second factor to reset.")
        )
    sessions_invalidate(user=locked)
    audit_record(action="account.second_factor_reset", actor=actor, obj=locked, detail={"reason": reason})
    user.session_salt = locked.session_salt
    return locked


@transaction.atomic
def user_sessions_end(*, user: User, actor: User) -> User:
    """Sign the person out of every browser ('log out everywhere', done for them)."""
    _check_actor(actor, user, AccountAction.SESSIONS_END)
    locked = User.objects.select_for_update().get(pk=user.pk)
    sessions_invalidate(user=locked)
    audit_record(action="account.sessions_ended", actor=actor, obj=locked)
    user.session_salt = locked.session_salt
    return locked
