"""One domain error type, one table from its codes to HTTP, one rendering: problem documents under /api/
(404, 405 and 500 included, DEBUG on or off, never with internals) and pages elsewhere."""

from unittest import mock

import pytest
from django.test import Client, RequestFactory, override_settings

from concilium.cases.services.attachments import FILE_TOO_LARGE
from concilium.core.errors import HTTP_STATUS, DomainError, ErrorKind, register_codes, status_of
from concilium.core.problems import PROBLEM_CONTENT_TYPE, ApiProblemMiddleware
from concilium.patients.errors import PatientError, PatientErrorCode

ME = "/api/accounts/me"


def test_each_kind_of_refusal_has_one_status() -> None:
    assert dict(HTTP_STATUS) == {
        ErrorKind.BAD_REQUEST: 400,
        ErrorKind.INVALID: 422,
        ErrorKind.NOT_FOUND: 404,
        ErrorKind.FORBIDDEN: 403,
        ErrorKind.CONFLICT: 409,
        ErrorKind.UNAUTHORIZED: 401,
        ErrorKind.TOO_LARGE: 413,
        ErrorKind.RATE_LIMITED: 429,
    }


def test_the_same_kind_of_mistake_has_the_same_status_in_every_app() -> None:
    # Invalid input: patients' and cases' codes alike (once 400 in one app and 422 in the other).
    assert status_of(PatientErrorCode.INVALID_VALUE) == 422
    assert status_of("invalid") == 422  # CaseTransitionError.INVALID
    assert status_of("already_withdrawn") == 409
    assert status_of("wrong_status") == 409
    assert status_of("not_found") == 404
    assert status_of("unknown_code_of_nobody") == 422
    # A file over its limit: a patient's signed document and a case's attachment alike.
    assert status_of(PatientErrorCode.DOCUMENT_TOO_LARGE) == status_of(FILE_TOO_LARGE) == 413


def test_a_code_cannot_be_declared_with_two_kinds() -> None:
    with pytest.raises(ValueError, match="already_withdrawn"):
        register_codes({"already_withdrawn": ErrorKind.INVALID})


def test_an_app_error_is_a_domain_error_with_its_field() -> None:
    error = PatientError(PatientErrorCode.BIRTH_IN_FUTURE, "Not born yet.", "birth_year")
    assert isinstance(error, DomainError)
    assert (error.code, error.field, error.status) == ("birth_in_future", "birth_year", 422)


@pytest.mark.parametrize("debug", [False, True], ids=["debug_off", "debug_on"])
def test_an_unknown_api_path_is_a_404_problem(client_for, requester, debug: bool) -> None:
    with override_settings(DEBUG=debug):
        response = client_for(requester).get("/api/no/such/thing")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response.json() == {
        "type": "about:blank",
        "title": "not_found",
        "status": 404,
        "detail": "Not Found.",
        "code": "not_found",
    }


@pytest.mark.parametrize("debug", [False, True], ids=["debug_off", "debug_on"])
def test_a_wrong_method_on_the_api_is_a_405_problem_naming_the_allowed_ones(
    client_for, requester, debug
) -> None:
    with override_settings(DEBUG=debug):
        response = client_for(requester).delete(ME)
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response.json()["title"] == "method_not_allowed"
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("debug", [False, True], ids=["debug_off", "debug_on"])
def test_a_crash_in_the_api_is_a_500_problem_without_internals(client_for, requester, debug: bool) -> None:
    with (
        override_settings(DEBUG=debug),
        mock.patch("concilium.accounts.api.api_user", side_effect=RuntimeError("secret internals")),
    ):
        response = client_for(requester).get(ME)
    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["title"] == "server_error"
    assert body["request_id"] == response["X-Request-ID"]
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_a_domain_error_no_view_caught_is_the_page_of_its_kind(db, requester) -> None:
    request = RequestFactory().get("/cases/1/")
    request.user = requester
    middleware = ApiProblemMiddleware(lambda request: None)  # type: ignore[arg-type, return-value]

    conflict = middleware.process_exception(request, DomainError("wrong_status", "Only a draft can go."))
    missing = middleware.process_exception(request, DomainError("not_found", "No such case."))

    assert conflict is not None and conflict.status_code == 409
    assert "Only a draft can go." in conflict.content.decode()
    assert missing is not None and missing.status_code == 404


def test_an_anonymous_api_call_is_a_401_problem() -> None:
    response = Client().get(ME)
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response.json()["title"] == "unauthorized"  # a 401 problem has no "code" member
