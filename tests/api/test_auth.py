"""The JSON API's door: Bearer tokens (scoped, revocable, never in the URL) or a fully signed-in session."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from concilium.accounts.api_auth import TokenInUrlError, authenticate_bearer
from concilium.accounts.models import AccountStatus, ApiToken
from concilium.accounts.services.tokens import api_token_create, api_token_revoke
from concilium.audit.models import AuditEvent, Outcome
from tests.factories import UserFactory

ME = "/api/accounts/me"


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _assert_unauthorized(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401
    assert response.json()["title"] == "unauthorized"  # a 401 problem has no "code" member


@pytest.fixture
def token_and_secret(requester):  # type: ignore[no-untyped-def]
    return api_token_create(user=requester, name="script", scopes=["read"])


def test_a_token_reads_its_owners_profile(requester, token_and_secret):
    _token, secret = token_and_secret
    response = Client().get(ME, headers=_bearer(secret))
    assert response.status_code == 200
    assert response.json() == {
        "id": requester.pk,
        "email": requester.email,
        "full_name": requester.full_name,
        "role": "clinician",
        "hospital": {"id": requester.hospital.pk, "name": requester.hospital.name, "country": "FR"},
        "language": "en",
    }


def test_a_session_of_a_fully_authenticated_user_works_too(coordinator, client_for):
    response = client_for(coordinator).get(ME)
    assert response.status_code == 200
    assert response.json()["role"] == "coordinator"


def test_a_session_before_the_second_factor_is_not_enough(coordinator):
    client = Client()
    client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    _assert_unauthorized(client.get(ME))


def test_without_credentials_the_answer_is_401_json_not_a_redirect(client, db):
    response = client.get(ME)
    _assert_unauthorized(response)
    assert "Location" not in response


@pytest.mark.parametrize(
    "secret",
    [
        "cnc_abcdefghijkl_" + "x" * 43,  # well-formed, unknown key id
        "not-a-concilium-token",
        "",
    ],
)
def test_a_wrong_token_is_401(db, secret):
    _assert_unauthorized(Client().get(ME, headers=_bearer(secret)))


def test_a_known_key_id_with_a_wrong_secret_is_401_and_audited(token_and_secret):
    token, secret = token_and_secret
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    _assert_unauthorized(Client().get(ME, headers=_bearer(forged)))
    event = AuditEvent.objects.get(action="api_token.refused")
    assert (event.outcome, event.detail["reason"], event.object_id) == (
        Outcome.DENIED,
        "wrong_secret",
        str(token.pk),
    )


def test_a_bad_bearer_token_is_401_even_with_a_valid_session(requester, client_for):
    response = client_for(requester).get(ME, headers=_bearer("cnc_abcdefghijkl_nope"))
    _assert_unauthorized(response)


def test_a_revoked_token_is_401(requester, token_and_secret):
    token, secret = token_and_secret
    api_token_revoke(token=token, actor=requester)
    _assert_unauthorized(Client().get(ME, headers=_bearer(secret)))
    assert AuditEvent.objects.get(action="api_token.refused").detail["reason"] == "revoked"


def test_an_expired_token_is_401(token_and_secret):
    token, secret = token_and_secret
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _assert_unauthorized(Client().get(ME, headers=_bearer(secret)))


@pytest.mark.parametrize("status", [AccountStatus.PENDING, AccountStatus.SUSPENDED, AccountStatus.REJECTED])
def test_the_token_of_an_account_that_is_not_active_is_401(token_and_secret, requester, status):
    _token, secret = token_and_secret
    type(requester).objects.filter(pk=requester.pk).update(status=status, is_active=False)
    _assert_unauthorized(Client().get(ME, headers=_bearer(secret)))


@pytest.mark.parametrize("param", ["access_token", "token", "api_key", "Access_Token"])
def test_a_token_in_the_query_string_is_refused_with_400(token_and_secret, param):
    _token, secret = token_and_secret
    response = Client().get(ME, {param: secret}, headers=_bearer(secret))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "token_in_url"
    assert response.json()["detail"] == "Tokens are not accepted in the URL; send Authorization: Bearer."


def test_a_secret_under_any_query_parameter_name_is_refused(token_and_secret):
    _token, secret = token_and_secret
    response = Client().get(ME, {"q": secret})
    assert (response.status_code, response.json()["code"]) == (400, "token_in_url")


def test_a_token_lacking_the_scope_is_403(requester):
    _token, secret = api_token_create(user=requester, name="fhir only", scopes=["fhir"])
    response = Client().get(ME, headers=_bearer(secret))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_last_used_is_written_at_most_once_a_minute(token_and_secret):
    token, secret = token_and_secret
    Client().get(ME, headers=_bearer(secret))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    Client().get(ME, headers=_bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    Client().get(ME, headers=_bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at > first


def test_session_writes_need_the_csrf_token_but_bearer_writes_do_not(requester, client_for):
    first, _ = api_token_create(user=requester, name="first", scopes=["read"])
    second, secret = api_token_create(user=requester, name="second", scopes=["read", "write"])
    client = client_for(requester)
    client.handler.enforce_csrf_checks = True
    response = client.post(f"/api/accounts/tokens/{first.pk}/revoke")
    assert response.status_code == 403
    # An HttpError: the problem has no "code" member, only its detail says what failed.
    assert response.json()["detail"] == "CSRF check failed: send the X-CSRFToken header."
    first.refresh_from_db()
    assert first.revoked_at is None
    client.get("/accounts/tokens/")  # the page sets the CSRF cookie, as in a browser
    csrf = client.cookies["csrftoken"].value
    response = client.post(f"/api/accounts/tokens/{first.pk}/revoke", headers={"X-CSRFToken": csrf})
    assert response.status_code == 200
    assert response.json()["usable"] is False
    bearer = Client(enforce_csrf_checks=True).post(
        f"/api/accounts/tokens/{second.pk}/revoke", headers=_bearer(secret)
    )
    assert bearer.status_code == 200


def test_a_read_only_token_cannot_revoke(requester, token_and_secret):
    token, secret = token_and_secret
    response = Client().post(f"/api/accounts/tokens/{token.pk}/revoke", headers=_bearer(secret))
    assert (response.status_code, response.json()["code"]) == (403, "insufficient_scope")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_persons_token_is_a_404_problem(outsider, requester):
    theirs, _ = api_token_create(user=outsider, name="theirs", scopes=["read"])
    _mine, secret = api_token_create(user=requester, name="mine", scopes=["read", "write"])
    response = Client().post(f"/api/accounts/tokens/{theirs.pk}/revoke", headers=_bearer(secret))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_token_list_shows_own_tokens_without_secrets(requester, outsider, token_and_secret):
    _token, secret = token_and_secret
    api_token_create(user=outsider, name="theirs", scopes=["read"])
    response = Client().get("/api/accounts/tokens", headers=_bearer(secret))
    assert response.status_code == 200
    assert [item["name"] for item in response.json()] == ["script"]
    assert secret not in response.content.decode()
    assert "key_hash" not in response.json()[0]


def test_api_validation_errors_are_422_problems_with_field_locations(token_and_secret):
    _token, secret = token_and_secret
    response = Client().get(
        "/api/directory/clinicians", {"page": 0, "country": "France"}, headers=_bearer(secret)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert response["Content-Type"] == "application/problem+json"
    locations = {tuple(error["loc"]) for error in response.json()["errors"]}
    assert ("query", "page") in locations
    assert ("query", "country") in locations
    path_error = Client().post("/api/accounts/tokens/abc/revoke", headers=_bearer(secret))
    assert (path_error.status_code, path_error.json()["code"]) == (422, "invalid_request")
    assert path_error.json()["errors"][0]["loc"] == ["path", "token_id"]


def test_the_api_docs_need_a_signed_in_user(client, requester, client_for):
    assert client.get("/api/docs").status_code == 302
    assert client.get("/api/openapi.json").status_code == 302
    schema = client_for(requester).get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/accounts/me" in schema.json()["paths"]


def test_authenticate_bearer_serves_dicomweb_and_fhir_views(rf, requester, token_and_secret):
    token, secret = token_and_secret
    request = rf.get("/fhir/Patient", headers=_bearer(secret))
    assert authenticate_bearer(request) == requester
    assert request.user == requester and request.auth == token
    assert authenticate_bearer(rf.get("/fhir/Patient")) is None
    assert authenticate_bearer(rf.get("/fhir/Patient", headers=_bearer("cnc_wrong"))) is None
    with pytest.raises(TokenInUrlError):
        authenticate_bearer(rf.get("/fhir/Patient", {"access_token": secret}))


def test_a_pending_users_token_cannot_be_made_active_by_a_session(db):
    pending = UserFactory(status=AccountStatus.PENDING, is_active=False)
    client = Client()
    client.force_login(pending, backend="django.contrib.auth.backends.ModelBackend")
    _assert_unauthorized(client.get(ME))
