"""Reads for cases; each starts from `CasePolicy.visible` (or, for a list, the narrowing of it that the list
needs), so no caller can skip the access rule."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concilium.audit.models import AuditEvent, Outcome
from concilium.cases.models import Case, CaseAttachment, CaseMessage, CaseStatus, PanelMember
from concilium.cases.permissions import CaseAction, CasePolicy, can_create_case
from concilium.core.pagination import IdsThenRows, RowsByIds
from concilium.core.policy import is_usable
from concilium.patients.models import Patient
from concilium.patients.permissions import PatientPolicy
from concilium.patients.selectors import patient_search
from concilium.scheduling.models import ExpertGroup, GroupMembership
from concilium.scheduling.selectors import coordinated_groups as scheduling_coordinated_groups

LIST_RELATED = ("patient", "patient__diagnosis_code", "group", "requester")
#: Queue tabs: status -> (what the coordinator does next)
QUEUE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.SCHEDULED)


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    group: int | None = None
    urgent: bool = False
    q: str = ""


#: A search lists at most this many matching cases, the newest (nobody pages further: they search better).
SEARCH_MATCHES = 2000


def _search_ids(queryset: QuerySet[Case], q: str, *, hospital_id: int | None) -> list[int]:
    """The ids of the cases whose reference holds `q`, or whose patient (of the hospital) the patient search
    finds (`patient_search`); newest first, read in one pass over the hospital's cases index (it holds the
    reference and the patient) against the hospital's matching patients, read from their own index."""
    patients = patient_search(Patient.objects.filter(hospital=hospital_id), q)
    # References are upper-case ("C-2026-00042"): an exact-case LIKE spares folding every row's reference.
    matches = queryset.filter(Q(reference__contains=q.upper()) | Q(patient_id__in=patients.values("pk")))
    return list(matches.values_list("pk", flat=True)[:SEARCH_MATCHES])


#: What a row of a case list shows (the pages and the API's summaries): the case's dates and flags, its
#: patient's pseudonym, consent and diagnosis, its group's name. Nothing else is read or built per row.
LIST_FIELDS = (
    "reference",
    "status",
    "urgent",
    "information_requested_at",
    "created_at",
    "submitted_at",
    "discussion_on",
    "hospital_id",
    "requester_id",
    "group__name",
    "group__translations",
    "patient__pseudonym",
    "patient__has_care_consent",
    "patient__diagnosis",
    "patient__diagnosis_code__system",
    "patient__diagnosis_code__code",
    "patient__diagnosis_code__label",
)


def list_rows(*related: str, fields: tuple[str, ...] = ()) -> QuerySet[Case]:
    """The rows of a list page, read by id once the page's ids are known: what a list shows (`fields` of the
    `related` rows besides), joined, and none of the episode's long text."""
    rows = Case.objects.select_related("patient", "patient__diagnosis_code", "group", *related).only(
        *LIST_FIELDS, *fields
    )
    return rows.order_by()  # the page's ids come in order: 25 rows need no sort


def case_list_for(*, actor: Any, filters: CaseFilters | None = None) -> IdsThenRows[Case] | RowsByIds[Case]:
    """ "My cases": the visible cases of the actor's hospital, newest first, filtered and searched.

    A page reads its ids from the hospital's index (`case_hospital_recent` holds the order and every
    filter's column) and then its 25 rows by id (`IdsThenRows`), so the last page costs what the first
    does. A search reads the matching ids once, and pages read rows by id (`RowsByIds`): a filter would be
    run row by row over the hospital's cases and patients twice, for the count and for the page."""
    filters = filters or CaseFilters()
    queryset = CasePolicy.visible_at_own_hospital(actor)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.group:
        queryset = queryset.filter(group_id=filters.group)
    if filters.urgent:
        queryset = queryset.filter(urgent=True)
    queryset = queryset.order_by("-created_at", "-id")
    q = filters.q.strip()
    if not q:
        return IdsThenRows(queryset, list_rows())
    return RowsByIds(_search_ids(queryset, q, hospital_id=getattr(actor, "hospital_id", None)), list_rows())


def case_queue_for(
    *, actor: Any, status: str = CaseStatus.SUBMITTED, group: int | None = None, urgent_first: bool = True
) -> IdsThenRows[Case]:
    """ "Cases for my groups": the coordinated groups' cases in one status, oldest submission first.

    The page's ids come from the groups' queue index (`case_group_queue`), then its rows by id."""
    queryset = CasePolicy.visible_in_coordinated_groups(actor).filter(status=status)
    if group:
        queryset = queryset.filter(group_id=group)
    order = ["submitted_at", "id"]
    if urgent_first:
        order = ["-urgent", *order]
    rows = list_rows(
        "requester",
        "hospital",
        fields=("requester__full_name", "requester__email", "hospital__name"),
    )
    return IdsThenRows(queryset.order_by(*order), rows)


