"""Errors as RFC 9457 problem details: one mapping from error codes to HTTP for the whole JSON API."""

from enum import StrEnum

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ApiError(Exception):
    """A domain error raised by an endpoint; `code` is stable and machine-readable."""

    def __init__(self, code: StrEnum | str, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.code = str(code)
        self.detail = detail
        self.status = status


def problem(
    api: NinjaAPI, request: HttpRequest, status: int, title: str, detail: str = "", **extra: object
) -> HttpResponse:
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def install_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return problem(api, request, exc.status, exc.code, exc.detail, code=exc.code)

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(part) for part in error.get("loc", [])], "msg": str(error.get("msg", ""))}
            for error in exc.errors
        ]
        return problem(api, request, 422, "invalid_request", "The request is not valid.", errors=errors)

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(api, request, 401, "unauthorized", "A valid Bearer token or session is required.")
        response["WWW-Authenticate"] = 'Bearer realm="concilium"'
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(api, request, exc.status_code, "error", str(exc))
