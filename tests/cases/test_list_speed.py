"""Lists read the page's ids from an index and then the page's rows by id: no query sorts or loads the
episode's long text to show 25 rows, and the last page runs the queries the first page runs."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concilium.accounts.services.tokens import api_token_create
from concilium.cases.models import Case, CaseStatus
from tests.cases.conftest_panel import make_case

#: The episode's long text, which no list shows.
LONG_TEXT = ("clinical_history", "imaging_findings", "treatment_so_far", "question", "decline_reason")


@pytest.fixture
def thirty_cases(brain_group, requester) -> Iterator[list[Case]]:  # type: ignore[no-untyped-def]
    """30 submitted cases of the requester's hospital, one a day, the newest first."""
    now = timezone.now()
    cases = []
    for day in range(30):
        case = make_case(group=brain_group, requester=requester, status=CaseStatus.SUBMITTED)
        Case.objects.filter(pk=case.pk).update(
            created_at=now - timedelta(days=day), submitted_at=now - timedelta(days=day)
        )
        cases.append(case)
    yield cases


def _queries(client, path: str) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in captured.captured_queries]


def _case_selects(queries: list[str]) -> list[str]:
    return [sql for sql in queries if sql.startswith("SELECT") and 'FROM "cases_case"' in sql]


def _reads_long_text(sql: str) -> bool:
    return any(f'"cases_case"."{column}"' in sql for column in LONG_TEXT)


def test_a_page_of_my_cases_reads_ids_then_rows_and_never_the_episode_text(
    thirty_cases, requester, client_for
):
    body, queries = _queries(client_for(requester), "/cases/?page=2")
    selects = _case_selects(queries)
    assert not [sql for sql in selects if _reads_long_text(sql)]
    ordered = [sql for sql in selects if "ORDER BY" in sql]
    # The one ordered read selects the ids alone (an index answers it); the rows are read by id, unsorted.
    assert len(ordered) == 1 and ordered[0].startswith('SELECT "cases_case"."id" ')
    oldest = [case.reference for case in thirty_cases[25:]]
    assert all(reference in body for reference in oldest)
    assert thirty_cases[24].reference not in body


def test_the_last_page_of_my_cases_runs_the_queries_of_the_first(thirty_cases, requester, client_for):
    client = client_for(requester)
    client.get("/cases/")  # the session's first stamps
    first, first_queries = _queries(client, "/cases/")
    last, last_queries = _queries(client, "/cases/?page=2")
    assert len(last_queries) == len(first_queries)
    assert thirty_cases[0].reference in first and thirty_cases[29].reference in last


def test_the_queue_reads_ids_then_rows_and_never_the_episode_text(thirty_cases, coordinator, client_for):
    body, queries = _queries(client_for(coordinator), "/cases/queue/?page=2")
    selects = _case_selects(queries)
    assert not [sql for sql in selects if _reads_long_text(sql)]
    # The queue shows the oldest submissions first: the second page holds the 5 newest.
    assert all(case.reference in body for case in thirty_cases[:5])
    assert thirty_cases[5].reference not in body


def test_the_api_case_list_reads_ids_then_rows_and_never_the_episode_text(thirty_cases, requester):
    from django.test import Client

    _token, secret = api_token_create(user=requester, name="script", scopes=["read"])
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/cases/", {"page": 2})
    assert response.status_code == 200
    assert [item["reference"] for item in response.json()["items"]] == [
        case.reference for case in thirty_cases[25:]
    ]
    selects = _case_selects([query["sql"] for query in captured.captured_queries])
    assert selects and not [sql for sql in selects if _reads_long_text(sql)]


def test_the_api_refuses_a_page_beyond_the_cap_with_a_problem(requester):
    from django.test import Client

    _token, secret = api_token_create(user=requester, name="script", scopes=["read"])
    response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/cases/", {"page": 10_000})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")


def test_a_row_of_my_cases_shows_its_case_escaped(brain_group, requester, client_for):
    case = make_case(group=brain_group, requester=requester, status=CaseStatus.SUBMITTED, urgent=True)
    case.patient.diagnosis = "<b>Medulloblastoma</b>"
    case.patient.save(update_fields=["diagnosis"])
    body = client_for(requester).get("/cases/").content.decode()
    assert f'<a href="/cases/{case.pk}/">{case.reference}</a>' in body
    assert "&lt;b&gt;Medulloblastoma&lt;/b&gt;" in body and "<b>Medulloblastoma</b>" not in body
    assert ">Urgent</span>" in body and ">Submitted</span>" in body and case.patient.pseudonym in body
