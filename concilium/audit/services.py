"""Writing audit events. Call `audit_record` inside the transaction of the change it describes."""

from typing import Any

from django.http import HttpRequest

from concilium.audit.models import AuditEvent, Outcome
from concilium.core.logging import request_id_var


def client_ip(request: HttpRequest | None) -> str | None:
    """The source address of a request (REMOTE_ADDR; set PROXY_COUNT behind a reverse proxy)."""
    if request is None:
        return None
    from django.conf import settings

    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor: Any = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    patient_ref: str = "",
    request: HttpRequest | None = None,
    outcome: Outcome | str = Outcome.SUCCESS,
    detail: dict[str, object] | None = None,
) -> AuditEvent:
    """Append one event. `detail` holds ids and codes only, never names, emails or clinical text."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_label=getattr(actor, "email", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        patient_ref=patient_ref,
        source_ip=client_ip(request),
        outcome=outcome,
        request_id=getattr(request, "request_id", "") or request_id_var.get(),
        detail=detail or {},
    )


def audit_log_viewed(*, actor: Any, request: HttpRequest | None, filters: list[str], page: int) -> AuditEvent:
    """Reading the audit log is itself audited: which filters were used (names only) and which page."""
    return audit_record(
        action="audit.viewed", actor=actor, request=request, detail={"filters": filters, "page": page}
    )


def audit_log_exported(*, actor: Any, request: HttpRequest | None, filters: list[str]) -> AuditEvent:
    """Exporting the audit log is itself audited, with the names of the filters that shaped the export."""
    return audit_record(action="audit.exported", actor=actor, request=request, detail={"filters": filters})
