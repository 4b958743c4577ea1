"""JSON API of the panel's work, mounted at /api/panels/: my panels, a case's panel members, its discussion,
its recommendation (draft, sign) and the signed report.

Same rules as the pages: a case the caller does not see is a 404; an action the caller may not do on a case
they see is a 403; one the case's state refuses is a 409; bad input is a 422. Reads need the `read` scope,
writes the `write` scope.
"""

from datetime import datetime
from typing import cast

from django.http import FileResponse, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import field_validator

from concilium.accounts.api_auth import api_user, required_scope
from concilium.accounts.models import TokenScope, User
from concilium.cases.models import Case, Contribution, PanelMember, PanelRole, Recommendation
from concilium.cases.permissions import CaseAction, CasePolicy, PanelAction
from concilium.cases.selectors_panel import (
    contributions_for,
    my_panels_page,
    panel_members,
    panel_users,
    recommendation_for,
)
from concilium.cases.services import case_require
from concilium.cases.services.panel import (
    CONTRIBUTION_MAX_LENGTH,
    contribution_post,
    panel_invite,
    panel_remove,
)
from concilium.cases.services.reads import case_read_record, cases_listed
from concilium.cases.services.recommendation import (
    MAX_FIELD_LENGTH,
    recommendation_save,
    recommendation_sign,
)
from concilium.cases.services.refusals import case_action_run
from concilium.core.errors import DomainError, ErrorKind, register_codes
from concilium.core.text import find_control_character
from concilium.directory.permissions import ClinicianPolicy

router = Router(tags=["panels"])

register_codes({"unknown_clinician": ErrorKind.INVALID, "report_unavailable": ErrorKind.CONFLICT})


