"""The panel's written recommendation: drafted by the lead, signed once the case was discussed (after the lead
proves it is them again), then read-only, with a PDF report and a SHA-256 of its content."""

import hashlib
import json
import logging
from datetime import UTC
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.accounts.models import User
from concilium.audit.models import Outcome
from concilium.audit.services import audit_record
from concilium.cases.models import Case, CaseStatus, PanelMember, Recommendation
from concilium.cases.permissions import CasePolicy, PanelAction
from concilium.cases.services import CaseTransitionError, case_lock, case_require, text_problem
from concilium.core.errors import ErrorKind, register_codes
from concilium.notifications.services import notification_enqueue

logger = logging.getLogger(__name__)

#: The lead drafts while the case is scheduled or discussed; signing needs it discussed.
DRAFTABLE_STATUSES = frozenset({CaseStatus.SCHEDULED, CaseStatus.DISCUSSED})
TEXT_FIELDS = ("summary", "recommendation", "rationale", "references")
REQUIRED_FIELDS = ("summary", "recommendation")
MAX_FIELD_LENGTH = 20_000


class RecommendationError(CaseTransitionError):
    """A recommendation action refused: a `Refusal` code, INVALID (with the fields in `missing`) or below."""

    ALREADY_SIGNED = "already_signed"
    NO_DRAFT = "no_draft"
    BAD_PARTICIPANTS = "bad_participants"
    WRONG_CREDENTIAL = "wrong_credential"
    THROTTLED = "throttled"


register_codes(
    {
        RecommendationError.ALREADY_SIGNED: ErrorKind.CONFLICT,
        RecommendationError.NO_DRAFT: ErrorKind.CONFLICT,
        RecommendationError.BAD_PARTICIPANTS: ErrorKind.INVALID,
        RecommendationError.WRONG_CREDENTIAL: ErrorKind.INVALID,
        RecommendationError.THROTTLED: ErrorKind.RATE_LIMITED,
    }
)


def _require_sees(actor: User, case: Case) -> None:
    """Whoever does not see the case learns nothing of its recommendation: the error of a missing case."""
    if not CasePolicy.access(actor, case).sees:
        case_require(actor=actor, action=PanelAction.READ_DISCUSSION, case=case)


