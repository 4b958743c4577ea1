"""Reads for the panel's pages: my panels, a case's panel, its discussion, and the people one may invite or
mention. Each starts from what the actor may see (CasePolicy, ClinicianPolicy), in a fixed number of queries.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from concilium.accounts.models import User
from concilium.cases.models import Case, Contribution, PanelMember, PanelRole, Recommendation
from concilium.cases.permissions import PANEL_STATUSES, CasePolicy
from concilium.core.pagination import MAX_PAGE, UncountedPage
from concilium.directory.models import Clinician, fold
from concilium.directory.permissions import ClinicianPolicy

#: Rows in an autocomplete's suggestions.
SUGGESTIONS = 8


def my_panels_page(*, actor: User, number: int = 1, per_page: int = 25) -> UncountedPage[PanelMember]:
    """A page of the actor's live seats on cases they still see: first the panels at work (accepted,
    scheduled and discussed cases), soonest discussion first, then the others, latest seat first; each with
    the case's group and patient and the number of contributions posted by others since the seat was taken
    (what is new to them).

    Three queries, none of which sorts every seat (an expert gathers seats case after case, for years): the
    cases at work up to this page, walked in order on their own index; one page of the other seats, walked
    newest first on the seats' index; and the page's rows.
    """
    number = min(max(number, 1), MAX_PAGE)
    offset, wanted = (number - 1) * per_page, per_page + 1
    live_seat = PanelMember.objects.live().filter(case_id=OuterRef("pk"), user_id=actor.pk)
    at_work = list(
        Case.objects.filter(Exists(live_seat), CasePolicy.seen_from_seat(actor), status__in=PANEL_STATUSES)
        .order_by(Coalesce("discussion_on", "submitted_at").asc(nulls_last=True), "-created_at", "pk")
        .values_list("pk", flat=True)[: offset + wanted]
    )
    past = (
        PanelMember.objects.live()
        .filter(CasePolicy.seen_from_seat(actor, prefix="case__"))
        .filter(user_id=actor.pk)
        .exclude(case__status__in=PANEL_STATUSES)
        .order_by("-added_at", "-pk")
        .values_list("case_id", flat=True)
    )
    past_offset = max(0, offset - len(at_work))
    case_ids = [*at_work[offset:], *past[past_offset : past_offset + wanted]][:wanted]
    others_since = Contribution.objects.filter(
        case_id=OuterRef("case_id"), created_at__gte=OuterRef("added_at")
    ).exclude(author_id=actor.pk)
    new_count = others_since.order_by().values("case_id").annotate(n=Count("pk")).values("n")
    seats = (
        PanelMember.objects.filter(user_id=actor.pk, case_id__in=case_ids)
        .select_related("case", "case__group", "case__patient")
        .annotate(new_contributions=Coalesce(Subquery(new_count), 0))
    )
    by_case = {seat.case_id: seat for seat in seats}
    rows = [by_case[case_id] for case_id in case_ids if case_id in by_case]
    has_next = len(rows) > per_page and number < MAX_PAGE
    return UncountedPage(rows=rows[:per_page], number=number, per_page=per_page, has_next=has_next)


def panel_members(*, case: Case) -> list[PanelMember]:
    """Everyone seated on the case's panel (expired guests included, marked by the template), lead first."""
    order: dict[str, int] = {PanelRole.LEAD: 0, PanelRole.MEMBER: 1, PanelRole.GUEST: 2}
    members = list(
        PanelMember.objects.filter(case=case).select_related("user", "user__hospital", "invited_by")
    )
    now = timezone.now()
    for member in members:
        member.is_expired = not PanelMember.is_live_seat(member.role, member.expires_at, now)  # type: ignore[attr-defined]  # for the template
    return sorted(members, key=lambda m: (order.get(m.role, 3), m.user.full_name, m.pk))


def contributions_for(*, case: Case) -> QuerySet[Contribution]:
    """The case's discussion, oldest first, with authors and mentions in two queries."""
    return (
        Contribution.objects.filter(case=case)
        .select_related("author", "author__hospital")
        .prefetch_related(Prefetch("mentions", queryset=User.objects.only("pk", "full_name")))
        .order_by("created_at", "pk")
    )


def recommendation_for(*, case: Case) -> Recommendation | None:
    return (
        Recommendation.objects.filter(case=case)
        .select_related("drafted_by", "signed_by")
        .prefetch_related(Prefetch("participants", queryset=User.objects.select_related("hospital")))
        .first()
    )


def invite_candidates(*, actor: User, case: Case, q: str) -> list[Clinician]:
    """Directory clinicians with an active account, not yet on the panel, whose name matches `q`."""
    folded = fold(q)
    if len(folded) < 2:
        return []
    seated = PanelMember.objects.filter(case=case).values("user_id")
    return list(
        ClinicianPolicy.visible(actor)
        .filter(search_name__contains=folded, user__isnull=False, user__is_active=True)
        .exclude(user_id__in=seated)
        .select_related("hospital", "specialty")
        .order_by("search_name", "pk")[:SUGGESTIONS]
    )


def mention_candidates(*, case: Case, q: str, exclude: User | None = None) -> list[User]:
    """Panel members (live seats) whose name matches `q`, for the "@" autocomplete."""
    folded = fold(q)
    seats = PanelMember.objects.live().filter(case=case).select_related("user")
    users = [seat.user for seat in seats if exclude is None or seat.user_id != exclude.pk]
    matches = [user for user in users if folded in fold(user.full_name)]
    return sorted(matches, key=lambda u: u.full_name)[:SUGGESTIONS]


def panel_users(*, case: Case) -> QuerySet[User]:
    """The accounts seated on the case's panel (expired guests included: they took part), by name."""
    return User.objects.filter(panel_seats__case=case).order_by("full_name", "pk")
