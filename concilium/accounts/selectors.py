"""Reads for accounts: personal API tokens, one's sign-in history, accounts an admin manages."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from concilium.accounts.models import ApiToken, User
from concilium.accounts.permissions import AccountPolicy, ApiTokenPolicy


def api_token_list(*, actor: Any) -> QuerySet[ApiToken]:
    """The actor's own personal API tokens, newest first (a person has a handful: no paging needed)."""
    return ApiTokenPolicy.visible(actor).order_by("-created_at", "-pk")


def api_token_get(*, actor: Any, pk: int) -> ApiToken:
    """One of the actor's own tokens, or 404 (the same for another person's token and a missing one)."""
    return get_object_or_404(ApiTokenPolicy.visible(actor), pk=pk)


#: How many of their own sign-in events a user sees on the security page.
SIGN_IN_HISTORY_LIMIT = 15


def sign_in_history(*, actor: Any, limit: int = SIGN_IN_HISTORY_LIMIT) -> list[Any]:
    """The actor's own latest sign-in and account-security events (audit actions `auth.*`), newest first."""
    from concilium.audit.models import AuditEvent

    if not getattr(actor, "is_authenticated", False):
        return []
    events = AuditEvent.objects.filter(actor_id=actor.pk, action__startswith="auth.")
    return list(events.order_by("-at", "-id")[:limit])


def managed_user_get(*, actor: Any, pk: int) -> User:
    """An account whose role the actor may change (network admins: any account), or 404."""
    return get_object_or_404(AccountPolicy.visible(actor).select_related("hospital"), pk=pk)
