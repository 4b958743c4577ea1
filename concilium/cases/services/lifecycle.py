"""A case's life: draft -> submitted -> accepted | declined -> scheduled -> discussed -> signed -> closed.

Each transition is one function: it locks the case row, checks its rule (the policy's: who, from which
statuses, consent), changes the status with its timestamp, writes the audit event and queues notifications,
all in one transaction. A refused transition raises `CaseTransitionError` and changes nothing.
`discussed -> signed` is the recommendation's (services/recommendation.py).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concilium.audit.services import audit_record
from concilium.cases.models import EPISODE_FIELDS, OPEN_STATUSES, Case, CaseStatus
from concilium.cases.permissions import CaseAction, CasePolicy, Refusal, can_create_case
from concilium.cases.services import CaseTransitionError, case_lock, case_require, text_problem
from concilium.cases.services.templates import completeness, template_for
from concilium.core.translations import translated_lazy
from concilium.notifications.services import notification_enqueue
from concilium.scheduling.models import ExpertGroup
from concilium.scheduling.selectors import group_members

#: Longest text accepted in one episode field.
EPISODE_MAX_CHARS = 20_000
#: Longest reason for declining.
REASON_MAX_CHARS = 2_000


def _clean_text(value: object, *, limit: int, field: str) -> str:
    text = str(value or "").strip()
    problem = text_problem(text, limit=limit)
    if problem:
        raise CaseTransitionError(CaseTransitionError.INVALID, problem, missing=[field])
    return text


def _audit(action: str, *, case: Case, actor: Any, **detail: object) -> None:
    audit_record(
        action=action,
        actor=actor,
        obj=case,
        patient_ref=case.patient.pseudonym,
        detail={"reference": case.reference, "status": case.status, **detail},
    )


def case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def _coordinators(group_id: int) -> list[Any]:
    return [m.user for m in group_members(group_id=group_id, coordinators_only=True)]


def _group_people(group_id: int) -> list[Any]:
    return [m.user for m in group_members(group_id=group_id)]


def _notify(recipients: list[Any], kind: str, *, case: Case, exclude: Any = None, **context: object) -> None:
    """Queue `kind` for each recipient once (never the actor): a group name, no patient data, and a link
    to the case for those who may open it now (a group member told of an urgent case before it is
    accepted, a coordinator told that a withdrawn consent stopped it, get the message without a dead link)."""
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        if not user.is_active:
            continue
        notification_enqueue(
            app="cases",
            recipient=user,
            kind=kind,
            # The group's name in each recipient's language: rendered under their language, later.
            context={"group_name": translated_lazy(case.group, "name"), **context},
            link=case_url(case) if CasePolicy.visible(user).filter(pk=case.pk).exists() else "",
        )


def _next_reference(year: int) -> str:
    prefix = f"C-{year}-"
    last = (
        Case.objects.filter(reference__startswith=prefix)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def _episode(values: Mapping[str, object]) -> dict[str, str]:
    unknown = set(values) - set(EPISODE_FIELDS)
    if unknown:
        raise CaseTransitionError(
            CaseTransitionError.INVALID, _("Unknown episode field."), missing=sorted(unknown)
        )
    return {name: _clean_text(value, limit=EPISODE_MAX_CHARS, field=name) for name, value in values.items()}


@transaction.atomic
def case_create(
    *,
    actor: Any,
    patient: Any,
    group: ExpertGroup,
    urgent: bool = False,
    episode: Mapping[str, object] | None = None,
) -> Case:
    """Start a draft case for a patient of the actor's hospital, addressed to `group`."""
    if not can_create_case(actor):
        raise CaseTransitionError(Refusal.FORBIDDEN, _("Only clinicians of a hospital start cases."))
    if patient.hospital_id != actor.hospital_id:
        raise CaseTransitionError(Refusal.NOT_FOUND, _("No such patient."))
    fields = _episode(episode or {})
    now = timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    reference=_next_reference(timezone.localdate(now).year),
                    patient=patient,
                    hospital_id=patient.hospital_id,
                    group=group,
                    requester=actor,
                    urgent=bool(urgent),
                    created_at=now,
                    **fields,
                )
            break
        except IntegrityError:  # two cases took the same number at once: take the next one
            continue
    else:  # pragma: no cover - five collisions in a row
        raise CaseTransitionError(CaseTransitionError.INVALID, _("Please try again."))
    _audit("case.create", case=case, actor=actor, group=group.pk, urgent=case.urgent)
    return case


