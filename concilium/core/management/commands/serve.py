"""`concilium serve`: the production web server (gunicorn with threaded workers), configured from settings."""

import logging
from argparse import ArgumentParser
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import BaseCommand, CommandError

logger = logging.getLogger("concilium.serve")

#: gunicorn's access log line: method, path without its query string (search terms may name people), status,
#: response size and duration in milliseconds. No client address, no referrer, no user agent.
ACCESS_LOG_FORMAT = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'


@dataclass(frozen=True)
class ServeChoice:
    """What the operator chose (flags, else the SERVE_* settings)."""

    bind: list[str]
    workers: int
    threads: int
    timeout: int
    max_requests: int


def gunicorn_options(choice: ServeChoice) -> dict[str, Any]:
    """gunicorn's settings for Concilium: threaded workers, recycled now and then, JSON logs on stderr."""
    logging_config: dict[str, Any] = settings.LOGGING
    loggers = {
        **logging_config.get("loggers", {}),
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {
            "level": "INFO" if settings.SERVE_ACCESS_LOG else "WARNING",
            "handlers": ["console"],
            "propagate": False,
        },
    }
    options: dict[str, Any] = {
        "bind": choice.bind,
        "workers": choice.workers,
        "worker_class": "gthread",
        "threads": choice.threads,
        "timeout": choice.timeout,
        "graceful_timeout": settings.SERVE_GRACEFUL_TIMEOUT,
        "keepalive": settings.SERVE_KEEPALIVE,
        "max_requests": choice.max_requests,
        "max_requests_jitter": settings.SERVE_MAX_REQUESTS_JITTER if choice.max_requests else 0,
        "logconfig_dict": {**logging_config, "loggers": loggers},
        "access_log_format": ACCESS_LOG_FORMAT,
        "proc_name": "concilium",
        # Two servers on one machine must not share gunicorn's control socket (gunicorn 24+).
        "control_socket_disable": True,
    }
    return options


class Command(BaseCommand):
    help = (
        "Serve Concilium in production: gunicorn with threaded workers behind a reverse proxy (see deploy/). "
        "Defaults come from SERVE_BIND, SERVE_WORKERS, SERVE_THREADS, SERVE_TIMEOUT and SERVE_MAX_REQUESTS."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--bind",
            action="append",
            help="Address to listen on, host:port or unix:/path; repeat for several (SERVE_BIND).",
        )
        parser.add_argument("--workers", type=int, help="Worker processes (SERVE_WORKERS).")
        parser.add_argument("--threads", type=int, help="Threads per worker (SERVE_THREADS).")
        parser.add_argument("--timeout", type=int, help="Seconds before a stuck worker is restarted.")
        parser.add_argument(
            "--max-requests", type=int, help="Requests before a worker is replaced (0: never)."
        )
        parser.add_argument(
            "--check-config",
            action="store_true",
            help="Print the gunicorn settings and exit without serving.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DEBUG:
            raise CommandError(
                "concilium serve refuses to start with DEBUG on: DEBUG shows internals to every visitor. "
                "Unset DEBUG (use `make demo` or `concilium serve_demo` for a development server)."
            )
        try:
            from gunicorn.app.base import BaseApplication
        except ImportError as exc:
            raise CommandError("gunicorn is not installed: pip install 'concilium[production]'.") from exc
        choice = ServeChoice(
            bind=options["bind"] or settings.SERVE_BIND,
            workers=_at_least(options["workers"], settings.SERVE_WORKERS, 1, "--workers"),
            threads=_at_least(options["threads"], settings.SERVE_THREADS, 1, "--threads"),
            timeout=_at_least(options["timeout"], settings.SERVE_TIMEOUT, 1, "--timeout"),
            max_requests=_at_least(options["max_requests"], settings.SERVE_MAX_REQUESTS, 0, "--max-requests"),
        )
        gunicorn_settings = gunicorn_options(choice)
        if options["check_config"]:
            for key in ("bind", "workers", "worker_class", "threads", "timeout", "max_requests"):
                self.stdout.write(f"{key} = {gunicorn_settings[key]}")
            return

        class Application(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
            def load_config(self) -> None:
                known = self.cfg.settings
                for key, value in gunicorn_settings.items():
                    if key in known:  # an older gunicorn may not know every setting
                        self.cfg.set(key, value)

            def load(self) -> WSGIHandler:
                from django.core.wsgi import get_wsgi_application

                return get_wsgi_application()

        logger.info(
            "serving",
            extra={
                "workers": choice.workers,
                "threads": choice.threads,
                "timeout": choice.timeout,
                "max_requests": choice.max_requests,
            },
        )
        Application().run()


def _at_least(given: int | None, default: int, least: int, flag: str) -> int:
    value = default if given is None else given
    if value < least:
        raise CommandError(f"{flag} must be at least {least}; got {value}")
    return value
