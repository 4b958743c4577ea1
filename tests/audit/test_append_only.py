"""The audit log is append-only in the database itself on PostgreSQL: UPDATE, DELETE and TRUNCATE all fail."""

import pytest
from django.db import DatabaseError, connection, transaction

from concilium.audit.models import AuditEvent
from concilium.audit.services import audit_record

pytestmark = pytest.mark.postgres


@pytest.fixture
def event(db: None) -> AuditEvent:
    return audit_record(action="account.login", object_type="accounts.user", object_id=7)


def _refused(statement):  # type: ignore[no-untyped-def]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        statement()


def test_an_orm_update_of_an_event_is_refused(event):
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action="account.logout"))
    event.refresh_from_db()
    assert event.action == "account.login"


def test_saving_a_changed_event_is_refused(event):
    event.outcome = "denied"
    _refused(event.save)


def test_an_orm_delete_of_an_event_is_refused(event):
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    _refused(event.delete)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_and_delete_are_refused(event):
    def raw(sql: str):  # type: ignore[no-untyped-def]
        def run() -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])

        return run

    _refused(raw("UPDATE audit_auditevent SET actor_label = 'someone-else' WHERE id = %s"))
    _refused(raw("DELETE FROM audit_auditevent WHERE id = %s"))
    assert AuditEvent.objects.filter(pk=event.pk, actor_label="").exists()


def test_truncate_is_refused_unless_the_database_allows_it_for_tests(event):
    def truncate() -> None:
        with connection.cursor() as cursor:
            # Test databases allow TRUNCATE (Django empties them so); a production database does not.
            cursor.execute("SET LOCAL concilium.audit_truncate = ''")
            cursor.execute("TRUNCATE audit_auditevent")

    _refused(truncate)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_new_events_can_still_be_appended(event):
    audit_record(action="account.logout", object_type="accounts.user", object_id=7)
    assert AuditEvent.objects.count() == 2