@transaction.atomic
def case_update(
    *,
    case: Case,
    actor: Any,
    episode: Mapping[str, object] | None = None,
    urgent: bool | None = None,
    checklist_confirmed: list[str] | None = None,
) -> Case:
    """Change the episode, the urgent flag or the confirmed checklist items (draft, or information asked)."""
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.EDIT, case=case)
    fields = _episode(episode or {})
    changed = [name for name, value in fields.items() if getattr(case, name) != value]
    for name in changed:
        setattr(case, name, fields[name])
    if urgent is not None and bool(urgent) != case.urgent:
        case.urgent = bool(urgent)
        changed.append("urgent")
    if checklist_confirmed is not None:
        allowed = {
            item["key"] for item in template_for(case.group).checklist if item.get("kind") == "confirm"
        }
        keys = sorted(set(checklist_confirmed))
        if not set(keys) <= allowed:
            raise CaseTransitionError(
                CaseTransitionError.INVALID, _("Unknown checklist item."), missing=["checklist_confirmed"]
            )
        if keys != sorted(case.checklist_confirmed or []):
            case.checklist_confirmed = keys
            changed.append("checklist_confirmed")
    if changed:
        case.save()
        _audit("case.update", case=case, actor=actor, fields=sorted(changed))
    return case


@transaction.atomic
def case_checklist_confirm(*, case: Case, actor: Any, key: str, confirmed: bool) -> Case:
    """Confirm one checklist item of the group's (kind "confirm"), or take the confirmation back; who may
    and when is the rule for editing the case (draft, or information asked)."""
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.EDIT, case=case)
    items = {item["key"] for item in template_for(case.group).checklist if item.get("kind") == "confirm"}
    if key not in items:
        raise CaseTransitionError(CaseTransitionError.INVALID, _("Unknown checklist item."), missing=["key"])
    keys = set(case.checklist_confirmed or [])
    if (key in keys) == confirmed:
        return case
    case.checklist_confirmed = sorted(keys | {key} if confirmed else keys - {key})
    case.save(update_fields=["checklist_confirmed", "updated_at"])
    _audit("case.checklist_confirm", case=case, actor=actor, item=key, confirmed=confirmed)
    return case


def _has_valid_care_consent(patient: Any) -> bool:
    """The exact consent rule (signed, for care, not withdrawn, as of today), not the denormalised flag."""
    from concilium.patients.selectors import has_valid_care_consent

    return bool(has_valid_care_consent(patient))


def _require_consent(case: Case) -> None:
    if not case.patient.has_care_consent or not _has_valid_care_consent(case.patient):
        raise CaseTransitionError(
            Refusal.NO_CONSENT, _("The patient has no valid care consent: record one before going on.")
        )


@transaction.atomic
def case_submit(*, case: Case, actor: Any) -> Case:
    """Send a complete draft to its expert group (needs a valid care consent); tells the coordinators.

    An urgent case is announced at once to all of the group's members and coordinators.
    """
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.SUBMIT, case=case)
    _require_consent(case)
    found = completeness(case)
    if not found.complete:
        labels = [item.label for item in found.missing]
        raise CaseTransitionError(
            CaseTransitionError.INCOMPLETE,
            _("The case is not complete yet. Missing: %(items)s.") % {"items": "; ".join(labels)},
            missing=labels,
        )
    case.status = CaseStatus.SUBMITTED
    case.submitted_at = timezone.now()
    case.save()
    CasePolicy.forget(case)
    _audit("case.submit", case=case, actor=actor, group=case.group_id, urgent=case.urgent)
    if case.urgent:
        _notify(_group_people(case.group_id), "case_urgent", case=case, exclude=actor)
    else:
        _notify(_coordinators(case.group_id), "case_submitted", case=case, exclude=actor)
    return case


@transaction.atomic
def case_accept(*, case: Case, actor: Any) -> Case:
    """The coordinator takes a submitted case on; the requester is told."""
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.DECIDE, case=case)
    case.status = CaseStatus.ACCEPTED
    case.decided_at = timezone.now()
    case.information_requested_at = None
    case.save()
    CasePolicy.forget(case)
    _audit("case.accept", case=case, actor=actor)
    _notify([case.requester], "case_accepted", case=case, exclude=actor)
    from concilium.cases.services.panel import panel_form_from_group  # the panel builds on the lifecycle

    panel_form_from_group(case=case, actor=actor)  # the group's members form the panel
    return case


