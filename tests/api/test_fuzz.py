"""The whole JSON API fuzzed from its own OpenAPI description (schemathesis): whatever a client sends, valid
or not, the answer is never a server error, and every refusal is a problem document (RFC 9457).

The requests go through Django's whole stack (middleware included) in the test's own transaction, by the WSGI
interface of Django's test handler, with a Bearer token (read and write scopes) of a coordinator,
the persona with the most API rights, whose hospital holds a patient, a case on their group's panel and a
consent, so that the generated ids sometimes reach real objects. The number of examples per operation is
bounded (FUZZ_EXAMPLES, default 25: under a minute on two cores; the same examples on every run).
"""

import os
from typing import Any

import pytest
import schemathesis
from django.http import HttpResponse
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings

from concilium.accounts.models import ApiToken
from concilium.accounts.services.tokens import api_token_create
from concilium.api.main import api
from concilium.cases.models import CaseStatus, PanelRole
from tests.cases.conftest_panel import make_case, seat
from tests.factories import ConsentFactory, ExpertGroupFactory, GroupMembershipFactory

pytestmark = [pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))

#: The description ninja builds for /api/openapi.json, read directly (that page needs a signed-in session).
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


class DjangoTestApp:
    """A WSGI application answering through Django's test handler, as the test client does: requests run in
    the test's transaction (rolled back after it) and keep its database connection open."""

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=True)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        response: HttpResponse = self.handler(environ)
        headers = [*response.items()]
        headers += [("Set-Cookie", cookie.output(header="").strip()) for cookie in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        if response.streaming:
            return response.streaming_content
        return [response.content]


APP = DjangoTestApp()


@pytest.fixture
def api_world(coordinator, requester, expert) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A coordinator's token, with something of theirs behind the low ids the fuzzer tries first."""
    group = ExpertGroupFactory()
    GroupMembershipFactory(group=group, user=coordinator, role="coordinator")
    case = make_case(group=group, requester=requester, status=CaseStatus.ACCEPTED)
    lead = seat(case, coordinator, PanelRole.LEAD)
    seat(case, expert)
    draft = make_case(group=group, requester=coordinator, status=CaseStatus.DRAFT)
    consent = ConsentFactory(patient=draft.patient)
    spare, _secret = api_token_create(user=coordinator, name="spare", scopes=["read"])
    token, secret = api_token_create(user=coordinator, name="fuzzing", scopes=["read", "write"])
    return {
        "token": token,
        "headers": {"Authorization": f"Bearer {secret}"},
        # What an even generated id is swapped for, so that half of the requests reach real objects.
        "ids": {
            "case_id": (case.pk, draft.pk),
            "patient_id": (draft.patient.pk, case.patient.pk),
            "consent_id": (consent.pk,),
            "member_id": (lead.pk,),
            "token_id": (spare.pk,),
        },
    }


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_no_request_to_the_api_gets_a_server_error(case, api_world) -> None:  # type: ignore[no-untyped-def]
    # The fuzzer may revoke the very token it uses (POST /api/accounts/tokens/{id}/revoke): undo it, so that
    # every example is tried signed in.
    ApiToken.objects.filter(pk=api_world["token"].pk).update(revoked_at=None)
    for name, value in (case.path_parameters or {}).items():
        real = api_world["ids"].get(name)
        if real and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = real[value // 2 % len(real)]
    response = case.call(app=APP, headers=api_world["headers"])
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/problem+json"), (
            f"{case.method} {case.formatted_path}: {response.status_code} is not a problem document"
        )
        problem = response.json()
        assert problem["status"] == response.status_code
        assert "Traceback" not in response.text


def test_an_id_too_large_for_the_database_is_a_problem_not_a_500(api_world, client) -> None:  # type: ignore[no-untyped-def]
    """Found by the fuzzer: 2**63 in a path made SQLite raise OverflowError (PostgreSQL finds no row)."""
    response = client.get(f"/api/cases/{2**63}/attachments/1", headers=api_world["headers"])
    assert response["Content-Type"] == "application/problem+json"
    assert (response.status_code, response.json()["code"]) in {(422, "invalid_request"), (404, "not_found")}
