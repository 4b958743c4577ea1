"""Errors as RFC 9457 problem documents: the one rendering of `DomainError` and of HTTP errors for the API.

The JSON API's routers raise `DomainError`; `install_handlers` answers it (and request validation, missing
credentials and unexpected exceptions) with a problem document. `ApiProblemMiddleware` does the same for what
never reaches a router under `/api/` (an unknown path: 404, a wrong method: 405, a crash: 500), with DEBUG on
or off, and never shows internals.
"""

import json
import logging
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from concilium.core.errors import CommonCode, DomainError
from concilium.core.views import refused

logger = logging.getLogger("concilium.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
#: Path prefixes whose every answer, errors included, is JSON.
API_PREFIXES = ("/api/",)


def problem_body(status: int, title: str, detail: str = "", **extra: object) -> dict[str, object]:
    """A problem document; its `code` is the title unless given (every problem carries a code)."""
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["code"] = title
    body.update(extra)
    return body


def problem_response(status: int, title: str, detail: str = "", **extra: object) -> HttpResponse:
    response = JsonResponse(problem_body(status, title, detail, **extra), status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def error_problem(error: DomainError) -> HttpResponse:
    """The problem document of a refused use case."""
    return problem_response(error.status, error.code, error.message, **error.extra)


def install_handlers(api: NinjaAPI) -> None:
    """Answer every error of `api` with a problem document."""

    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return error_problem(exc)

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(part) for part in error.get("loc", [])], "msg": str(error.get("msg", ""))}
            for error in exc.errors
        ]
        return problem_response(
            422,
            CommonCode.INVALID_REQUEST,
            "The request is not valid.",
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem_response(401, "unauthorized", "A valid Bearer token or session is required.")
        response["WWW-Authenticate"] = 'Bearer realm="concilium"'
        return response

    @api.exception_handler(MultiPartParserError)
    def on_bad_form(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return problem_response(400, CommonCode.BAD_REQUEST, "The multipart body cannot be read.")

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem_response(413, CommonCode.TOO_LARGE, "The form's fields are too large.")

    @api.exception_handler(OverflowError)
    def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # A number past what the database stores (an id over 2**63 - 1): a wrong value, not our failure.
        return problem_response(422, CommonCode.INVALID_REQUEST, "A number in the request is out of range.")

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(404, CommonCode.NOT_FOUND, "Not found.")

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        title = {403: CommonCode.FORBIDDEN, 404: CommonCode.NOT_FOUND}.get(exc.status_code, "error")
        return problem_response(exc.status_code, title, str(exc))

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unexpected error in the JSON API")  # the request id ties it to the answer
        return _server_error(request)


def _server_error(request: HttpRequest) -> HttpResponse:
    return problem_response(
        500,
        "server_error",
        "Something went wrong on our side. Quote the request id to the helpdesk.",
        request_id=getattr(request, "request_id", ""),
    )


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIXES)


class ApiProblemMiddleware:
    """Under `/api/`, refuse a body the API does not read (`body_refusal`) and turn an error answer that is
    not JSON (404, 405, ...) or an exception into a problem;
    elsewhere, answer a `DomainError` no view caught with the page of its kind (never a 500)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_api(request) and request.method in BODY_METHODS:
            refused = body_refusal(request)
            if refused is not None:
                return refused
        response = self.get_response(request)
        if not _is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").split(";")[0] in {"application/json", PROBLEM_CONTENT_TYPE}:
            return response
        status = response.status_code
        converted = problem_response(status, _title(status), _phrase(status))
        if "Allow" in response:
            converted["Allow"] = response["Allow"]
        if "WWW-Authenticate" in response:
            converted["WWW-Authenticate"] = response["WWW-Authenticate"]
        return converted

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return error_problem(exception) if _is_api(request) else refused(request, exception)
        if not _is_api(request):
            return None
        if isinstance(exception, Http404 | PermissionDenied | BadRequest | SuspiciousOperation):
            return None  # Django answers these (404, 403, 400); __call__ turns the answer into a problem
        logger.exception("unexpected error under /api/")
        return _server_error(request)


def _title(status: int) -> str:
    return {404: "not_found", 405: "method_not_allowed", 500: "server_error"}.get(status, "error")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase + "."
    except ValueError:
        return ""


#: Bodies the JSON API reads: JSON objects, and forms (multipart with files, or urlencoded).
JSON_TYPES = frozenset({"application/json"})
FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def body_refusal(request: HttpRequest) -> HttpResponse | None:  # noqa: PLR0911 - one exit per rule
    """Why the JSON API does not read this request's body, as a problem, or None: a type it does not read
    (415), a JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE (413), JSON that does not parse (400) or that is not
    an object (422). Forms go on to their endpoint, which checks their fields and files."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return problem_response(400, CommonCode.BAD_REQUEST, "The Content-Length header is not a number.")
    if length <= 0 or request.content_type in FORM_TYPES:
        return None
    if request.content_type not in JSON_TYPES:
        return problem_response(
            415,
            CommonCode.UNSUPPORTED_MEDIA_TYPE,
            "Send the body as application/json (or a form as multipart/form-data).",
        )
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return problem_response(413, CommonCode.TOO_LARGE, f"The body is larger than {limit} MB.")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return problem_response(400, CommonCode.BAD_REQUEST, "The body is not valid JSON.")
    if not isinstance(body, dict):
        return problem_response(422, CommonCode.INVALID_REQUEST, "The body must be a JSON object.")
    return None