def _case(request: HttpRequest, case_id: int) -> Case:
    case = (
        CasePolicy.visible(api_user(request))
        .select_related("patient", "group", "requester")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise DomainError("not_found", "No such case.")
    return case


def _require(user: User, action: str, case: Case) -> None:
    """Refuse (audited) unless the policy lets `user` do `action` with `case`."""
    case_action_run(
        case=case, actor=user, action=action, run=lambda: case_require(actor=user, action=action, case=case)
    )


def _audit_read(request: HttpRequest, case: Case, action: str) -> None:
    case_read_record(actor=api_user(request), case=case, action=action, via="api")


def _no_control(value: str) -> str:
    if find_control_character(value) is not None:
        raise ValueError("must not contain control characters")
    return value


# --- Schemas --------------------------------------------------------------------------------------------


class SeatOut(Schema):
    case_id: int
    reference: str
    group: str
    status: str
    discussion_on: datetime | None
    role: str
    expires_at: datetime | None
    new_contributions: int

    @staticmethod
    def resolve_reference(seat: PanelMember) -> str:
        return seat.case.reference

    @staticmethod
    def resolve_group(seat: PanelMember) -> str:
        return seat.case.group.name

    @staticmethod
    def resolve_status(seat: PanelMember) -> str:
        return seat.case.status

    @staticmethod
    def resolve_discussion_on(seat: PanelMember) -> datetime | None:
        return seat.case.discussion_on


class MemberOut(Schema):
    id: int
    user_id: int
    name: str
    hospital: str
    role: str
    expires_at: datetime | None
    expired: bool

    @staticmethod
    def resolve_name(member: PanelMember) -> str:
        return member.user.full_name

    @staticmethod
    def resolve_hospital(member: PanelMember) -> str:
        return member.user.hospital.name if member.user.hospital else ""

    @staticmethod
    def resolve_expired(member: PanelMember) -> bool:
        return bool(getattr(member, "is_expired", False))


class InviteIn(Schema):
    clinician_id: int = Field(description="a directory clinician who has an account")
    role: str = Field(PanelRole.MEMBER, pattern="^(member|guest)$")
    expires_at: datetime | None = Field(None, description="guests only; default 30 days, at most 90")


class ContributionOut(Schema):
    id: int
    author_id: int
    author: str
    kind: str
    body: str
    mentions: list[int]
    created_at: datetime

    @staticmethod
    def resolve_author(contribution: Contribution) -> str:
        return contribution.author.full_name

    @staticmethod
    def resolve_mentions(contribution: Contribution) -> list[int]:
        return [user.pk for user in contribution.mentions.all()]


class ContributionIn(Schema):
    kind: str = Field(Contribution.Kind.OPINION, pattern="^(opinion|request_info)$")
    body: str = Field(min_length=1, max_length=CONTRIBUTION_MAX_LENGTH)

    @field_validator("body")
    @classmethod
    def no_control_characters(cls, value: str) -> str:
        return _no_control(value)


class RecommendationOut(Schema):
    case_id: int
    summary: str
    recommendation: str
    rationale: str
    references: str
    participants: list[int]
    drafted_by: int = Field(alias="drafted_by_id")
    updated_at: datetime
    signed: bool
    signed_by: int | None = Field(alias="signed_by_id")
    signed_at: datetime | None
    content_sha256: str
    report_available: bool

    @staticmethod
    def resolve_participants(rec: Recommendation) -> list[int]:
        return sorted(user.pk for user in rec.participants.all())

    @staticmethod
    def resolve_signed(rec: Recommendation) -> bool:
        return rec.signed_at is not None

    @staticmethod
    def resolve_report_available(rec: Recommendation) -> bool:
        return bool(rec.report)


class RecommendationIn(Schema):
    summary: str = Field(min_length=1, max_length=MAX_FIELD_LENGTH)
    recommendation: str = Field(min_length=1, max_length=MAX_FIELD_LENGTH)
    rationale: str = Field("", max_length=MAX_FIELD_LENGTH)
    references: str = Field("", max_length=MAX_FIELD_LENGTH)
    participants: list[int] = Field(default_factory=list, description="user ids of panel members")

    @field_validator("summary", "recommendation", "rationale", "references")
    @classmethod
    def no_control_characters(cls, value: str) -> str:
        return _no_control(value)


class SignIn(Schema):
    credential: str = Field(
        max_length=128,
        description="your password, or the current code of your authenticator app if you use 2FA",
    )


# --- Endpoints ------------------------------------------------------------------------------------------


@router.get("/", response=list[SeatOut], url_name="panels_mine")
def panels_mine(request: HttpRequest) -> list[PanelMember]:
    """The cases whose panel you sit on (live seats), soonest discussion first (at most 200)."""
    required_scope(request, TokenScope.READ)
    actor = api_user(request)
    seats = list(my_panels_page(actor=actor, per_page=200).rows)
    cases_listed(actor=actor, action="panel.list", case_ids=[seat.case_id for seat in seats])
    return seats


@router.get("/{case_id}/members", response=list[MemberOut], url_name="panel_members")
def members(request: HttpRequest, case_id: int) -> list[PanelMember]:
    """The case's panel, lead first (expired guests are listed with expired=true)."""
    required_scope(request, TokenScope.READ)
    case = _case(request, case_id)
    _audit_read(request, case, "case.panel_view")
    return panel_members(case=case)


@router.post("/{case_id}/members", response={201: MemberOut}, url_name="panel_invite")
def invite(request: HttpRequest, case_id: int, payload: InviteIn) -> Status[PanelMember]:
    """Invite a directory clinician (any network) as a member or a guest. Coordinator or lead."""
    required_scope(request, TokenScope.WRITE)
    user = api_user(request)
    case = _case(request, case_id)
    _require(user, CaseAction.MANAGE_PANEL, case)
    clinician = ClinicianPolicy.visible(user).filter(pk=payload.clinician_id).select_related("user").first()
    if clinician is None:
        raise DomainError("unknown_clinician", "No such clinician in the directory.")
    member = case_action_run(
        case=case,
        actor=user,
        action=CaseAction.MANAGE_PANEL,
        run=lambda: panel_invite(
            case=case, clinician=clinician, role=payload.role, expires_at=payload.expires_at, actor=user
        ),
    )
    member.is_expired = False  # type: ignore[attr-defined]  # for the response schema
    return Status(201, member)


@router.post("/{case_id}/members/{member_id}/remove", response={204: None}, url_name="panel_remove")
def remove(request: HttpRequest, case_id: int, member_id: int) -> Status[None]:
    """Take someone off the panel (not the lead). Coordinator or lead."""
    required_scope(request, TokenScope.WRITE)
    user = api_user(request)
    case = _case(request, case_id)
    _require(user, CaseAction.MANAGE_PANEL, case)
    member = PanelMember.objects.filter(pk=member_id, case=case).first()
    if member is None:
        raise DomainError("not_found", "No such panel member.")
    case_action_run(
        case=case,
        actor=user,
        action=CaseAction.MANAGE_PANEL,
        run=lambda: panel_remove(case=case, member=member, actor=user),
    )
    return Status(204, None)


@router.get("/{case_id}/contributions", response=list[ContributionOut], url_name="panel_contributions")
def contributions(request: HttpRequest, case_id: int) -> list[Contribution]:
    """The case's discussion, oldest first."""
    required_scope(request, TokenScope.READ)
    case = _case(request, case_id)
    _audit_read(request, case, "case.discussion_view")
    return list(contributions_for(case=case))


@router.post("/{case_id}/contributions", response={201: ContributionOut}, url_name="panel_contribute")
def contribute(request: HttpRequest, case_id: int, payload: ContributionIn) -> Status[Contribution]:
    """Post an opinion or a request for more information; "@Full Name" mentions a panel member."""
    required_scope(request, TokenScope.WRITE)
    user = api_user(request)
    case = _case(request, case_id)
    contribution = case_action_run(
        case=case,
        actor=user,
        action=PanelAction.CONTRIBUTE,
        run=lambda: contribution_post(case=case, actor=user, body=payload.body, kind=payload.kind),
    )
    return Status(201, contribution)


def _visible_recommendation(request: HttpRequest, case: Case) -> Recommendation:
    rec = recommendation_for(case=case)
    user = api_user(request)
    if rec is None or (rec.signed_at is None and not CasePolicy.can(user, PanelAction.VIEW_DRAFT, case)):
        raise DomainError("not_found", "No recommendation yet.")
    return rec


@router.get("/{case_id}/recommendation", response=RecommendationOut, url_name="panel_recommendation")
def recommendation_get(request: HttpRequest, case_id: int) -> Recommendation:
    """The draft for the panel and the coordinators; once signed, for everyone who sees the case."""
    required_scope(request, TokenScope.READ)
    case = _case(request, case_id)
    rec = _visible_recommendation(request, case)
    _audit_read(request, case, "recommendation.view")
    return rec


@router.put("/{case_id}/recommendation", response=RecommendationOut, url_name="panel_recommendation_put")
def recommendation_put(request: HttpRequest, case_id: int, payload: RecommendationIn) -> Recommendation:
    """Write the draft (the lead, while the case is scheduled or discussed). A signed one never changes."""
    required_scope(request, TokenScope.WRITE)
    user = api_user(request)
    case = _case(request, case_id)
    participants = list(panel_users(case=case).filter(pk__in=payload.participants))
    if len(participants) != len(set(payload.participants)):
        raise DomainError("bad_participants", "Participants are chosen among the panel's members.")
    case_action_run(
        case=case,
        actor=user,
        action=PanelAction.DRAFT_RECOMMENDATION,
        run=lambda: recommendation_save(
            case=case,
            actor=user,
            summary=payload.summary,
            recommendation=payload.recommendation,
            rationale=payload.rationale,
            references=payload.references,
            participants=participants,
        ),
    )
    return cast(Recommendation, recommendation_for(case=case))  # written just above


@router.post(
    "/{case_id}/recommendation/sign", response=RecommendationOut, url_name="panel_recommendation_sign"
)
def recommendation_sign_endpoint(request: HttpRequest, case_id: int, payload: SignIn) -> Recommendation:
    """Sign (the lead, once the case is discussed), confirming with the password or the current TOTP code."""
    required_scope(request, TokenScope.WRITE)
    user = api_user(request)
    case = _case(request, case_id)
    case_action_run(
        case=case,
        actor=user,
        action=PanelAction.SIGN_RECOMMENDATION,
        run=lambda: recommendation_sign(case=case, actor=user, credential=payload.credential),
    )
    return cast(Recommendation, recommendation_for(case=case))  # written just above


@router.get("/{case_id}/recommendation/report", url_name="panel_recommendation_report")
def report(request: HttpRequest, case_id: int) -> FileResponse:
    """The signed recommendation's PDF report."""
    required_scope(request, TokenScope.READ)
    user = api_user(request)
    case = _case(request, case_id)
    _require(user, PanelAction.DOWNLOAD_REPORT, case)
    rec = recommendation_for(case=case)
    if rec is None or not rec.report:
        raise DomainError("report_unavailable", "The report has not been generated yet.")
    try:
        handle = rec.report.open("rb")
    except FileNotFoundError as error:
        raise DomainError("report_unavailable", "The report has not been generated yet.") from error
    _audit_read(request, case, "recommendation.report_download")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{case.reference}-recommendation.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
