"""Writes for permissions: a network admin changes a person's role or suspends an account; both audited."""

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from concilium.accounts.models import AccountStatus, User
from concilium.accounts.permissions import AccountAction, can
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
    REASON_REQUIRED = "reason_required"


register_codes(
    {
        AccountChangeError.NOT_ALLOWED: ErrorKind.FORBIDDEN,
        AccountChangeError.UNKNOWN_ROLE: ErrorKind.INVALID,
        AccountChangeError.SAME_ROLE: ErrorKind.CONFLICT,
        AccountChangeError.SELF: ErrorKind.CONFLICT,
        AccountChangeError.NOT_ACTIVE: ErrorKind.CONFLICT,
        AccountChangeError.REASON_REQUIRED: ErrorKind.INVALID,
    }
)


def _check_actor(actor: User, user: User, action: AccountAction) -> None:
    # Admins never act on themselves, so the acting admin is always another active one: the network cannot
    # lose its last network admin through these services.
    if not can(actor, action):
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
    reason = reason.strip()
    if not reason or len(reason) > 500 or find_control_character(reason) is not None:
        raise AccountChangeError(
            AccountChangeError.REASON_REQUIRED, _("Give a reason of up to 500 characters for the suspension.")
        )
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.status != AccountStatus.ACTIVE:
        raise AccountChangeError(AccountChangeError.NOT_ACTIVE, _("Only an active account can be suspended."))
    locked.status = AccountStatus.SUSPENDED
    locked.is_active = False
    locked.session_salt = secrets.token_hex(16)  # every session's auth hash stops matching: all end now
    locked.save(update_fields=["status", "is_active", "session_salt"])
    audit_record(
        action="account.suspended",
        actor=actor,
        obj=locked,
        detail={"role": locked.role, "reason": reason},
    )
    user.status, user.is_active, user.session_salt = locked.status, locked.is_active, locked.session_salt
    return locked
