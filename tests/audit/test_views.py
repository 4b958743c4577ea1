"""The audit log page and its CSV export: network admins only; search, paging, queries, self-auditing."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concilium.audit.models import AuditEvent, Outcome
from concilium.audit.selectors import PAGE_SIZE
from concilium.audit.services import audit_record
from concilium.core import request_context
from tests.conftest import error_codes

EVENTS = reverse("audit:events")
EXPORT = reverse("audit:export")
NOT_ADMINS = ["requester", "outsider", "expert", "coordinator", "helpdesk", "data_manager"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def admin_client(client_for, network_admin):  # type: ignore[no-untyped-def]
    return client_for(network_admin)


def _event(**fields) -> AuditEvent:  # type: ignore[no-untyped-def]
    return AuditEvent.objects.create(**{"action": "account.login", **fields})


def _export(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("persona", NOT_ADMINS)
def test_only_network_admins_see_the_audit_log(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(EVENTS).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert not AuditEvent.objects.filter(action__in=["audit.viewed", "audit.exported"]).exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    for url in (EVENTS, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_log_lists_events_newest_first(admin_client):
    now = timezone.now()
    _event(
        action="registration.submit", at=now - timedelta(hours=2), object_type="accounts.user", object_id="41"
    )
    _event(action="account.role_changed", at=now - timedelta(hours=1), actor_label="admin@concilium.example")
    response = admin_client.get(EVENTS)
    assert response.status_code == 200
    rows = [row for row in response.context["page"].rows if not row.action.startswith("auth.")]
    assert [row.action for row in rows] == ["account.role_changed", "registration.submit"]
    assert b'User <span class="text-secondary">#41</span>' in response.content  # the object, named


def test_viewing_the_log_is_itself_audited_with_the_filter_names_only(admin_client, network_admin):
    admin_client.post(EVENTS, {"who": "rita@alpha.example", "outcome": "denied"}, follow=True)
    viewed = AuditEvent.objects.get(action="audit.viewed")
    assert viewed.actor_id == network_admin.pk
    assert viewed.detail == {"filters": ["who", "outcome"], "page": 1}
    assert "rita" not in str(viewed.detail)


def test_the_search_filters_by_actor_id_or_email(admin_client):
    _event(actor_id=5, actor_label="rita@alpha.example")
    _event(actor_id=6, actor_label="oscar@beta.example")
    by_id = admin_client.post(EVENTS, {"who": "5"}, follow=True).context["page"].rows
    by_email = admin_client.post(EVENTS, {"who": "Oscar@Beta.example"}, follow=True).context["page"].rows
    by_prefix = admin_client.post(EVENTS, {"who": "rita@*"}, follow=True).context["page"].rows
    assert [e.actor_id for e in by_id] == [5]
    assert [e.actor_id for e in by_email] == [6]
    assert [e.actor_id for e in by_prefix] == [5]


def test_the_search_filters_by_action_or_action_family(admin_client):
    _event(action="account.login")
    _event(action="account.role_changed")
    _event(action="registration.submit")
    exact = admin_client.get(EVENTS, {"action": "account.login"})
    family = admin_client.get(EVENTS, {"action": "account.*"})
    assert [e.action for e in exact.context["page"].rows] == ["account.login"]
    assert {e.action for e in family.context["page"].rows} == {"account.login", "account.role_changed"}
    options = dict(exact.context["form"].fields["action"].choices)
    assert "Accounts" in options  # the family group (by its label) with its actions


def test_the_search_filters_by_object_patient_outcome_and_dates(admin_client):
    now = timezone.now()
    _event(object_type="patients.patient", object_id="9", patient_ref="P-9", at=now - timedelta(days=10))
    _event(object_type="patients.patient", object_id="10", patient_ref="P-10", outcome=Outcome.DENIED, at=now)

    def get(**query: str) -> list[str]:
        searched = admin_client.post(EVENTS, {"action": "account.login", **query}, follow=True)
        rows = searched.context["page"].rows
        return [event.object_id for event in rows]

    assert get(object_type="patients.patient", object_id="9") == ["9"]
    assert get(patient_ref="P-10") == ["10"]
    assert get(outcome="denied") == ["10"]
    today = timezone.localdate()
    assert get(date_from=str(today - timedelta(days=11)), date_to=str(today - timedelta(days=9))) == ["9"]
    assert get(date_from=str(today)) == ["10"]


def test_invalid_filters_show_errors_and_no_events(admin_client):
    _event()
    response = admin_client.post(
        EVENTS, {"date_from": "2026-05-02", "date_to": "2026-05-01", "who": "a\x00b"}
    )
    assert response.status_code == 400
    assert response.context["page"] is None
    form = response.context["form"]
    assert form.errors.keys() == {"date_to", "who"}
    assert form.errors["date_to"] == ["The end date is before the start date."]  # an error without a code
    assert error_codes(form, "who") == ["control_characters"]
    assert not AuditEvent.objects.filter(action="audit.viewed").exists()


def test_who_object_and_patient_are_posted_and_kept_never_in_the_address(admin_client):
    _event(actor_id=5, actor_label="rita@alpha.example", patient_ref="P-9")
    _event(actor_id=6, actor_label="oscar@beta.example")

    posted = admin_client.post(
        EVENTS, {"who": "rita@alpha.example", "patient_ref": "P-9", "outcome": "success"}
    )

    assert posted.status_code == 302
    assert posted["Location"] == f"{EVENTS}?outcome=success"  # only the filter that names nobody
    assert [e.actor_id for e in admin_client.get(posted["Location"]).context["page"].rows] == [5]
    rows = _export(admin_client.get(EXPORT, {"outcome": "success"}))
    assert [row[1] for row in rows[1:]] == ["5"]  # the export reads the kept filters too
    cleared = admin_client.post(EVENTS, {"clear": "1"})
    assert cleared["Location"] == EVENTS
    logins = admin_client.get(EVENTS, {"action": "account.login"}).context["page"].rows
    assert {e.actor_id for e in logins} == {5, 6}


def test_a_person_named_in_the_address_is_ignored(admin_client):
    _event(actor_id=5, actor_label="rita@alpha.example")
    _event(actor_id=6, actor_label="oscar@beta.example")
    response = admin_client.get(EVENTS, {"who": "rita@alpha.example", "action": "account.login"})
    assert {e.actor_id for e in response.context["page"].rows} == {5, 6}
    assert "rita@alpha.example" not in response.context["form"].data


def test_the_log_pages_without_counting_and_with_a_constant_number_of_queries(admin_client):
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="account.login", at=now - timedelta(seconds=i)) for i in range(PAGE_SIZE + 5)]
    )
    logins = {"action": "account.login"}
    admin_client.get(EVENTS, logins)  # warm the session and the action list cache
    with CaptureQueriesContext(connection) as first:
        page_one = admin_client.get(EVENTS, logins)
    with CaptureQueriesContext(connection) as second:
        page_two = admin_client.get(EVENTS, {**logins, "page": 2})
    assert page_one.context["page"].has_next and len(page_one.context["page"].rows) == PAGE_SIZE
    assert not page_two.context["page"].has_next
    assert len(page_two.context["page"].rows) == 5
    assert AuditEvent.objects.filter(action="audit.viewed").count() == 3
    assert len(first) == len(second)
    audit_reads = [q["sql"].upper() for q in first.captured_queries if q["sql"].startswith("SELECT")]
    assert not any("COUNT(" in sql and "AUDIT_AUDITEVENT" in sql for sql in audit_reads)


def test_the_export_streams_the_current_search_as_csv_and_is_audited(admin_client, network_admin):
    _event(action="account.login", actor_label="rita@alpha.example", detail={"user_id": 5})
    _event(action="registration.submit", object_type="accounts.user", object_id="=HYPERLINK(1)")
    response = admin_client.get(EXPORT, {"action": "account.*"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _export(response)
    assert rows[0][:4] == ["time", "actor_id", "actor", "action"]
    assert [row[3] for row in rows[1:]] == ["account.login"]
    assert rows[1][rows[0].index("detail")] == '{"user_id": 5}'
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor_id == network_admin.pk
    assert exported.detail == {"filters": ["action"]}


def test_exported_cells_cannot_run_as_spreadsheet_formulas(admin_client):
    _event(action="registration.submit", object_type="accounts.user", object_id="=HYPERLINK(1)")
    rows = _export(admin_client.get(EXPORT, {"action": "registration.submit"}))
    assert rows[1][5] == "'=HYPERLINK(1)"


def test_an_export_with_invalid_filters_goes_back_to_the_search(admin_client):
    response = admin_client.get(EXPORT, {"date_from": "not-a-date"})
    assert response.status_code == 302
    assert response["Location"].startswith(EVENTS)
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_audit_record_takes_address_user_agent_and_request_id_from_the_request_context(rf, requester):
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="Firefox/140.0\x07")
    with request_context.bound(request_context.context_of(request, request_id="abc123")):
        event = audit_record(action="account.login", actor=requester)
    assert (event.actor_id, event.actor_label) == (requester.pk, requester.email)
    assert (event.source_ip, event.user_agent, event.request_id) == ("192.0.2.10", "Firefox/140.0", "abc123")


def test_outside_a_request_an_event_has_no_address(requester):
    event = audit_record(action="account.login", actor=requester)
    assert (event.source_ip, event.user_agent, event.request_id) == (None, "", "")


def test_a_page_records_where_its_visitor_came_from(client_for, network_admin):
    client = client_for(network_admin)
    response = client.get(EVENTS, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Concilium-Test/1.0")
    event = AuditEvent.objects.get(action="audit.viewed")
    assert (event.source_ip, event.user_agent) == ("198.51.100.7", "Concilium-Test/1.0")
    assert event.request_id == response["X-Request-ID"]
