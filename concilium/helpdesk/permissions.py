"""Who may do what at the helpdesk: review and decide registration requests (helpdesk, network admins)."""

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from concilium.accounts.models import RegistrationRequest
from concilium.core.policy import RolePolicy
from concilium.core.roles import Role


class HelpdeskAction(StrEnum):
    #: See the activation queue and each registration request with the applicant's details.
    REGISTRATION_REVIEW = "registration_review"
    #: Activate or reject a registration request.
    REGISTRATION_DECIDE = "registration_decide"


_STAFF = frozenset({HelpdeskAction.REGISTRATION_REVIEW, HelpdeskAction.REGISTRATION_DECIDE})

#: Role -> the helpdesk actions it holds. A role not listed holds none.
ROLE_ACTIONS: dict[str, frozenset[HelpdeskAction]] = {
    Role.HELPDESK: _STAFF,
    Role.NETWORK_ADMIN: _STAFF,
}


class RegistrationRequestPolicy(RolePolicy[RegistrationRequest]):
    """Registration requests are seen by those who review them, and by nobody else (404)."""

    model = RegistrationRequest
    role_actions = ROLE_ACTIONS
    view_action = HelpdeskAction.REGISTRATION_REVIEW

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[RegistrationRequest]) -> QuerySet[RegistrationRequest]:
        return queryset


def can(actor: Any, action: HelpdeskAction) -> bool:
    return RegistrationRequestPolicy.can(actor, action)
