"""Reads for accounts: personal API tokens, one's sign-in history, accounts an admin manages."""

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from concilium.accounts.models import ApiToken, User
from concilium.accounts.permissions import AccountPolicy, ApiTokenPolicy
from concilium.core.pagination import UncountedPage, uncounted_page
from concilium.core.roles import Role


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


#: Accounts on one page of the administration's user list.
USER_PAGE_SIZE = 25


def user_page(*, actor: Any, query: str = "", status: str = "", number: int = 1) -> UncountedPage[User]:
    """A page of the accounts the actor manages, by name, whose name or email address holds `query`
    (and of `status` when given), with their hospital; one query, no count."""
    users = AccountPolicy.visible(actor).select_related("hospital")
    query = query.strip()
    if query:
        users = users.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    if status:
        users = users.filter(status=status)
    return uncounted_page(users.order_by("full_name", "pk"), number=number, per_page=USER_PAGE_SIZE)


def user_administered_networks(*, user: User) -> list[Any]:
    """The networks whose expert groups `user` configures (network admins), by name."""
    return list(user.administered_networks.order_by("name"))


def network_admins_active() -> QuerySet[User]:
    """Every active network admin, by name: who may be made an administrator of a network."""
    return User.objects.filter(role=Role.NETWORK_ADMIN, is_active=True).order_by("full_name", "pk")


def active_user_by_email(*, email: str) -> User | None:
    """The active account that signs in with `email` (addresses are stored in lower case), or None."""
    return User.objects.filter(email=email.strip().lower(), is_active=True).first()
