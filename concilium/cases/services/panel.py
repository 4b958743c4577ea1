"""The panel of an accepted case: who sits on it (the group's members, invited experts, guests with an end
date), who leads it, and its asynchronous discussion (opinions and requests for more information).

Each service locks the case and checks its rule with `case_require` (CasePolicy: who, from which status, with
which consent) before it changes anything.
Notifications carry no patient data: they say that something happened and link to the case by its id.
"""

import re
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concilium.accounts.models import User
from concilium.audit.services import audit_record
from concilium.cases.models import Case, Contribution, PanelMember, PanelRole
from concilium.cases.permissions import CaseAction, PanelAction
from concilium.cases.services import CaseTransitionError, case_lock, case_require, text_problem
from concilium.core.errors import ErrorKind, register_codes
from concilium.directory.models import Clinician
from concilium.notifications.services import notification_enqueue
from concilium.scheduling.selectors import COORDINATOR, group_members

#: Guests are invited for a while: this long unless the inviter says otherwise, and never longer than the max.
GUEST_DEFAULT_DAYS = 30
GUEST_MAX_DAYS = 90
#: A contribution is a message, not a report.
CONTRIBUTION_MAX_LENGTH = 10_000


class PanelError(CaseTransitionError):
    """A panel action that the case's state or the input does not allow (codes below, or a `Refusal`)."""

    ALREADY_ON_PANEL = "already_on_panel"
    NO_ACCOUNT = "clinician_without_account"
    BAD_ROLE = "bad_role"
    BAD_EXPIRY = "bad_expiry"
    NOT_ON_PANEL = "not_on_panel"
    GUEST_CANNOT_LEAD = "guest_cannot_lead"
    LEAD_CANNOT_BE_REMOVED = "lead_cannot_be_removed"


register_codes(
    {
        PanelError.ALREADY_ON_PANEL: ErrorKind.CONFLICT,
        PanelError.NO_ACCOUNT: ErrorKind.INVALID,
        PanelError.BAD_ROLE: ErrorKind.INVALID,
        PanelError.BAD_EXPIRY: ErrorKind.INVALID,
        PanelError.NOT_ON_PANEL: ErrorKind.CONFLICT,
        PanelError.GUEST_CANNOT_LEAD: ErrorKind.CONFLICT,
        PanelError.LEAD_CANNOT_BE_REMOVED: ErrorKind.CONFLICT,
    }
)


def _case_link(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def _notify_seat(*, member: PanelMember) -> None:
    notification_enqueue(
        app="cases",
        recipient=member.user,
        kind="panel_invited",
        # The lazy label, rendered in the recipient's language (get_role_display is the actor's).
        context={"role": PanelRole(member.role).label, "expires_at": member.expires_at},
        link=_case_link(member.case),
    )


@transaction.atomic
def panel_form_from_group(*, case: Case, actor: User) -> list[PanelMember]:
    """Seat the expert group's active members (coordinators included) on the case's panel.

    Idempotent: members already seated keep their seat and role; only the newly seated are returned and
    notified. When the panel has no lead yet, the group's first coordinator (the actor if they coordinate
    the group) leads it.
    """
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.MANAGE_PANEL, case=case)
    # Members, then coordinators, each by name (the order they are seated in).
    memberships = sorted(
        group_members(group_id=case.group_id),
        key=lambda m: (m.role == COORDINATOR, m.user.full_name, m.user_id),
    )
    seated = set(PanelMember.objects.filter(case=case).values_list("user_id", flat=True))
    has_lead = PanelMember.objects.filter(case=case, role=PanelRole.LEAD).exists()
    lead_id: int | None = None
    if not has_lead:
        coordinators = [m.user_id for m in memberships if m.role == COORDINATOR]
        lead_id = actor.pk if actor.pk in coordinators else (coordinators[0] if coordinators else None)
        if lead_id in seated:
            PanelMember.objects.filter(case=case, user_id=lead_id).update(
                role=PanelRole.LEAD, expires_at=None
            )
    added = []
    for membership in memberships:
        if membership.user_id in seated:
            continue
        role = PanelRole.LEAD if membership.user_id == lead_id else PanelRole.MEMBER
        member = PanelMember.objects.create(case=case, user=membership.user, role=role, invited_by=actor)
        seated.add(membership.user_id)
        added.append(member)
        _notify_seat(member=member)
    audit_record(
        action="panel.formed",
        actor=actor,
        obj=case,
        patient_ref=case.patient.pseudonym,
        detail={"added": [m.user_id for m in added], "lead": lead_id},
    )
    return added


