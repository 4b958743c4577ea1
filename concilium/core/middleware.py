"""Request context (id, address, user agent) and security headers, for every request."""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from concilium.core import request_context

Handler = Callable[[HttpRequest], HttpResponse]


class RequestContextMiddleware:
    """Give every request an id, echoed in the X-Request-ID header, the logs and the error page, and bind
    the request's context (id, address, user agent) for the audit."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # read by the error pages
        with request_context.bound(request_context.context_of(request, request_id=request_id)):
            response = self.get_response(request)
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
