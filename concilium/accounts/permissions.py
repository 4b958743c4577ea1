"""Who may do what with accounts: one action enum, one role -> action map, one `can` check.

Other account features (API tokens, security settings) add their actions to `AccountAction` and grant them
in `ROLE_ACTIONS`; views and services ask `can(user, action)` and never test roles themselves.
"""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from concilium.accounts.models import ApiToken
from concilium.core.roles import Role


class AccountAction(StrEnum):
    #: Create, list and revoke one's own personal API tokens.
    API_TOKENS_OWN = "api_tokens_own"
    #: Give another account a different role.
    ROLE_CHANGE = "role_change"
    #: Suspend another account (it reaches nothing until reactivated).
    ACCOUNT_SUSPEND = "account_suspend"


#: Role -> the account actions it holds. A role not listed holds none.
ROLE_ACTIONS: dict[str, frozenset[AccountAction]] = {
    Role.CLINICIAN: frozenset({AccountAction.API_TOKENS_OWN}),
    Role.EXPERT: frozenset({AccountAction.API_TOKENS_OWN}),
    Role.COORDINATOR: frozenset({AccountAction.API_TOKENS_OWN}),
    Role.HELPDESK: frozenset({AccountAction.API_TOKENS_OWN}),
    Role.DATA_MANAGER: frozenset({AccountAction.API_TOKENS_OWN}),
    Role.NETWORK_ADMIN: frozenset(
        {AccountAction.API_TOKENS_OWN, AccountAction.ROLE_CHANGE, AccountAction.ACCOUNT_SUSPEND}
    ),
}


def can(user: Any, action: AccountAction) -> bool:
    """True when `user` is an activated account whose role holds `action`."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return action in ROLE_ACTIONS.get(getattr(user, "role", ""), frozenset())


class ApiTokenPolicy:
    """Personal API tokens are seen and revoked by their owner only; another person's token is a 404."""

    @staticmethod
    def visible(actor: Any, queryset: QuerySet[ApiToken] | None = None) -> QuerySet[ApiToken]:
        queryset = ApiToken.objects.all() if queryset is None else queryset
        if not can(actor, AccountAction.API_TOKENS_OWN):
            return queryset.none()
        return queryset.filter(user_id=actor.pk)
