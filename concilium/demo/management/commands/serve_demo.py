"""`concilium serve_demo`: the web server and a background worker side by side, until Ctrl-C."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from types import FrameType
from typing import Any, TextIO, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

#: How long each child may take to finish its current request or task after Ctrl-C.
GRACE_SECONDS = 10.0


def _die_with_parent() -> None:
    """In the child: ask Linux to end this process if serve_demo itself is killed (no orphaned server)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Command(BaseCommand):
    help = "Serve the demo: Django's development server and `concilium worker`; Ctrl-C stops both."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="Address and port to serve (127.0.0.1:8000)."
        )
        parser.add_argument("--no-accounts", action="store_true", help="Do not print the demo accounts.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            self.stderr.write("serve_demo is for trying Concilium out (DEBUG=1); in production use gunicorn.")
        python = [sys.executable, "-m", "concilium"]
        logs = Path(settings.DATA_DIR) / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        children = {
            "worker": self._start([*python, "worker"], logs / "worker.log"),
            "web": self._start([*python, "runserver", "--noreload", options["addr"]], logs / "web.log"),
        }
        # The accounts and the address end the output: the servers' own lines go to their log files.
        if not options["no_accounts"]:
            self._print_accounts()
        self.stdout.write(f"Logs: {logs / 'web.log'} and {logs / 'worker.log'}")
        self.stdout.write(f"Concilium is running at http://{options['addr']}/  (Ctrl-C stops it)")
        stopping = {"signal": 0}

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stopping["signal"] = signum

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not stopping["signal"] and all(child.poll() is None for child in children.values()):
                time.sleep(0.2)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            exited = {name: child.returncode for name, child in children.items() if child.poll() is not None}
            self._stop(children, signal.SIGINT if stopping["signal"] == signal.SIGINT else signal.SIGTERM)
        if not stopping["signal"]:
            raise CommandError(f"{', '.join(exited)} stopped unexpectedly ({exited}); stopped the rest.")
        self.stdout.write("Concilium stopped.")

    @staticmethod
    def _start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
        # A session of its own: Ctrl-C reaches only serve_demo, which passes it on exactly once.
        with log.open("ab") as output:  # the child keeps its own handle on the file
            return subprocess.Popen(  # noqa: S603 - our own interpreter and command, no shell
                command,
                env=os.environ.copy(),
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    @staticmethod
    def _stop(children: dict[str, subprocess.Popen[bytes]], sig: signal.Signals) -> None:
        """Pass the signal on, give each child GRACE_SECONDS to finish, then end what is left."""
        for child in children.values():
            if child.poll() is None:
                child.send_signal(sig)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def _print_accounts(self) -> None:
        """The demo accounts table, as `concilium demo_load` prints it."""
        from concilium.demo.management.commands.demo_load import Command as DemoLoad

        DemoLoad(stdout=cast(TextIO, self.stdout), stderr=cast(TextIO, self.stderr)).print_accounts()