def coordinated_groups(*, actor: Any) -> list[ExpertGroup]:
    return scheduling_coordinated_groups(user_id=getattr(actor, "pk", None))


def case_get(*, actor: Any, pk: int) -> Case:
    """One case the actor sees, with what its page shows loaded; 404 otherwise (the caller audits it)."""
    queryset = CasePolicy.visible(actor).select_related(*LIST_RELATED, "hospital", "group__case_template")
    queryset = queryset.prefetch_related(
        Prefetch("attachments", queryset=CaseAttachment.objects.select_related("uploaded_by")),
        Prefetch("messages", queryset=CaseMessage.objects.select_related("author")),
    )
    case = queryset.filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def case_get_for_write(*, actor: Any, pk: int) -> Case:
    """One visible case (no page data), for a write; 404 when the actor does not see it."""
    case = CasePolicy.visible(actor).select_related("patient", "group").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def attachment_get(*, actor: Any, case_pk: int, pk: int) -> CaseAttachment:
    """An attachment of a case the actor sees; 404 otherwise."""
    attachment = (
        CaseAttachment.objects.select_related("case", "case__patient", "case__group")
        .filter(pk=pk, case_id=case_pk, case__in=CasePolicy.visible(actor))
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def patients_for_new_case(*, actor: Any) -> QuerySet[Patient]:
    """The actor's hospital's patients with a valid care consent (the ones a case can go forward for)."""
    if not can_create_case(actor):
        return Patient.objects.none()
    return PatientPolicy.visible(actor).filter(has_care_consent=True).select_related("diagnosis_code")


def case_timeline(case: Case) -> list[tuple[str, Any]]:
    """The status steps reached so far, in order: (label, when)."""
    steps = [
        (CaseStatus.DRAFT.label, case.created_at),
        (CaseStatus.SUBMITTED.label, case.submitted_at),
        (
            CaseStatus.DECLINED.label if case.status == CaseStatus.DECLINED else CaseStatus.ACCEPTED.label,
            case.decided_at,
        ),
        # The planned date; once the case was discussed earlier than planned, the plan is history.
        (
            CaseStatus.SCHEDULED.label,
            None
            if case.discussed_at and case.discussion_on and case.discussed_at < case.discussion_on
            else case.discussion_on,
        ),
        (CaseStatus.DISCUSSED.label, case.discussed_at),
        (CaseStatus.SIGNED.label, case.signed_at),
        (CaseStatus.CLOSED.label, case.closed_at),
        (CaseStatus.STOPPED.label, case.stopped_at),
    ]
    return [(str(label), when) for label, when in steps if when is not None]


def cases_of_patient(*, actor: Any, patient: Any) -> list[Case]:
    """The patient's cases the actor sees (its own hospital sees all of them), newest first."""
    return list(
        CasePolicy.visible(actor)
        .filter(patient_id=patient.pk)
        .select_related("group")
        .order_by("-created_at")
    )


# --- Why a case no longer opens --------------------------------------------------------------------------


class AccessLost(StrEnum):
    """Why someone who was part of a case (or was told of it) cannot open it now."""

    CONSENT_WITHDRAWN = "consent_withdrawn"
    GUEST_ACCESS_ENDED = "guest_access_ended"
    REMOVED_FROM_PANEL = "removed_from_panel"
    NOT_YET_ACCEPTED = "not_yet_accepted"
    DECLINED = "declined"
    NOT_ON_PANEL = "not_on_panel"
    NO_LONGER_PERMITTED = "no_longer_permitted"


@dataclass(frozen=True)
class LostAccess:
    """What a former participant is told: the reason, and what they already knew of the case (the
    reference only if they opened the case before, the expert group they are part of); no patient data."""

    reason: AccessLost
    message: str
    group_name: str
    reference: str = ""
    since: datetime | None = None


def _case_events(case_pk: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type="cases.case", object_id=str(case_pk))


def _lost_message(reason: AccessLost, since: datetime | None) -> str:
    if reason == AccessLost.GUEST_ACCESS_ENDED and since is not None:
        return _("Your guest access to this case ended on %(date)s.") % {
            "date": date_format(timezone.localtime(since), "DATE_FORMAT")
        }
    return str(_ACCESS_LOST_MESSAGES[reason])


_ACCESS_LOST_MESSAGES = {
    AccessLost.CONSENT_WITHDRAWN: gettext_lazy(
        "The patient withdrew their consent to share this case. Only the treating hospital can open it now; "
        "the panel's work on it has stopped."
    ),
    AccessLost.GUEST_ACCESS_ENDED: gettext_lazy("Your guest access to this case has ended."),
    AccessLost.REMOVED_FROM_PANEL: gettext_lazy(
        "You were taken off this case's panel, so you can no longer open it."
    ),
    AccessLost.NOT_YET_ACCEPTED: gettext_lazy(
        "This case waits for the coordinator's decision. Members of the group can open it once it is "
        "accepted and they are put on its panel."
    ),
    AccessLost.DECLINED: gettext_lazy(
        "The coordinator declined this case: it does not come before the group's panel."
    ),
    AccessLost.NOT_ON_PANEL: gettext_lazy(
        "This case is being discussed by a panel you are not on. Ask the group's coordinator if you "
        "should join it."
    ),
    AccessLost.NO_LONGER_PERMITTED: gettext_lazy("You can no longer open this case."),
}


def case_access_lost(*, actor: Any, pk: int) -> LostAccess | None:
    """Why `actor` cannot open the case `pk` although they were part of it or were told of it, or None.

    None (a plain 404) for a case that does not exist, one the actor may open, and one the actor never
    stood in any relation to: another hospital's or another group's clinician learns nothing, not even
    that the case exists. The relations that count: a coordinator or member of the case's group, a panel
    seat (live or expired), having been taken off the panel, having opened the case before (the audit log)."""
    if not is_usable(actor):
        return None
    case = Case.objects.select_related("patient", "group").filter(pk=pk).first()
    if case is None or CasePolicy.can(actor, CaseAction.VIEW, case):
        return None
    membership = GroupMembership.objects.filter(group_id=case.group_id, user_id=actor.pk).first()
    seat = PanelMember.objects.filter(case_id=case.pk, user_id=actor.pk).first()
    events = _case_events(case.pk)
    opened = events.filter(actor_id=actor.pk, outcome=Outcome.SUCCESS).exists()
    removed = events.filter(action="panel.removed", detail__user=actor.pk).exists()
    coordinator = membership is not None and membership.role == GroupMembership.GroupRole.COORDINATOR
    # A group's members are told of its urgent cases only; its coordinators of every submitted case.
    told = coordinator or (membership is not None and case.urgent)
    if not (told or seat is not None or opened or removed):
        return None
    submitted = case.status != CaseStatus.DRAFT
    reason, since = AccessLost.NO_LONGER_PERMITTED, None
    if submitted and not case.patient.has_care_consent:
        reason, since = AccessLost.CONSENT_WITHDRAWN, case.stopped_at
    elif seat is not None and not seat.is_live:
        reason, since = AccessLost.GUEST_ACCESS_ENDED, seat.expires_at
    elif removed and seat is None:
        reason = AccessLost.REMOVED_FROM_PANEL
    elif told and case.status == CaseStatus.SUBMITTED:
        reason = AccessLost.NOT_YET_ACCEPTED
    elif told and case.status == CaseStatus.DECLINED:
        reason = AccessLost.DECLINED
    elif told and submitted and not opened:
        reason = AccessLost.NOT_ON_PANEL
    elif not opened:
        return None
    return LostAccess(
        reason=reason,
        message=_lost_message(reason, since),
        group_name=case.group.display_name,
        reference=case.reference if opened else "",
        since=since,
    )


def case_links_closed(*, actor: Any, links: list[str]) -> dict[str, str]:
    """For the case pages among `links` (paths such as /cases/12/) that `actor` cannot open now: why, as a
    sentence (the in-app notifications show it instead of a dead link). Links that open are left out."""
    pks: dict[str, int] = {}
    for link in set(links):
        try:
            match = resolve(urlsplit(link).path)
        except Resolver404:
            continue
        if match.namespace == "cases" and isinstance(match.kwargs.get("pk"), int):
            pks[link] = match.kwargs["pk"]
    if not pks:
        return {}
    open_pks = set(CasePolicy.visible(actor).filter(pk__in=set(pks.values())).values_list("pk", flat=True))
    closed: dict[str, str] = {}
    reasons: dict[int, str] = {}
    for link, pk in pks.items():
        if pk in open_pks:
            continue
        if pk not in reasons:
            lost = case_access_lost(actor=actor, pk=pk)
            reasons[pk] = lost.message if lost else str(_ACCESS_LOST_MESSAGES[AccessLost.NO_LONGER_PERMITTED])
        closed[link] = reasons[pk]
    return closed
