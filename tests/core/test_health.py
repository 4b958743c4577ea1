"""/healthz: database, storage and task queue, as JSON with 200 when all are well and 503 otherwise."""

from datetime import timedelta

import pytest
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from concilium.core import health
from concilium.notifications.tasks import outbox_sweep

pytestmark = pytest.mark.django_db


class _DatabaseDown:
    vendor = "postgresql"

    def cursor(self) -> None:
        raise OperationalError("could not connect to server: Connection refused (host db.internal)")


def test_healthz_is_public_and_answers_200_when_everything_works(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "storage", "task_queue"}
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert body["checks"]["task_queue"]["waiting"] == 0
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch) -> None:
    monkeypatch.setattr(health, "connection", _DatabaseDown())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == {"status": "error", "error": "OperationalError"}
    assert "db.internal" not in response.content.decode()  # nothing internal leaks
    assert body["checks"]["storage"]["status"] == "ok"


def test_healthz_answers_503_when_storage_fails(client, monkeypatch) -> None:
    def full_disk(*args: object, **kwargs: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(health.default_storage, "save", full_disk)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {"status": "error", "error": "OSError"}


def test_healthz_answers_503_when_queued_tasks_have_waited_too_long(client) -> None:
    result = outbox_sweep.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - timedelta(minutes=11))
    response = client.get("/healthz")
    assert response.status_code == 503
    queue = response.json()["checks"]["task_queue"]
    assert queue["status"] == "error"
    assert queue["waiting"] == 1


def test_a_task_deferred_to_later_does_not_make_the_queue_look_stale(client) -> None:
    result = outbox_sweep.using(run_after=timezone.now() + timedelta(minutes=30)).enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - timedelta(hours=2))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["task_queue"]["waiting"] == 0


def test_a_deferred_task_overdue_for_too_long_makes_the_queue_stale(client) -> None:
    result = outbox_sweep.using(run_after=timezone.now() - timedelta(minutes=15)).enqueue()
    assert DBTaskResult.objects.filter(pk=result.id).exists()
    assert client.get("/healthz").status_code == 503


def test_a_recently_queued_task_is_fine(client) -> None:
    outbox_sweep.enqueue()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["task_queue"]["waiting"] == 1


def test_healthz_only_answers_get(client) -> None:
    assert client.post("/healthz").status_code == 405
