"""Audit events for Django's sign-in signals: signed in, signed out, refused. Ids and codes only."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from concilium.audit.models import Outcome
from concilium.audit.services import audit_record

OIDC_BACKEND = "concilium.accounts.oidc.ConciliumOIDCBackend"


@receiver(user_logged_in, dispatch_uid="concilium.accounts.audit_login")
def audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A session started: by password (maybe still waiting for the second factor) or by single sign-on."""
    from concilium.accounts.services.authentication import second_factor_required

    sso = getattr(user, "backend", "") == OIDC_BACKEND
    pending = not sso and second_factor_required(user)
    second_factor = "sso" if sso else ("pending" if pending else "not_required")
    audit_record(
        action="auth.login",
        actor=user,
        detail={"method": "oidc" if sso else "password", "second_factor": second_factor},
    )


@receiver(user_logged_out, dispatch_uid="concilium.accounts.audit_logout")
def audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A session ended: the user signed out, or the session limits or an account change ended it."""
    if user is None:
        return
    reason = getattr(request, "logout_reason", "user")
    audit_record(action="auth.logout", actor=user, detail={"reason": reason})


@receiver(user_login_failed, dispatch_uid="concilium.accounts.audit_login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A refused password sign-in: the account's id if the address belongs to one, never the address itself.

    Single sign-on refusals are recorded by the callback view, which knows the reason.
    """
    email = credentials.get("username")
    if not isinstance(email, str):
        return
    user = (
        get_user_model().objects.filter(email__iexact=email.strip()).only("pk", "email", "is_active").first()
    )
    if request is not None and getattr(request, "axes_locked_out", False):
        reason, outcome = "locked_out", Outcome.DENIED
    elif user is not None and not user.is_active:
        reason, outcome = "not_active", Outcome.DENIED
    else:
        reason, outcome = "invalid_credentials", Outcome.FAILURE
    audit_record(
        action="auth.login_failed",
        actor=user,
        outcome=outcome,
        detail={"method": "password", "reason": reason},
    )
