"""The one access rule for cases: who sees a case, and what each may do with it in each status.

Who sees a case:
- clinicians of the owning hospital (clinician, expert and coordinator accounts whose hospital is the case's),
  whatever the status and the consent;
- the coordinators of the case's expert group, once the case is submitted and while the patient has a valid
  care consent;
- the case's panel members, once submitted and while the consent is valid; guests only until `expires_at`.
Everyone else, network admins and the helpdesk included, sees nothing (pages answer 404). A network admin
configures the groups' case templates without seeing any case.

`CasePolicy.can(actor, action, case)` answers yes or no; `CasePolicy.refusal(...)` says why not, with a code,
so that services raise a clear error and views show it. Each action is a `Rule`: who (a test over the actor's
`Access` to the case), from which statuses, whether a valid care consent is needed, and an optional extra
test on the case. Other modules add actions by adding entries to `RULES` (see the section at the end).
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concilium.cases.models import Case, CaseStatus, PanelMember, PanelRole
from concilium.core.policy import Policy, Refusal, Refused, is_usable, refused_forbidden
from concilium.core.roles import CLINICAL_ROLES, Role
from concilium.scheduling.selectors import coordinated_group_ids, coordinator_memberships, is_coordinator

#: Statuses in which the pre-selection thread is open.
THREAD_STATUSES = frozenset({CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.SCHEDULED})
#: Statuses in which the requester may edit the episode when the coordinator asked for more information.
INFO_EDIT_STATUSES = frozenset({CaseStatus.SUBMITTED, CaseStatus.ACCEPTED})


class CaseAction(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    ATTACH = "attach"
    REMOVE_ATTACHMENT = "remove_attachment"
    SUBMIT = "submit"
    DECIDE = "decide"  # accept, decline, ask for more information
    MESSAGE = "message"
    SCHEDULE = "schedule"
    MARK_DISCUSSED = "mark_discussed"
    CLOSE = "close"
    MANAGE_PANEL = "manage_panel"


@dataclass(frozen=True)
class Access:
    """How one actor stands to one case."""

    owner: bool = False  # a clinician of the owning hospital
    coordinator: bool = False  # a coordinator of the case's group (consent aside)
    panel_role: str | None = None  # lead, member or guest (guests: only while not expired)
    consent: bool = False  # the patient's valid care consent (denormalised flag)
    submitted: bool = False  # past the draft

    @property
    def sees(self) -> bool:
        if self.owner:
            return True
        return self.consent and self.submitted and (self.coordinator or self.panel_role is not None)

    @property
    def is_coordinator(self) -> bool:
        """Coordinator with access (coordinators lose it with the consent)."""
        return self.coordinator and self.consent and self.submitted

    @property
    def is_lead(self) -> bool:
        return self.panel_role == PanelRole.LEAD and self.consent and self.submitted

    @property
    def on_panel(self) -> bool:
        return self.panel_role is not None and self.consent and self.submitted


@dataclass(frozen=True)
class Rule:
    who: Callable[[Access], bool]
    states: frozenset[str] | None = None  # None: any status
    needs_consent: bool = False
    when: Callable[[Case], bool] | None = None  # an extra condition on the case (a status detail)
    states_message: Any = ""  # why the status does not allow it (shown to the user)


def _owner(access: Access) -> bool:
    return access.owner


def _coordinator(access: Access) -> bool:
    return access.is_coordinator


def _owner_or_coordinator(access: Access) -> bool:
    return access.owner or access.is_coordinator


def _coordinator_or_lead(access: Access) -> bool:
    return access.is_coordinator or access.is_lead


def _editable(case: Case) -> bool:
    if case.status == CaseStatus.DRAFT:
        return True
    return case.status in INFO_EDIT_STATUSES and case.information_requested_at is not None


#: Action -> its rule. Extended at the end of this module (and only there) by other parts of the cases app.
RULES: dict[str, Rule] = {
    CaseAction.VIEW: Rule(who=lambda access: access.sees),
    CaseAction.EDIT: Rule(
        who=_owner,
        when=_editable,
        states_message=_(
            "The case can be changed only as a draft, or when the coordinator asked for more information."
        ),
    ),
    CaseAction.ATTACH: Rule(
        who=_owner,
        when=_editable,
        states_message=_(
            "Files can be added only to a draft, or when the coordinator asked for more information."
        ),
    ),
    CaseAction.REMOVE_ATTACHMENT: Rule(
        who=_owner,
        states=frozenset({CaseStatus.DRAFT}),
        states_message=_("Files can be removed only while the case is a draft."),
    ),
    CaseAction.SUBMIT: Rule(
        who=_owner,
        states=frozenset({CaseStatus.DRAFT}),
        needs_consent=True,
        states_message=_("Only a draft can be submitted."),
    ),
    CaseAction.DECIDE: Rule(
        who=_coordinator,
        states=frozenset({CaseStatus.SUBMITTED}),
        needs_consent=True,
        states_message=_("Only a submitted case waits for a decision."),
    ),
    CaseAction.MESSAGE: Rule(
        who=_owner_or_coordinator,
        states=THREAD_STATUSES,
        states_message=_("The pre-selection thread is open from submission until the discussion."),
    ),
    CaseAction.SCHEDULE: Rule(
        who=_coordinator,
        states=frozenset({CaseStatus.ACCEPTED, CaseStatus.SCHEDULED}),
        needs_consent=True,
        states_message=_("Only an accepted case can be given a discussion date."),
    ),
    CaseAction.MARK_DISCUSSED: Rule(
        who=_coordinator_or_lead,
        states=frozenset({CaseStatus.SCHEDULED}),
        needs_consent=True,
        states_message=_("Only a scheduled case can be marked as discussed."),
    ),
    CaseAction.CLOSE: Rule(
        who=_owner_or_coordinator,
        states=frozenset({CaseStatus.SIGNED}),
        states_message=_("A case is closed once its recommendation is signed."),
    ),
    CaseAction.MANAGE_PANEL: Rule(
        who=_coordinator_or_lead,
        states=frozenset({CaseStatus.ACCEPTED, CaseStatus.SCHEDULED, CaseStatus.DISCUSSED}),
        needs_consent=True,
        states_message=_("The panel is put together once the case is accepted, until it is discussed."),
    ),
}

_REFUSAL_MESSAGES = {
    Refusal.NOT_FOUND: pgettext_lazy("case", "No such case."),
    Refusal.FORBIDDEN: _("You may not do this with this case."),
    Refusal.NO_CONSENT: _("The patient has no valid care consent: record one before going on."),
}


def _owned(actor: Any, prefix: str = "") -> Q:
    """Cases of the actor's hospital, seen by its clinicians (nothing for other roles)."""
    if actor.role in CLINICAL_ROLES and actor.hospital_id:
        return Q(**{f"{prefix}hospital_id": actor.hospital_id})
    return Q(pk__in=[])


