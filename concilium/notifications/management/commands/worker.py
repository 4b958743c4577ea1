"""`concilium worker`: runs queued background tasks and, beside them, the notification outbox sweeper.

The tasks come from the configured queue: the database (django-tasks-db, the default) or Redis
(django-tasks-rq, with REDIS_URL). One command either way, so an operator runs one kind of worker process.
"""

import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, BaseTaskBackend, task_backends
from django_tasks.signals import task_finished, task_started
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from concilium.notifications.tasks import outbox_sweep

logger = logging.getLogger("concilium.worker")

#: Finished task results older than this are pruned by the worker (the outbox keeps its own history).
PRUNE_AFTER_DAYS = 14
PRUNE_EVERY_SECONDS = 6 * 60 * 60


def sweep_once() -> int:
    """Run the outbox sweeper now; errors are logged by type and never stop the worker."""
    try:
        return outbox_sweep.call()
    except Exception as exc:
        logger.warning("outbox sweep failed", extra={"error_type": type(exc).__name__})
        return 0
    finally:
        close_old_connections()


class Sweeper(threading.Thread):
    """Every `every` seconds, re-queue lost outbox deliveries; every few hours, prune old task results."""

    def __init__(self, every: float, *, prune: bool = True) -> None:
        super().__init__(name="outbox-sweeper", daemon=True)
        self.every = every
        self.prune = prune
        self.stopped = threading.Event()

    def run(self) -> None:
        last_prune = time.monotonic()
        try:
            while not self.stopped.is_set():
                sweep_once()
                if self.prune and time.monotonic() - last_prune > PRUNE_EVERY_SECONDS:
                    last_prune = time.monotonic()
                    self._prune()
                self.stopped.wait(self.every)
        finally:
            connection.close()

    @staticmethod
    def _prune() -> None:
        try:
            call_command("prune_db_task_results", queue_name="*", min_age_days=PRUNE_AFTER_DAYS, verbosity=0)
        except Exception as exc:
            logger.warning("pruning task results failed", extra={"error_type": type(exc).__name__})


class Command(BaseCommand):
    help = (
        "Run background tasks (from the database queue, or from Redis with django-tasks-rq) and the "
        "notification outbox sweeper."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between polls when idle (1; the database queue only, Redis's is pushed).",
        )
        parser.add_argument(
            "--sweep-interval", type=float, default=30.0, help="Seconds between outbox sweeps (30)."
        )
        parser.add_argument(
            "--queue-name", default="*", help="Queues to work on, comma-separated; * for all."
        )
        parser.add_argument(
            "--batch", action="store_true", help="Sweep once, run every task that is due, then exit."
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after running this many tasks.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 0 or options["sweep_interval"] <= 0:
            raise CommandError("--interval must be 0 or more and --sweep-interval more than 0.")
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if _is_rq(backend):
            self.work_redis_queue(options)
            return
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(
                f"TASKS uses {type(backend).__name__}, which this worker cannot run: use "
                "django_tasks_db.DatabaseBackend or django_tasks_rq.RQBackend."
            )
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=f"concilium-{get_random_string(20)}",
            excluded_queue_names=[],
        )
        if options["batch"]:
            queued = sweep_once()
            worker.run()
            self.stdout.write(f"Swept {queued} overdue message(s); every due task has run.")
            return
        sweeper = Sweeper(every=options["sweep_interval"])
        sweeper.start()
        logger.info(
            "worker started",
            extra={"worker_id": worker.worker_id, "sweep_interval": options["sweep_interval"]},
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            sweeper.stopped.set()

    def work_redis_queue(self, options: dict[str, Any]) -> None:
        """Work django-tasks-rq's queues in this process (RQ's SimpleWorker, no fork per job), with RQ's
        scheduler for deferred tasks (delivery retries) and the outbox sweeper beside them."""
        from django_rq.workers import get_worker
        from django_tasks_rq import Job
        from rq.worker import SimpleWorker, Worker

        names = options["queue_name"].split(",")
        queues = list(settings.RQ_QUEUES) if "*" in names else names
        unknown = sorted(set(queues) - set(settings.RQ_QUEUES))
        if unknown:
            raise CommandError(
                f"Unknown queue(s) {', '.join(unknown)}; RQ_QUEUES has {', '.join(settings.RQ_QUEUES)}."
            )
        worker = get_worker(
            *queues,
            job_class=Job,
            worker_class=cast(type[Worker], SimpleWorker),  # django-rq's hint is narrower than what it takes
            name=f"concilium-{get_random_string(20)}",
        )
        # Jobs run in this process, one after the other: like a request, each starts and ends by dropping a
        # database connection that broke or outlived DATABASE_CONN_MAX_AGE.
        task_started.connect(_refresh_connections, dispatch_uid="concilium.worker.started")
        task_finished.connect(_refresh_connections, dispatch_uid="concilium.worker.finished")
        if options["batch"]:
            queued = sweep_once()
            worker.work(
                burst=True,
                with_scheduler=True,
                max_jobs=options["max_tasks"],
                logging_level=settings.LOG_LEVEL,
            )
            self.stdout.write(f"Swept {queued} overdue message(s); every due task has run.")
            return
        sweeper = Sweeper(every=options["sweep_interval"], prune=False)  # RQ expires its own results
        sweeper.start()
        logger.info(
            "worker started",
            extra={"worker_id": worker.name, "queue": "redis", "sweep_interval": options["sweep_interval"]},
        )
        try:
            worker.work(with_scheduler=True, max_jobs=options["max_tasks"], logging_level=settings.LOG_LEVEL)
        finally:
            sweeper.stopped.set()


def _is_rq(backend: BaseTaskBackend) -> bool:
    """Whether the backend is django-tasks-rq's (an optional dependency: the `production` extra)."""
    try:
        from django_tasks_rq import RQBackend
    except ImportError:
        return False
    return isinstance(backend, RQBackend)


def _refresh_connections(**kwargs: Any) -> None:
    close_old_connections()
