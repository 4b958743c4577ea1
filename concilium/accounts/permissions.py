"""Who may do what with accounts: one action enum, one role -> action map, one policy per model.

Other account features add their actions to `AccountAction` and grant them in `ROLE_ACTIONS`; views and
services ask the policies (`AccountPolicy.can(user, action)`, or `can`) and never test roles themselves.
"""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from concilium.accounts.models import ApiToken, User
from concilium.core.policy import RolePolicy
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


class AccountPolicy(RolePolicy[User]):
    """Accounts another person manages: network admins change roles and suspend (any account)."""

    model = User
    role_actions = ROLE_ACTIONS
    view_action = AccountAction.ROLE_CHANGE


class ApiTokenPolicy(RolePolicy[ApiToken]):
    """Personal API tokens are seen and revoked by their owner only; another person's token is a 404."""

    model = ApiToken
    role_actions = ROLE_ACTIONS
    view_action = AccountAction.API_TOKENS_OWN

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        return queryset.filter(user_id=actor.pk)


def can(user: Any, action: AccountAction) -> bool:
    """True when `user` is an activated account whose role holds `action` (no object involved)."""
    return AccountPolicy.can(user, action)