def _shared(prefix: str = "") -> Q:
    """Cases shown beyond their hospital, to their group's coordinators and panel: past the draft, with a
    valid care consent (the denormalised flag)."""
    return ~Q(**{f"{prefix}status": CaseStatus.DRAFT}) & Q(**{f"{prefix}patient__has_care_consent": True})


class CasePolicy(Policy[Case]):
    """Checks an action on a case and narrows a queryset to the cases an actor sees."""

    model = Case

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[Case]) -> QuerySet[Case]:
        """The cases `actor` may see (correlated EXISTS, not joins: no duplicate rows, and one index probe per
        case when few cases are looked at, as on a case page)."""
        coordinates = Exists(coordinator_memberships(user_id=actor.pk, group_id=OuterRef("group_id")))
        seated = Exists(PanelMember.objects.live().filter(case_id=OuterRef("pk"), user_id=actor.pk))
        return queryset.filter(_owned(actor) | (_shared() & (coordinates | seated)))

    # The lists narrow `visible` to one way of seeing a case, which an index answers; an OR of the three
    # ways over every case would be read in full at each request (a large hospital holds thousands of cases).

    @staticmethod
    def visible_at_own_hospital(actor: Any, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
        """The cases of the actor's hospital, which its clinicians see whatever their status and consent."""
        queryset = Case.objects.all() if queryset is None else queryset
        if not (is_usable(actor) and actor.role in CLINICAL_ROLES and actor.hospital_id):
            return queryset.none()
        return queryset.filter(hospital_id=actor.hospital_id)

    @staticmethod
    def visible_in_coordinated_groups(actor: Any, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
        """The cases the actor sees among those of the groups they coordinate: `visible` for these cases.

        The groups are read here (one query) and named in the cases' query: as a subquery, joined to the
        lists' related tables, they cost PostgreSQL more to plan than the list costs to read."""
        queryset = Case.objects.all() if queryset is None else queryset
        if not is_usable(actor):
            return queryset.none()
        coordinated = coordinated_group_ids(user_id=actor.pk)
        return queryset.filter(Q(group_id__in=coordinated) & (_owned(actor) | _shared()))

    @staticmethod
    def seen_from_seat(actor: Any, prefix: str = "") -> Q:
        """Whether the actor sees a case on whose panel they hold a live seat (the caller checks the seat):
        `visible` once the seat is known, as a condition over the case (`prefix` "case__" from a seat)."""
        if not is_usable(actor):
            return Q(pk__in=[])
        return _owned(actor, prefix=prefix) | _shared(prefix=prefix)

    @staticmethod
    def access(actor: Any, case: Case) -> Access:
        """How `actor` stands to `case`; memoised on the case object for the actor (one or two queries)."""
        if not is_usable(actor):
            return Access()
        cache: dict[int, Access] = case.__dict__.setdefault("_access_cache", {})
        if actor.pk in cache:
            return cache[actor.pk]
        owner = actor.role in CLINICAL_ROLES and actor.hospital_id is not None
        owner = owner and actor.hospital_id == case.hospital_id
        coordinator = is_coordinator(user_id=actor.pk, group_id=case.group_id)
        seat = (
            PanelMember.objects.filter(case_id=case.pk, user_id=actor.pk).values("role", "expires_at").first()
        )
        panel_role = None
        if seat is not None and PanelMember.is_live_seat(seat["role"], seat["expires_at"]):
            panel_role = seat["role"]
        found = Access(
            owner=owner,
            coordinator=coordinator,
            panel_role=panel_role,
            consent=case.patient.has_care_consent,
            submitted=case.status != CaseStatus.DRAFT,
        )
        cache[actor.pk] = found
        return found

    @classmethod
    def forget(cls, case: Case) -> None:
        """Drop the memoised access (after a change of status or consent on this object)."""
        case.__dict__.pop("_access_cache", None)

    @classmethod
    def refusal(cls, actor: Any, action: str, obj: Any = None) -> Refused | None:
        """None when `actor` may do `action` with the case `obj`; else a `Refused` saying why not."""
        case: Case = obj
        access = cls.access(actor, case)
        if not access.sees:
            return Refused(Refusal.NOT_FOUND, str(_REFUSAL_MESSAGES[Refusal.NOT_FOUND]))
        rule = RULES.get(str(action))
        if rule is None or not rule.who(access):
            return Refused(Refusal.FORBIDDEN, str(_REFUSAL_MESSAGES[Refusal.FORBIDDEN]))
        if (rule.states is not None and case.status not in rule.states) or (
            rule.when is not None and not rule.when(case)
        ):
            message = str(rule.states_message) or str(_("This is not possible in the case's present status."))
            return Refused(Refusal.WRONG_STATUS, message)
        if rule.needs_consent and not case.patient.has_care_consent:
            return Refused(Refusal.NO_CONSENT, str(_REFUSAL_MESSAGES[Refusal.NO_CONSENT]))
        return None

    @classmethod
    def allowed_actions(cls, actor: Any, case: Case) -> frozenset[str]:
        """Every action of `RULES` that `actor` may do now (the case page's buttons)."""
        return frozenset(action for action in RULES if cls.can(actor, action, case))


def can_configure_templates(actor: Any) -> bool:
    """Network admins edit the expert groups' case templates (which gives them no access to any case)."""
    return is_usable(actor) and actor.role == Role.NETWORK_ADMIN


def can_create_case(actor: Any) -> bool:
    """Clinicians (of any clinical role) with a hospital start cases for their hospital's patients."""
    return is_usable(actor) and actor.role in CLINICAL_ROLES and actor.hospital_id is not None


def can_use_queue(actor: Any) -> bool:
    """Coordinators, and anyone who coordinates a group, have a queue (it lists only their groups' cases)."""
    if not is_usable(actor):
        return False
    return actor.role == Role.COORDINATOR or is_coordinator(user_id=actor.pk)


# --- Panel actions -----------------------------------------------------------------------------------------
# The panel's work (services/panel.py, services/recommendation.py) adds its actions here, as entries of RULES
# (for instance RULES["sign"] = Rule(who=lambda access: access.is_lead, states=frozenset({"discussed"}))).


class PanelAction(StrEnum):
    """What the panel does with a case (services/panel.py, services/recommendation.py)."""

    READ_DISCUSSION = "read_discussion"
    CONTRIBUTE = "contribute"  # post to the discussion (the owning hospital answers requests for information)
    REQUEST_INFO = "request_info"  # ask the requester for more information
    VIEW_DRAFT = "view_recommendation_draft"
    DRAFT_RECOMMENDATION = "draft_recommendation"  # lead only
    SIGN_RECOMMENDATION = "sign_recommendation"  # lead only
    DOWNLOAD_REPORT = "download_report"
    RENDER_REPORT = "render_report"


#: Statuses in which the panel works on a case: its members change and it discusses.
PANEL_STATUSES = frozenset({CaseStatus.ACCEPTED, CaseStatus.SCHEDULED, CaseStatus.DISCUSSED})
#: Statuses in which a recommendation is signed and its report exists.
SIGNED_STATUSES = frozenset({CaseStatus.SIGNED, CaseStatus.CLOSED})


def _panel_or_coordinator(access: Access) -> bool:
    return access.on_panel or access.is_coordinator


def _lead(access: Access) -> bool:
    return access.is_lead


RULES.update(
    {
        PanelAction.READ_DISCUSSION: Rule(who=lambda access: access.sees),
        PanelAction.CONTRIBUTE: Rule(
            who=lambda access: access.on_panel or access.is_coordinator or access.owner,
            states=PANEL_STATUSES,
            needs_consent=True,
            states_message=_("The discussion is open while the case is accepted, scheduled or discussed."),
        ),
        PanelAction.REQUEST_INFO: Rule(
            who=_panel_or_coordinator,
            states=PANEL_STATUSES,
            needs_consent=True,
            states_message=_("The discussion is open while the case is accepted, scheduled or discussed."),
        ),
        PanelAction.VIEW_DRAFT: Rule(who=_panel_or_coordinator),
        PanelAction.DRAFT_RECOMMENDATION: Rule(
            who=_lead,
            states=frozenset({CaseStatus.SCHEDULED, CaseStatus.DISCUSSED}),
            needs_consent=True,
            states_message=_("The recommendation is written once the case is scheduled, until it is signed."),
        ),
        PanelAction.SIGN_RECOMMENDATION: Rule(
            who=_lead,
            states=frozenset({CaseStatus.DISCUSSED}),
            needs_consent=True,
            states_message=_("The recommendation can be signed once the case has been discussed."),
        ),
        PanelAction.DOWNLOAD_REPORT: Rule(
            who=lambda access: access.sees,
            states=SIGNED_STATUSES,
            states_message=_("The report exists once the recommendation is signed."),
        ),
        PanelAction.RENDER_REPORT: Rule(
            who=lambda access: access.is_lead or access.is_coordinator or access.owner,
            states=SIGNED_STATUSES,
            states_message=_("The report exists once the recommendation is signed."),
        ),
    }
)


# --- Coordinator figures ----------------------------------------------------------------------------
class FiguresAction(StrEnum):
    VIEW = "view_figures"


class FiguresPolicy(Policy[Case]):
    """Aggregate figures (no patient data): coordinators see their groups', network admins every group's.

    `visible` is the cases counted, never shown one by one."""

    model = Case

    @classmethod
    def refusal(cls, actor: Any, action: str = FiguresAction.VIEW, obj: Any = None) -> Refused | None:
        if not is_usable(actor) or action != FiguresAction.VIEW:
            return refused_forbidden()
        if actor.role == Role.NETWORK_ADMIN or is_coordinator(user_id=actor.pk):
            return None
        return refused_forbidden()

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[Case]) -> QuerySet[Case]:
        if not cls.can(actor, FiguresAction.VIEW):
            return queryset.none()
        if actor.role == Role.NETWORK_ADMIN:
            return queryset
        return queryset.filter(group_id__in=coordinated_group_ids(user_id=actor.pk))

    @classmethod
    def cases(cls, actor: Any) -> QuerySet[Case]:
        """The cases counted: those of the groups the actor coordinates, or all for a network admin."""
        return cls.visible(actor)
