"""Health and error pages (the error pages of the JSON API are problem documents: core.problems)."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from concilium.core.errors import DomainError, ErrorKind
from concilium.core.health import run_checks

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, checks = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return render(request, template, {"request_id": getattr(request, "request_id", "")}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "errors/400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "errors/403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page. When the failure is in what the page's context reads (the session store, the database),
    it is rendered again without the request: the branded page still, never the server's bare error."""
    try:
        return _error(request, "errors/500.html", 500)
    except Exception as exc:
        logger.warning("error page rendered without its context", extra={"error_type": type(exc).__name__})
        html = render_to_string("errors/500.html", {"request_id": getattr(request, "request_id", "")})
        return HttpResponseServerError(html)


def refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A refused use case no view caught, as a page: a 404 or 403 page for those kinds, else the refusal's
    message with the status of its kind (core.errors.HTTP_STATUS)."""
    if error.kind == ErrorKind.NOT_FOUND:
        return page_not_found(request)
    if error.kind == ErrorKind.FORBIDDEN:
        return permission_denied(request)
    context = {"request_id": getattr(request, "request_id", ""), "message": error.message}
    return render(request, "errors/refused.html", context, status=error.status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, "errors/csrf.html", 403)
