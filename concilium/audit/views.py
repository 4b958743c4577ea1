"""The audit log for network admins: search it page by page and export the current search as CSV."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from concilium.audit.forms import AuditSearchForm
from concilium.audit.permissions import AuditAction, AuditEventPolicy
from concilium.audit.selectors import (
    audit_action_choices,
    audit_event_page,
    audit_event_search,
    audit_export_rows,
)
from concilium.audit.services import audit_log_exported, audit_log_viewed
from concilium.core.spreadsheet import csv_lines


def _require(request: HttpRequest, action: AuditAction) -> None:
    if not AuditEventPolicy.can(request.user, action):
        raise PermissionDenied


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    _require(request, AuditAction.VIEW)
    form = AuditSearchForm(request.GET, actions=audit_action_choices())
    page = None
    if form.is_valid():
        page = audit_event_page(
            audit_event_search(actor=request.user, **form.filters()), number=form.page_number()
        )
        audit_log_viewed(actor=request.user, filters=form.used_filters(), page=page.number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/events.html",
        {"form": form, "page": page, "export_query": query.urlencode()},
        status=200 if page is not None else 400,
    )


@require_GET
def export(request: HttpRequest) -> HttpResponseBase:
    _require(request, AuditAction.EXPORT)
    form = AuditSearchForm(request.GET, actions=audit_action_choices())
    if not form.is_valid():
        return redirect(f"{reverse('audit:events')}?{request.GET.urlencode()}")
    queryset = audit_event_search(actor=request.user, **form.filters())
    audit_log_exported(actor=request.user, filters=form.used_filters())
    response = StreamingHttpResponse(
        csv_lines(audit_export_rows(queryset)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="concilium-audit-{stamp}.csv"'
    return response
