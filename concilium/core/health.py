"""Health of the parts Concilium depends on: database, file storage and the task queue."""

import logging
import uuid
from datetime import UTC, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

#: A task waiting longer than this means no worker is taking work.
QUEUE_STALL_AFTER = timedelta(minutes=10)


def check_database() -> dict[str, object]:
    """A round trip to the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "vendor": connection.vendor}


def check_storage() -> dict[str, object]:
    """Write, read back and delete a small file through the default storage."""
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            if handle.read() != b"ok":
                return {"status": "error", "error": "read back differs"}
    finally:
        default_storage.delete(name)
    return {"status": "ok", "backend": type(storages["default"]).__name__}  # not the lazy DefaultStorage


def check_task_queue() -> dict[str, object]:
    """Unhealthy when a task has been due longer than QUEUE_STALL_AFTER: no worker is taking work."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db.backend import DatabaseBackend

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    result: dict[str, object] = {"status": "ok", "backend": type(backend).__name__}
    if isinstance(backend, DatabaseBackend):
        from django.db.models import Case, Count, F, Min, When
        from django_tasks_db.models import DBTaskResult, get_date_max

        # A task without run_after is due since it was queued; a deferred one since its run_after.
        due_since = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
        due = DBTaskResult.objects.ready().filter(backend_name=backend.alias)
        summary = due.aggregate(waiting=Count("id"), oldest=Min(due_since))
        result["waiting"] = summary["waiting"]
        oldest = summary["oldest"]
        if oldest is not None and timezone.now() - oldest > QUEUE_STALL_AFTER:
            result["status"] = "error"
            result["error"] = "tasks have waited more than 10 minutes: is a worker running?"
    elif type(backend).__module__.startswith("django_tasks_rq"):
        result.update(_redis_queue(list(backend.queues)))
    return result


def _redis_queue(names: list[str]) -> dict[str, object]:
    """The Redis queue (django-tasks-rq): reachable, tasks waiting, whether the oldest waited too long."""
    import django_rq

    waiting, oldest = 0, None
    for name in names:
        queue = django_rq.get_queue(name)
        queue.connection.ping()
        waiting += queue.count
        first = queue.get_jobs(0, 1)
        if first and first[0].enqueued_at is not None:
            enqueued = first[0].enqueued_at
            enqueued = enqueued if timezone.is_aware(enqueued) else timezone.make_aware(enqueued, UTC)
            oldest = enqueued if oldest is None else min(oldest, enqueued)
    result: dict[str, object] = {"waiting": waiting}
    if oldest is not None and timezone.now() - oldest > QUEUE_STALL_AFTER:
        result["status"] = "error"
        result["error"] = "tasks have waited more than 10 minutes: is a worker running?"
    return result


CHECKS = {"database": check_database, "storage": check_storage, "task_queue": check_task_queue}


def run_checks() -> tuple[bool, dict[str, dict[str, object]]]:
    """Run every check; a check that raises reports the error's type only (no internals, no personal data)."""
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:
            logger.warning("health check failed", extra={"check": name, "error_type": type(exc).__name__})
            results[name] = {"status": "error", "error": type(exc).__name__}
    healthy = all(item["status"] == "ok" for item in results.values())
    return healthy, results