@transaction.atomic
def panel_invite(
    *,
    case: Case,
    clinician: Clinician,
    role: str,
    actor: User,
    expires_at: datetime | None = None,
) -> PanelMember:
    """Invite an expert from the directory (any network) as a member or a guest.

    A guest's access ends at `expires_at`: 30 days from now by default, never more than 90.
    """
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.MANAGE_PANEL, case=case)
    user = clinician.user
    if user is None or not user.is_active:
        raise PanelError(
            PanelError.NO_ACCOUNT,
            _("This clinician has no active Concilium account yet and cannot join a panel."),
        )
    if role not in (PanelRole.MEMBER, PanelRole.GUEST):
        raise PanelError(PanelError.BAD_ROLE, _("Invite an expert as a member or as a guest."))
    now = timezone.now()
    if role == PanelRole.GUEST:
        expires_at = expires_at or now + timedelta(days=GUEST_DEFAULT_DAYS)
        if expires_at <= now or expires_at > now + timedelta(days=GUEST_MAX_DAYS, minutes=5):
            raise PanelError(
                PanelError.BAD_EXPIRY,
                _("A guest's access ends in the future and within %(days)s days.") % {"days": GUEST_MAX_DAYS},
                missing=["expires_at"],
            )
    else:
        expires_at = None
    existing = PanelMember.objects.filter(case=case, user=user).first()
    if existing is not None:
        if PanelMember.is_live_seat(existing.role, existing.expires_at, now):
            raise PanelError(PanelError.ALREADY_ON_PANEL, _("This expert is already on the panel."))
        existing.delete()  # an expired guest invited again gets a fresh seat
    member = PanelMember.objects.create(
        case=case, user=user, role=role, invited_by=actor, expires_at=expires_at
    )
    _notify_seat(member=member)
    audit_record(
        action="panel.invited",
        actor=actor,
        obj=case,
        patient_ref=case.patient.pseudonym,
        detail={"user": user.pk, "role": role, "member": member.pk},
    )
    return member


@transaction.atomic
def panel_set_lead(*, case: Case, member: PanelMember, actor: User) -> PanelMember:
    """Make `member` the panel's lead; the previous lead stays on the panel as a member."""
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.MANAGE_PANEL, case=case)
    locked = PanelMember.objects.select_for_update().select_related("user").filter(pk=member.pk).first()
    if locked is None or locked.case_id != case.pk:
        raise PanelError(PanelError.NOT_ON_PANEL, _("This person is not on the case's panel."))
    member = locked
    if member.role == PanelRole.GUEST:
        raise PanelError(PanelError.GUEST_CANNOT_LEAD, _("A guest cannot lead the panel."))
    if member.role == PanelRole.LEAD:
        return member
    previous = list(
        PanelMember.objects.filter(case=case, role=PanelRole.LEAD).values_list("user_id", flat=True)
    )
    PanelMember.objects.filter(case=case, role=PanelRole.LEAD).update(role=PanelRole.MEMBER)
    member.role = PanelRole.LEAD
    member.save(update_fields=["role"])
    audit_record(
        action="panel.lead_set",
        actor=actor,
        obj=case,
        patient_ref=case.patient.pseudonym,
        detail={"user": member.user_id, "previous": previous},
    )
    if member.user_id != actor.pk:
        notification_enqueue(
            app="cases", recipient=member.user, kind="panel_lead", context={}, link=_case_link(case)
        )
    return member


