"""Who may do what with accounts: one action enum, one role -> action map, one policy per model.

Other account features add their actions to `AccountAction` and grant them in `ROLE_ACTIONS`; views and
services ask the policies (`AccountPolicy.can(user, action)`, or `can`) and never test roles themselves.

The helpdesk and network admins manage accounts of every hospital (they serve the whole network): they list
them, suspend and reactivate them, reset a lost second factor and end their sessions. Only network admins
change roles, and the helpdesk never acts on the accounts of staff (the helpdesk and network admins): those
are another network admin's to manage, so a helpdesk account cannot take over an administrator's.
"""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from concilium.accounts.models import ApiToken, User
from concilium.core.policy import Refused, RolePolicy, refused_forbidden
from concilium.core.roles import Role


class AccountAction(StrEnum):
    #: Create, list and revoke one's own personal API tokens.
    API_TOKENS_OWN = "api_tokens_own"
    #: Change one's own preferences (the language of one's pages and messages).
    PREFERENCES_OWN = "preferences_own"
    #: Give another account a different role.
    ROLE_CHANGE = "role_change"
    #: Suspend another account (it reaches nothing until reactivated).
    ACCOUNT_SUSPEND = "account_suspend"
    #: List and search the accounts, with their roles, hospitals and expert groups.
    USERS_VIEW = "users_view"
    #: Reactivate a suspended account.
    ACCOUNT_REACTIVATE = "account_reactivate"
    #: Remove another person's authenticator and backup codes (they set up a new one at the next sign-in).
    SECOND_FACTOR_RESET = "second_factor_reset"
    #: Sign another person out of every browser.
    SESSIONS_END = "sessions_end"


#: What the helpdesk and network admins do for people who lost access or left.
_ACCOUNT_CARE = frozenset(
    {
        AccountAction.USERS_VIEW,
        AccountAction.ACCOUNT_SUSPEND,
        AccountAction.ACCOUNT_REACTIVATE,
        AccountAction.SECOND_FACTOR_RESET,
        AccountAction.SESSIONS_END,
    }
)
#: Accounts the helpdesk sees but does not act on.
STAFF_ROLES = frozenset({Role.HELPDESK, Role.NETWORK_ADMIN})


#: What every account does with its own account.
_OWN = frozenset({AccountAction.API_TOKENS_OWN, AccountAction.PREFERENCES_OWN})

#: Role -> the account actions it holds. A role not listed holds none.
ROLE_ACTIONS: dict[str, frozenset[AccountAction]] = {
    Role.CLINICIAN: _OWN,
    Role.EXPERT: _OWN,
    Role.COORDINATOR: _OWN,
    Role.HELPDESK: _OWN | _ACCOUNT_CARE,
    Role.DATA_MANAGER: _OWN,
    Role.NETWORK_ADMIN: _OWN | {AccountAction.ROLE_CHANGE} | _ACCOUNT_CARE,
}


class AccountPolicy(RolePolicy[User]):
    """Accounts another person manages: the helpdesk and network admins see every account; network admins
    act on any of them, the helpdesk on every account but staff's (a 403: the account is seen)."""

    model = User
    role_actions = ROLE_ACTIONS
    view_action = AccountAction.USERS_VIEW

    @classmethod
    def refusal(cls, actor: Any, action: str, obj: Any = None) -> Refused | None:
        refused = super().refusal(actor, action, obj)
        if refused is not None or obj is None or action == AccountAction.USERS_VIEW:
            return refused
        if getattr(actor, "role", "") != Role.NETWORK_ADMIN and obj.role in STAFF_ROLES:
            return refused_forbidden()
        return None


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
