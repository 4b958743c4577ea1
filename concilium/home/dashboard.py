"""The dashboard's cards, per role: what each person needs to see first when they open Concilium."""

from typing import Any

from django.http import HttpRequest

from concilium.accounts.access import has_confirmed_device
from concilium.cases.permissions import can_use_queue
from concilium.cases.selectors_work import case_work_summary
from concilium.core.roles import CLINICAL_ROLES, Role
from concilium.directory.selectors import directory_overview
from concilium.helpdesk.permissions import HelpdeskAction
from concilium.helpdesk.permissions import can as helpdesk_can
from concilium.helpdesk.selectors import activation_queue_summary
from concilium.scheduling.selectors import expert_groups_for

PANEL_ROLES = {Role.EXPERT, Role.COORDINATOR}


def cards_for(user: Any, *, request: HttpRequest | None = None) -> list[dict[str, object]]:
    cards: list[dict[str, object]] = []
    if helpdesk_can(user, HelpdeskAction.REGISTRATION_REVIEW):
        cards.append({"template": "helpdesk/cards/activation_queue.html", "data": activation_queue_summary()})
    if user.role in CLINICAL_ROLES or can_use_queue(user):
        cards.append({"template": "cases/cards/work.html", "data": case_work_summary(actor=user)})
    if user.role in PANEL_ROLES or user.group_memberships.exists():
        cards.append({"template": "home/cards/my_groups.html", "data": expert_groups_for(user=user)})
    cards.append({"template": "home/cards/directory_overview.html", "data": directory_overview()})
    cards.append(
        {
            "template": "home/cards/security.html",
            "data": {"has_2fa": has_confirmed_device(user, request=request), "required": user.requires_2fa},
        }
    )
    return cards