@transaction.atomic
def panel_remove(*, case: Case, member: PanelMember, actor: User) -> None:
    """Take someone off the panel. The lead cannot be removed: name another lead first."""
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.MANAGE_PANEL, case=case)
    locked = PanelMember.objects.select_for_update().select_related("user").filter(pk=member.pk).first()
    if locked is None or locked.case_id != case.pk:
        raise PanelError(PanelError.NOT_ON_PANEL, _("This person is not on the case's panel."))
    member = locked
    if member.role == PanelRole.LEAD:
        raise PanelError(
            PanelError.LEAD_CANNOT_BE_REMOVED,
            _("The lead cannot be removed. Name another lead first."),
        )
    user_id, role = member.user_id, member.role
    member.delete()
    audit_record(
        action="panel.removed",
        actor=actor,
        obj=case,
        patient_ref=case.patient.pseudonym,
        detail={"user": user_id, "role": role},
    )


# --- Discussion -----------------------------------------------------------------------------------------

_MENTION_START = re.compile(r"(?:^|(?<=\s)|(?<=[(\[]))@")


def mentioned_users(body: str, candidates: list[User]) -> list[User]:
    """The candidates whose full name follows an "@" in `body` (case-insensitive), longest names first so that
    "@Ana Maria Silva" is not read as "@Ana Maria"."""
    folded = body.casefold()
    starts = [match.end() for match in _MENTION_START.finditer(folded)]
    found: dict[int, User] = {}
    for start in starts:
        for user in sorted(candidates, key=lambda u: -len(u.full_name)):
            name = user.full_name.casefold()
            if name and folded.startswith(name, start):
                end = start + len(name)
                if end == len(folded) or not folded[end].isalnum():
                    found.setdefault(user.pk, user)
                    break
    return list(found.values())


@transaction.atomic
def contribution_post(
    *,
    case: Case,
    actor: User,
    body: str,
    kind: str = Contribution.Kind.OPINION,
) -> Contribution:
    """Post an opinion or a request for more information to the case's discussion.

    "@Full Name" of a panel member mentions them: they are notified, and a request for more information
    notifies the requester too. Only while the case is accepted, scheduled or discussed.
    """
    case = case_lock(case)
    if kind not in Contribution.Kind.values:
        raise PanelError(
            PanelError.INVALID, _("Choose an opinion or a request for more information."), missing=["kind"]
        )
    action = PanelAction.REQUEST_INFO if kind == Contribution.Kind.REQUEST_INFO else PanelAction.CONTRIBUTE
    case_require(actor=actor, action=action, case=case)
    body = (body or "").strip()
    problem = (
        text_problem(body, limit=CONTRIBUTION_MAX_LENGTH) if body else _("Write something before posting.")
    )
    if problem:
        raise PanelError(PanelError.INVALID, problem, missing=["body"])
    contribution = Contribution.objects.create(case=case, author=actor, kind=kind, body=body)
    members = [seat.user for seat in case.panel.live().select_related("user")]
    mentions = [user for user in mentioned_users(body, members) if user.pk != actor.pk]
    contribution.mentions.set(mentions)
    link = reverse("cases:discussion", args=[case.pk])
    notified = {actor.pk}
    for user in mentions:
        notification_enqueue(app="cases", recipient=user, kind="panel_mentioned", context={}, link=link)
        notified.add(user.pk)
    if kind == Contribution.Kind.REQUEST_INFO and case.requester_id not in notified:
        notification_enqueue(
            app="cases", recipient=case.requester, kind="panel_information_requested", link=_case_link(case)
        )
    audit_record(
        action="contribution.posted",
        actor=actor,
        obj=contribution,
        patient_ref=case.patient.pseudonym,
        detail={"case": case.pk, "kind": kind, "mentions": [u.pk for u in mentions]},
    )
    return contribution
