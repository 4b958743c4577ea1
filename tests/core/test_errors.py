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
        ErrorKind.UNSUPPORTED_MEDIA_TYPE: 415,
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


# --- what the JSON API reads: a JSON object, or a form --------------------------------------------------


@pytest.fixture
def api_client(requester):  # type: ignore[no-untyped-def]
    from concilium.accounts.services.tokens import api_token_create

    _token, secret = api_token_create(user=requester, name="t", scopes=["read", "write"])
    return Client(headers={"Authorization": f"Bearer {secret}"})


DECLINE = "/api/cases/1/decline"


@pytest.mark.parametrize("debug", [False, True], ids=["debug_off", "debug_on"])
def test_a_json_body_sent_as_text_is_refused_415(api_client, debug: bool) -> None:
    with override_settings(DEBUG=debug):
        response = api_client.post(DECLINE, '{"reason": "x"}', content_type="text/plain")
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE


@pytest.mark.parametrize("body", ["[1]", '"x"', "null", "3"])
def test_json_that_is_not_an_object_is_refused_422(api_client, body: str) -> None:
    response = api_client.post(DECLINE, body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")
    assert response.json()["detail"] == "The body must be a JSON object."


def test_json_that_does_not_parse_is_refused_400(api_client) -> None:
    response = api_client.post(DECLINE, "{not json", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "bad_request")


@pytest.mark.parametrize("debug", [False, True], ids=["debug_off", "debug_on"])
def test_an_oversized_json_body_is_refused_413_without_a_traceback(api_client, debug: bool) -> None:
    body = '{"reason": "' + "x" * (6 * 1024 * 1024) + '"}'
    with override_settings(DEBUG=debug):
        response = api_client.post(DECLINE, body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (413, "too_large")
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize("debug", [False, True], ids=["debug_off", "debug_on"])
def test_a_multipart_body_without_a_boundary_is_a_400_problem(api_client, debug: bool) -> None:
    with override_settings(DEBUG=debug):
        response = api_client.post(
            "/api/cases/1/attachments", b"--x\r\n\r\n", content_type="multipart/form-data"
        )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert "Traceback" not in response.content.decode()


def test_a_page_beyond_the_cap_is_refused_with_a_422(api_client) -> None:
    response = api_client.get("/api/cases/", {"page": 401})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")
    assert api_client.get("/api/cases/", {"page": 400}).status_code == 200