@transaction.atomic
def case_decline(*, case: Case, actor: Any, reason: str) -> Case:
    """The coordinator declines a submitted case, with a reason the requester reads on the case page."""
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.DECIDE, case=case)
    reason = _clean_text(reason, limit=REASON_MAX_CHARS, field="reason")
    if not reason:
        raise CaseTransitionError(
            CaseTransitionError.INVALID, _("Say why the case is declined."), missing=["reason"]
        )
    case.status = CaseStatus.DECLINED
    case.decided_at = timezone.now()
    case.decline_reason = reason
    case.information_requested_at = None
    case.save()
    CasePolicy.forget(case)
    _audit("case.decline", case=case, actor=actor)
    _notify([case.requester], "case_declined", case=case, exclude=actor)
    return case


@transaction.atomic
def case_schedule(*, case: Case, actor: Any, discussion_on: datetime) -> Case:
    """Set (or move) the discussion date of an accepted case; needs a valid care consent and a future date."""
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.SCHEDULE, case=case)
    if not isinstance(discussion_on, datetime) or timezone.is_naive(discussion_on):
        raise CaseTransitionError(
            CaseTransitionError.INVALID, _("Give a date and a time."), missing=["discussion_on"]
        )
    if discussion_on <= timezone.now():
        raise CaseTransitionError(
            CaseTransitionError.INVALID,
            _("The discussion date must be in the future."),
            missing=["discussion_on"],
        )
    if discussion_on.year > timezone.now().year + 2:
        raise CaseTransitionError(
            CaseTransitionError.INVALID,
            _("The discussion date must be within the next two years."),
            missing=["discussion_on"],
        )
    _require_consent(case)
    moved = case.status == CaseStatus.SCHEDULED
    case.status = CaseStatus.SCHEDULED
    case.discussion_on = discussion_on
    case.information_requested_at = None
    case.save()
    CasePolicy.forget(case)
    _audit(
        "case.schedule",
        case=case,
        actor=actor,
        discussion_on=discussion_on.isoformat(),
        moved=moved,
    )
    _notify([case.requester], "case_scheduled", case=case, exclude=actor, discussion_on=discussion_on)
    return case


@transaction.atomic
def case_mark_discussed(*, case: Case, actor: Any) -> Case:
    """The coordinator or the panel lead records that the panel discussed the case."""
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.MARK_DISCUSSED, case=case)
    case.status = CaseStatus.DISCUSSED
    case.discussed_at = timezone.now()
    case.save()
    CasePolicy.forget(case)
    _audit("case.discussed", case=case, actor=actor)
    return case


@transaction.atomic
def case_close(*, case: Case, actor: Any) -> Case:
    """Close a case whose recommendation is signed."""
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.CLOSE, case=case)
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.save()
    CasePolicy.forget(case)
    _audit("case.close", case=case, actor=actor)
    return case


@transaction.atomic
def cases_stop_for_withdrawn_consent(*, patient: Any, actor: Any) -> int:
    """Stop the patient's open cases after the care consent was withdrawn; returns how many were stopped.

    Drafts stay drafts (they never reached a group and cannot be submitted without consent). The requester
    and the group's coordinators are told; coordinators and panel members lose access with the consent.
    """
    now = timezone.now()
    stopping = (
        Case.objects.select_for_update(of=("self",))
        .select_related("patient", "group", "requester")
        .filter(patient=patient, status__in=OPEN_STATUSES - {CaseStatus.DRAFT})
        .order_by("pk")
    )
    count = 0
    for case in stopping:
        previous = case.status
        case.status = CaseStatus.STOPPED
        case.stopped_at = now
        case.save(update_fields=["status", "stopped_at", "updated_at"])
        CasePolicy.forget(case)
        _audit(
            "case.stopped",
            case=case,
            actor=actor,
            previous=previous,
            reason="consent_withdrawn",
        )
        _notify([case.requester, *_coordinators(case.group_id)], "case_stopped", case=case, exclude=actor)
        count += 1
    return count
