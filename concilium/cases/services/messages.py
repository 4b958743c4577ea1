"""The pre-selection thread between the group's coordinators and the requesting hospital.

A coordinator may ask for more information: the case keeps its status but is flagged "information requested",
which lets the requester edit the episode and add files until the coordinator decides or schedules.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concilium.audit.services import audit_record
from concilium.cases.models import Case, CaseMessage
from concilium.cases.permissions import INFO_EDIT_STATUSES, CaseAction, CasePolicy, Refusal
from concilium.cases.services import CaseTransitionError, case_lock, case_require, text_problem
from concilium.cases.services.lifecycle import _coordinators, _notify

MESSAGE_MAX_CHARS = 5_000


def _body(body: str) -> str:
    text = str(body or "").strip()
    if not text:
        raise CaseTransitionError(CaseTransitionError.INVALID, _("Write a message."), missing=["body"])
    problem = text_problem(text, limit=MESSAGE_MAX_CHARS)
    if problem:
        raise CaseTransitionError(CaseTransitionError.INVALID, problem, missing=["body"])
    return text


@transaction.atomic
def case_message_post(
    *,
    case: Case,
    actor: Any,
    body: str,
    request_information: bool = False,
) -> CaseMessage:
    """Post to the thread. The owning hospital's messages go to the coordinators, the coordinators' to the
    requester. `request_information` (coordinators, submitted or accepted cases) flags the case."""
    case = case_lock(case)
    case_require(actor=actor, action=CaseAction.MESSAGE, case=case)
    text = _body(body)
    access = CasePolicy.access(actor, case)
    if request_information:
        if not access.is_coordinator or case.status not in INFO_EDIT_STATUSES:
            raise CaseTransitionError(
                Refusal.FORBIDDEN,
                _("Only the group's coordinator asks for more information, before scheduling."),
            )
        case.information_requested_at = timezone.now()
        case.save(update_fields=["information_requested_at", "updated_at"])
    message = CaseMessage.objects.create(case=case, author=actor, body=text)
    audit_record(
        action="case.information_request" if request_information else "case.message",
        actor=actor,
        obj=case,
        patient_ref=case.patient.pseudonym,
        detail={"reference": case.reference, "message": message.pk},
    )
    if request_information:
        _notify([case.requester], "case_information_requested", case=case, exclude=actor)
    elif access.owner and not access.is_coordinator:
        _notify(_coordinators(case.group_id), "case_message", case=case, exclude=actor)
    else:
        _notify([case.requester], "case_message", case=case, exclude=actor)
    return message
