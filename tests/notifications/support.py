"""Test helpers for the outbox: a real SMTP server on loopback and the environment for worker subprocesses."""

import asyncio
import os
import socket
import threading
from collections import Counter
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiosmtpd.controller import Controller
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback TCP port nobody listens on (right now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpSink:
    """An aiosmtpd handler that keeps every accepted message; it can hold the first RCPT until released."""

    def __init__(self, *, hold_first_rcpt: bool = False) -> None:
        self.messages: list[Message] = []
        self.hold_first_rcpt = hold_first_rcpt
        self.rcpt_reached = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.hold_first_rcpt:
            self.hold_first_rcpt = False
            self.rcpt_reached.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def message_ids(self) -> Counter[str]:
        return Counter(str(message["Message-ID"]) for message in self.messages)


class SmtpServer:
    """A real SMTP server on 127.0.0.1:<port>, started and stopped by the test."""

    def __init__(self, port: int, sink: SmtpSink) -> None:
        self.port = port
        self.sink = sink
        self.controller = Controller(sink, hostname="127.0.0.1", port=port, ready_timeout=10)

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.sink.release.set()
        self.controller.stop()


def database_url() -> str:
    """The URL of the database this test runs against (pytest-django's test database), for a subprocess."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


def subprocess_env(**overrides: str) -> dict[str, str]:
    """The environment for a `concilium` subprocess working on this test's database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "PYTHONPATH": str(REPO_ROOT),
        "LOG_LEVEL": "WARNING",
    }
    env.update(overrides)
    return env
