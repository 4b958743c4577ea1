"""Session limits and deny-by-default access: the login gate in front of every view."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from concilium.accounts.access import user_is_fully_authenticated

Handler = Callable[[HttpRequest], HttpResponse]

#: Path prefixes whose views authenticate each request themselves (Bearer tokens) and answer 401 JSON.
SELF_AUTHENTICATING_PREFIXES = ("/api/", "/fhir/", "/dicomweb/")
#: Public by nature: static files and the OpenID Connect hand-off (its views come from mozilla-django-oidc).
STATIC_PREFIXES = ("/static/", "/oidc/")


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
            request.logout_reason = "not_active"  # type: ignore[attr-defined]  # read by the audit signal
            logout(request)
            return redirect(settings.LOGIN_URL)
        if user_is_fully_authenticated(request):
            return None
        if getattr(view_func, "second_factor_pending_allowed", False):
            return None
        if request.headers.get("HX-Request"):
            return JsonResponse({"detail": "second factor required"}, status=401)
        return redirect("accounts:two_factor")
