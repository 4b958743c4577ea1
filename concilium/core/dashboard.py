"""The dashboard's cards, per role: what each person needs to see first when they open Concilium."""

from typing import Any

from django.db.models import Count
from django.http import HttpRequest

from concilium.accounts.models import Role
from concilium.accounts.permissions import AccountAction
from concilium.accounts.permissions import can as accounts_can
from concilium.cases.permissions import CLINICAL_ROLES, can_use_queue
from concilium.cases.selectors_work import case_work_summary
from concilium.core.access import has_confirmed_device
from concilium.directory.models import Clinician, Hospital, Network
from concilium.scheduling.selectors import expert_groups_for

PANEL_ROLES = {Role.EXPERT, Role.COORDINATOR}


def directory_overview(limit: int = 8) -> dict[str, object]:
    """Listed clinicians per country (top `limit`), with totals; three aggregate queries whatever the size."""
    by_country = list(
        Clinician.objects.filter(is_listed=True)
        .values("country")
        .annotate(total=Count("id"))
        .order_by("-total", "country")[:limit]
    )
    peak = max((row["total"] for row in by_country), default=0) or 1
    for row in by_country:
        row["percent"] = round(100 * row["total"] / peak)
    return {
        "clinicians": Clinician.objects.filter(is_listed=True).count(),
        "hospitals": Hospital.objects.count(),
        "networks": Network.objects.count(),
        "by_country": by_country,
    }


def cards_for(user: Any, *, request: HttpRequest | None = None) -> list[dict[str, object]]:
    cards: list[dict[str, object]] = []
    if accounts_can(user, AccountAction.REGISTRATION_REVIEW):
        from concilium.accounts.selectors import activation_queue_summary

        cards.append({"template": "accounts/cards/activation_queue.html", "data": activation_queue_summary()})
    if user.role in CLINICAL_ROLES or can_use_queue(user):
        cards.append({"template": "cases/cards/work.html", "data": case_work_summary(actor=user)})
    if user.role in PANEL_ROLES or user.group_memberships.exists():
        cards.append({"template": "core/cards/my_groups.html", "data": expert_groups_for(user=user)})
    cards.append({"template": "core/cards/directory_overview.html", "data": directory_overview()})
    cards.append(
        {
            "template": "core/cards/security.html",
            "data": {"has_2fa": has_confirmed_device(user, request=request), "required": user.requires_2fa},
        }
    )
    return cards
