"""GET /api/directory/clinicians: the directory's search as JSON, for authenticated users only."""

from django.test import Client

URL = "/api/directory/clinicians"


def test_anonymous_request_gets_401_problem(catalogue) -> None:
    response = Client().get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "unauthorized"  # a 401 problem has no "code" member
    assert "Zoë" not in response.content.decode()


def test_pending_account_gets_401(catalogue, home_hospital) -> None:
    from concilium.accounts.models import AccountStatus
    from tests.factories import UserFactory

    pending = UserFactory(email="pending@alpha.example", status=AccountStatus.PENDING, is_active=False)
    client = Client()
    client.force_login(pending, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(URL)
    assert (response.status_code, response.json()["title"]) == (401, "unauthorized")


def test_session_without_the_second_factor_gets_401(catalogue, helpdesk) -> None:
    client = Client()
    client.force_login(helpdesk, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(URL)
    assert (response.status_code, response.json()["title"]) == (401, "unauthorized")


def test_signed_in_user_gets_the_filtered_page(catalogue, client_for, requester) -> None:
    response = client_for(requester).get(URL, {"q": "LEFEVRE", "country": "fr"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1 and body["has_next"] is False and body["page"] == 1
    (item,) = body["items"]
    assert item["full_name"] == "Hélène Lefèvre"
    assert item["specialty"] == "Paediatric oncology"
    assert item["hospital"]["country"] == "FR" and item["hospital"]["is_reference_centre"] is False
    assert item["languages"] == ["fr"]
    assert sorted(item["networks"]) == ["covid19-clinicians", "ern-paedcan"]
    assert "email" not in item


def test_filters_by_language_and_network(catalogue, client_for, requester) -> None:
    body = client_for(requester).get(URL, {"language": "de", "network": catalogue["covid"].pk}).json()
    assert [item["full_name"] for item in body["items"]] == ["Jörg Brückner"]


def test_unlisted_clinicians_are_not_returned(catalogue, client_for, requester) -> None:
    body = client_for(requester).get(URL).json()
    assert body["total"] == 4
    assert "Hilde Verborgen" not in [item["full_name"] for item in body["items"]]


def test_bad_parameters_get_422_problem(catalogue, client_for, requester) -> None:
    client = client_for(requester)
    for params, field in (
        ({"page": 0}, "page"),
        ({"country": "Germany"}, "country"),
        ({"specialty": "abc"}, "specialty"),
        ({"q": "zo\x00e"}, "q"),
    ):
        response = client.get(URL, params)
        assert response.status_code == 422, params
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "invalid_request", params
        assert [error["loc"] for error in response.json()["errors"]] == [["query", field]]


def _token(user, scopes: list[str]) -> str:  # type: ignore[no-untyped-def]
    from concilium.accounts.services.tokens import api_token_create

    _token_obj, secret = api_token_create(user=user, name="directory test", scopes=scopes)
    return secret


def test_bearer_token_with_read_scope_gets_the_page(catalogue, requester) -> None:
    secret = _token(requester, ["read"])
    response = Client().get(URL, {"q": "jorg"}, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert [item["full_name"] for item in response.json()["items"]] == ["Jörg Brückner"]


def test_bearer_token_without_read_scope_gets_403(catalogue, requester) -> None:
    secret = _token(requester, ["fhir"])
    response = Client().get(URL, headers={"Authorization": f"Bearer {secret}"})
    assert (response.status_code, response.json()["code"]) == (403, "insufficient_scope")
    assert "Zoë" not in response.content.decode()


def test_wrong_bearer_token_gets_401(catalogue) -> None:
    response = Client().get(URL, headers={"Authorization": "Bearer cnc_aaaaaaaaaaaa_not-the-secret"})
    assert (response.status_code, response.json()["title"]) == (401, "unauthorized")


def test_token_in_the_query_string_is_refused(catalogue, requester) -> None:
    secret = _token(requester, ["read"])
    response = Client().get(URL, {"access_token": secret})
    assert (response.status_code, response.json()["code"]) == (400, "token_in_url")
