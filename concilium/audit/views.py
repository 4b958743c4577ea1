"""The audit log for network admins: search it page by page and export the current search as CSV. The
search is posted; who and which object or patient are kept in the session, never in an address."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from concilium.audit.forms import AuditSearchForm
from concilium.audit.permissions import AuditAction, AuditEventPolicy
from concilium.audit.selectors import (
    audit_action_choices,
    audit_event_page,
    audit_event_search,
    audit_export_rows,
)
from concilium.audit.services import audit_log_exported, audit_log_viewed
from concilium.core.search import posted_search
from concilium.core.spreadsheet import csv_lines


def _require(request: HttpRequest, action: AuditAction) -> None:
    if not AuditEventPolicy.can(request.user, action):
        raise PermissionDenied


#: Filters that name a person or an object (an email address, a user id, a patient): posted and kept in the
#: session, never in the page's address (`core.search`); action, type, outcome and dates stay linkable.
PRIVATE_FILTERS = ("who", "object_id", "patient_ref")


def _search(request: HttpRequest) -> tuple[AuditSearchForm, HttpResponseRedirect | None]:
    return posted_search(
        request,
        key="audit",
        form_class=AuditSearchForm,
        private=PRIVATE_FILTERS,
        actions=audit_action_choices(),
    )


@require_http_methods(["GET", "POST"])
def events(request: HttpRequest) -> HttpResponse:
    _require(request, AuditAction.VIEW)
    form, redirect_to = _search(request)
    if redirect_to is not None:
        return redirect_to
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
    """The current search as CSV: the address's filters with those kept in the session."""
    _require(request, AuditAction.EXPORT)
    form, _redirect = _search(request)
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