def _case_link(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


@transaction.atomic
def recommendation_save(
    *,
    case: Case,
    actor: User,
    summary: str,
    recommendation: str,
    rationale: str = "",
    references: str = "",
    participants: list[User] | None = None,
) -> Recommendation:
    """Create or update the draft. Refused once signed, and outside scheduled/discussed."""
    case = case_lock(case)
    _require_sees(actor, case)
    existing = Recommendation.objects.filter(case=case).first()
    if existing is not None and existing.signed_at is not None:
        raise RecommendationError(
            RecommendationError.ALREADY_SIGNED, _("The recommendation is signed and can no longer change.")
        )
    case_require(actor=actor, action=PanelAction.DRAFT_RECOMMENDATION, case=case)
    raw = {
        "summary": summary,
        "recommendation": recommendation,
        "rationale": rationale,
        "references": references,
    }
    values: dict[str, str] = {}
    for name, given in raw.items():
        value = (given or "").strip()
        problem = text_problem(value, limit=MAX_FIELD_LENGTH)
        if not problem and name in REQUIRED_FIELDS and not value:
            problem = _("This field is required.")
        if problem:
            raise RecommendationError(RecommendationError.INVALID, problem, missing=[name])
        values[name] = value
    participant_ids = {p.pk for p in participants or []}
    panel_ids = set(PanelMember.objects.filter(case=case).values_list("user_id", flat=True))
    if not participant_ids <= panel_ids:
        raise RecommendationError(
            RecommendationError.BAD_PARTICIPANTS,
            _("Participants are chosen among the panel's members."),
            missing=["participants"],
        )
    if existing is None:
        rec = Recommendation.objects.create(case=case, drafted_by=actor, **values)
    else:
        rec = existing
        for name, value in values.items():
            setattr(rec, name, value)
        rec.drafted_by = actor
        rec.save()
    rec.participants.set(participant_ids)
    audit_record(
        action="recommendation.drafted",
        actor=actor,
        obj=rec,
        patient_ref=case.patient.pseudonym,
        detail={"case": case.pk, "participants": sorted(participant_ids)},
    )
    return rec


def canonical_content(rec: Recommendation) -> bytes:
    """The signed content as canonical JSON (sorted keys, UTF-8): what content_sha256 is computed over."""
    case = rec.case
    participants = sorted(rec.participants.all(), key=lambda u: u.pk)
    data: dict[str, Any] = {
        "case": case.reference,
        "patient": case.patient.pseudonym,
        "group": case.group.name,
        "question": case.question,
        "summary": rec.summary,
        "recommendation": rec.recommendation,
        "rationale": rec.rationale,
        "references": rec.references,
        "participants": [{"id": u.pk, "name": u.full_name} for u in participants],
        "signed_by": {"id": rec.signed_by_id, "name": rec.signed_by.full_name if rec.signed_by else ""},
        # In UTC, so the fingerprint does not depend on the time zone the datetime was read in.
        "signed_at": rec.signed_at.astimezone(UTC).isoformat() if rec.signed_at else None,
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_digest(rec: Recommendation) -> str:
    return hashlib.sha256(canonical_content(rec)).hexdigest()


def _credential_ok(*, user: User, credential: str) -> tuple[bool, str, bool]:
    """(valid, kind, throttled): the current TOTP code when the user has a confirmed authenticator, else the
    password. The device's throttling counters are kept whatever the outcome."""
    devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    if not devices:
        return user.check_password(credential), "password", False
    code = "".join((credential or "").split())
    with transaction.atomic():
        for device in TOTPDevice.objects.filter(pk__in=[d.pk for d in devices]).select_for_update():
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                return False, "totp", True
            if device.verify_token(code):
                return True, "totp", False
    return False, "totp", False


def signing_needs_code(user: User) -> bool:
    """True when signing asks for the authenticator's code rather than the password."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def recommendation_sign(*, case: Case, actor: User, credential: str) -> Recommendation:
    """Sign the recommendation of a discussed case after checking the signer's password (or TOTP code).

    A wrong credential changes nothing and is audited. On success the case is SIGNED, the content's SHA-256
    is kept, the PDF report is generated (a failure there leaves the signature and is shown for a retry),
    and the requester is notified.
    """
    _require_sees(actor, case)
    rec = Recommendation.objects.filter(case=case).select_related("case__patient").first()
    if rec is None:
        raise RecommendationError(RecommendationError.NO_DRAFT, _("Write the recommendation first."))
    if rec.signed_at is not None:
        raise RecommendationError(
            RecommendationError.ALREADY_SIGNED, _("The recommendation is already signed.")
        )
    case_require(actor=actor, action=PanelAction.SIGN_RECOMMENDATION, case=case)
    valid, kind, throttled = _credential_ok(user=actor, credential=credential)
    if not valid:
        audit_record(
            action="recommendation.sign_failed",
            actor=actor,
            obj=rec,
            patient_ref=rec.case.patient.pseudonym,
            outcome=Outcome.DENIED if throttled else Outcome.FAILURE,
            detail={"case": case.pk, "reason": "throttled" if throttled else f"wrong_{kind}"},
        )
        if throttled:
            raise RecommendationError(
                RecommendationError.THROTTLED, _("Too many wrong codes. Wait a moment, then try again.")
            )
        message = (
            _("This code is not valid. Check your authenticator and try again.")
            if kind == "totp"
            else _("The password is not correct.")
        )
        raise RecommendationError(RecommendationError.WRONG_CREDENTIAL, message, missing=["credential"])
    return _sign(case=case, actor=actor, kind=kind)


@transaction.atomic
def _sign(*, case: Case, actor: User, kind: str, render_report: bool = True) -> Recommendation:
    case = case_lock(case)
    case_require(actor=actor, action=PanelAction.SIGN_RECOMMENDATION, case=case)
    rec = Recommendation.objects.select_for_update().get(case=case)
    if rec.signed_at is not None:
        raise RecommendationError(
            RecommendationError.ALREADY_SIGNED, _("The recommendation is already signed.")
        )
    now = timezone.now()
    rec.case = case
    rec.signed_by = actor
    rec.signed_at = now
    rec.content_sha256 = content_digest(rec)
    rec.save(update_fields=["signed_by", "signed_at", "content_sha256", "updated_at"])
    case.status = CaseStatus.SIGNED
    case.signed_at = now
    case.save(update_fields=["status", "signed_at", "updated_at"])
    CasePolicy.forget(case)
    audit_record(
        action="recommendation.signed",
        actor=actor,
        obj=rec,
        patient_ref=case.patient.pseudonym,
        detail={"case": case.pk, "sha256": rec.content_sha256, "via": kind},
    )
    if render_report:  # the demo loader renders once, after dating the signature
        recommendation_render_pdf(recommendation=rec, actor=actor)
    notification_enqueue(
        app="cases", recipient=case.requester, kind="recommendation_signed", link=_case_link(case)
    )
    return rec


@transaction.atomic
def recommendation_render_pdf(*, recommendation: Recommendation, actor: User | None = None) -> bool:
    """(Re)generate the signed recommendation's PDF report into default storage. Safe to run again.

    Returns False (and keeps the signature) when the PDF cannot be made, e.g. WeasyPrint or pango missing.
    """
    from concilium.cases.report import ReportUnavailable, render_report_pdf

    rec = recommendation
    if rec.signed_at is None:
        return False
    try:
        pdf = render_report_pdf(rec)
    except ReportUnavailable as error:
        logger.warning("recommendation %s: PDF report not generated: %s", rec.pk, error)
        audit_record(
            action="recommendation.report_failed",
            actor=actor,
            obj=rec,
            patient_ref=rec.case.patient.pseudonym,
            outcome=Outcome.FAILURE,
            detail={"case": rec.case_id},
        )
        return False
    old_name = rec.report.name if rec.report else ""
    rec.report.save(f"{rec.case.reference}-recommendation.pdf", ContentFile(pdf), save=False)
    Recommendation.objects.filter(pk=rec.pk).update(report=rec.report.name)
    if old_name and old_name != rec.report.name:
        transaction.on_commit(lambda: rec.report.storage.delete(old_name))
    audit_record(
        action="recommendation.report_generated",
        actor=actor,
        obj=rec,
        patient_ref=rec.case.patient.pseudonym,
        detail={"case": rec.case_id, "size": len(pdf)},
    )
    return True
