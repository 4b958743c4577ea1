"""Writing audit events. Call `audit_record` inside the transaction of the change it describes."""

from collections.abc import Callable
from typing import Any, TypeVar

from concilium.audit.models import AuditEvent, Outcome
from concilium.core import request_context
from concilium.core.errors import CommonCode, DomainError

T = TypeVar("T")


def audit_record(
    *,
    action: str,
    actor: Any = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    patient_ref: str = "",
    outcome: Outcome | str = Outcome.SUCCESS,
    detail: dict[str, object] | None = None,
) -> AuditEvent:
    """Append one event. `detail` holds ids and codes only, never names, emails or clinical text.

    Where the change came from (request id, address, user agent) is read from the request context."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    context = request_context.current()
    return AuditEvent.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_label=getattr(actor, "email", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        patient_ref=patient_ref,
        source_ip=context.address,
        user_agent=context.user_agent,
        outcome=outcome,
        request_id=context.request_id,
        detail=detail or {},
    )


def audit_refusal(
    *,
    actor: Any,
    action: str,
    error: DomainError,
    obj: Any = None,
    patient_ref: str = "",
    detail: dict[str, object] | None = None,
) -> AuditEvent | None:
    """Record a refused action (outcome denied, with the refusal's code), after its transaction rolled back.

    A "not found" refusal is not recorded against the object: the actor does not see it, and nothing is
    said of it."""
    if error.code == CommonCode.NOT_FOUND:
        return None
    return audit_record(
        action=action,
        actor=actor,
        obj=obj,
        patient_ref=patient_ref,
        outcome=Outcome.DENIED,
        detail={**(detail or {}), "code": error.code},
    )


def action_run(
    *,
    actor: Any,
    action: str,
    run: Callable[[], T],
    obj: Any = None,
    patient_ref: str = "",
    detail: dict[str, object] | None = None,
) -> T:
    """Run one use case on patient data; a refusal (`DomainError`) is audited (`audit_refusal`), then
    raised on. The one way the entry points run writes on patient data."""
    try:
        return run()
    except DomainError as error:
        audit_refusal(
            actor=actor, action=action, error=error, obj=obj, patient_ref=patient_ref, detail=detail
        )
        raise


def audit_read(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    object_type: str = "",
    patient_ref: str = "",
    detail: dict[str, object] | None = None,
) -> AuditEvent:
    """Record a read of patient data (a page, a list page, a document, an API answer): every app's read
    service calls this, once, from the entry point that showed the data."""
    return audit_record(
        action=action, actor=actor, obj=obj, object_type=object_type, patient_ref=patient_ref, detail=detail
    )


def audit_log_viewed(*, actor: Any, filters: list[str], page: int) -> AuditEvent:
    """Reading the audit log is itself audited: which filters were used (names only) and which page."""
    return audit_record(action="audit.viewed", actor=actor, detail={"filters": filters, "page": page})


def audit_log_exported(*, actor: Any, filters: list[str]) -> AuditEvent:
    """Exporting the audit log is itself audited, with the names of the filters that shaped the export."""
    return audit_record(action="audit.exported", actor=actor, detail={"filters": filters})
