"""Request id, security headers, session limits and deny-by-default access."""

import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from concilium.core.access import user_is_fully_authenticated
from concilium.core.logging import request_id_var

Handler = Callable[[HttpRequest], HttpResponse]

#: Path prefixes whose views authenticate each request themselves (Bearer tokens) and answer 401 JSON.
SELF_AUTHENTICATING_PREFIXES = ("/api/", "/fhir/", "/dicomweb/")
#: Public by nature: static files and the OpenID Connect hand-off (its views come from mozilla-django-oidc).
STATIC_PREFIXES = ("/static/", "/oidc/")


class RequestIdMiddleware:
    """Give every request an id, echoed in the X-Request-ID header, the logs and the error page."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline scripts, no framing) and Permissions-Policy on every response."""

    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self' {oidc}; "
        "frame-ancestors 'none'"
    )

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        oidc = getattr(settings, "OIDC_OP_ISSUER", "")
        self.csp = self.CSP.format(oidc=oidc).replace("  ", " ")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.setdefault("Cache-Control", "no-store")
        return response


#: Seconds between two writes of a session's last activity: the idle limit is this precise, and a burst of
#: requests (typing in a search box) writes the session once rather than at every keystroke.
ACTIVITY_RESOLUTION = 30


class SessionLimitsMiddleware:
    """End sessions idle for SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and "_auth_user_id" in request.session:
            now = time.time()
            started = request.session.setdefault("started_at", now)
            last_seen = request.session.get("last_seen", now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
            expired = now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or expired:
                reason = "idle" if idle else "expired"
                request.logout_reason = reason  # type: ignore[attr-defined]  # read by the audit signal
                logout(request)
                request.session["session_ended"] = reason
            elif now - last_seen >= ACTIVITY_RESOLUTION or "last_seen" not in request.session:
                request.session["last_seen"] = now  # a session write; not on every request
        return self.get_response(request)


class LoginRequiredMiddleware:
    """Deny by default: every view needs an activated, fully authenticated user unless marked public."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(  # noqa: PLR0911 - one early exit per rule of the gate
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        path = request.path_info
        if path.startswith(SELF_AUTHENTICATING_PREFIXES + STATIC_PREFIXES):
            return None
        if not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())  # quotes `next`, unlike a bare f-string
        if not user.is_active:
            request.logout_reason = "not_active"  # type: ignore[attr-defined]
            logout(request)
            return redirect(settings.LOGIN_URL)
        if user_is_fully_authenticated(request):
            return None
        if getattr(view_func, "second_factor_pending_allowed", False):
            return None
        if request.headers.get("HX-Request"):
            return JsonResponse({"detail": "second factor required"}, status=401)
        return redirect("accounts:two_factor")
