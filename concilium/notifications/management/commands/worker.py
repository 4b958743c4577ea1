"""`concilium worker`: runs queued background tasks and, beside them, the notification outbox sweeper."""

import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
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

    def __init__(self, every: float) -> None:
        super().__init__(name="outbox-sweeper", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        last_prune = time.monotonic()
        try:
            while not self.stopped.is_set():
                sweep_once()
                if time.monotonic() - last_prune > PRUNE_EVERY_SECONDS:
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
    help = "Run background tasks (django-tasks database worker) and the notification outbox sweeper."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls when idle (1)."
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
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            raise CommandError(
                "TASKS uses a backend with workers of its own (e.g. django-tasks-rq): run those instead."
            )
        if options["interval"] < 0 or options["sweep_interval"] <= 0:
            raise CommandError("--interval must be 0 or more and --sweep-interval more than 0.")
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
