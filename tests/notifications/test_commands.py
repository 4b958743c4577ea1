"""`concilium worker` and `concilium serve_demo` as real processes."""

import io
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from concilium.notifications.models import Notification
from concilium.notifications.services import message_id_for, notification_enqueue
from tests.factories import UserFactory
from tests.notifications.support import REPO_ROOT, SmtpServer, SmtpSink, free_port, subprocess_env

pytestmark = pytest.mark.django_db(transaction=True)


def _children_of(pid: int) -> set[int]:
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.add(int(stat.parent.name))
    return children


def _processes_with(marker: str) -> list[int]:
    """Live processes whose environment carries `marker` (so a test finds every process it started)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker.encode() in environ.read_bytes() and _alive(int(environ.parent.name)):
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except OSError:
        return 0


def _serve_demo(port: int, env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "concilium", "serve_demo", "--addr", f"127.0.0.1:{port}", *extra]
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_serve_demo_serves_the_app_runs_the_worker_and_stops_both_on_ctrl_c() -> None:
    smtp_port, web_port = free_port(), free_port()
    sink = SmtpSink()
    server = SmtpServer(smtp_port, sink).start()
    demo = _serve_demo(web_port, subprocess_env(EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}"))
    try:
        deadline = time.monotonic() + 25
        while _get(f"http://127.0.0.1:{web_port}/healthz") != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _get(f"http://127.0.0.1:{web_port}/healthz") == 200

        # The worker beside the web server delivers what the app queues.
        (email,) = notification_enqueue(
            app="notifications",
            recipient=UserFactory(email="demo@alpha.example"),
            kind="outbox_test",
            channels=(Notification.Channel.EMAIL,),
        )
        while not sink.messages and time.monotonic() < deadline + 10:
            time.sleep(0.1)
        assert sink.message_ids() == {message_id_for(email): 1}

        children = _children_of(demo.pid)
        assert len(children) == 2
        demo.send_signal(signal.SIGINT)
        output = demo.communicate(timeout=20)[0].decode()
        assert demo.returncode == 0, output
        assert "Concilium stopped." in output
        assert "Demo accounts" in output, output
        # The accounts and the address end what the demo prints; the servers' lines go to log files.
        lines = output.rstrip().splitlines()
        assert lines[-2:] == [
            f"Concilium is running at http://127.0.0.1:{web_port}/  (Ctrl-C stops it)",
            "Concilium stopped.",
        ]
        assert "Starting development server" not in output
        logs = Path(settings.DATA_DIR) / "logs"
        assert "Starting development server" in (logs / "web.log").read_text()
        assert (logs / "worker.log").is_file()
        assert not [pid for pid in children if _alive(pid)]
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        server.stop()


def test_serve_demo_stops_the_worker_and_fails_when_the_web_server_cannot_start() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        marker = f"serve-demo-test-{uuid.uuid4().hex}"
        env = subprocess_env(CONCILIUM_TEST_MARKER=marker)
        demo = _serve_demo(taken.getsockname()[1], env, "--no-accounts")
        try:
            output = demo.communicate(timeout=30)[0].decode()
        finally:
            if demo.poll() is None:
                demo.kill()
                demo.wait()
    assert demo.returncode == 1
    assert "stopped unexpectedly" in output
    assert _processes_with(marker) == []


def test_the_worker_refuses_nonsense_intervals() -> None:
    with pytest.raises(CommandError, match="sweep-interval"):
        call_command("worker", "--sweep-interval", "0", stdout=io.StringIO())


def test_a_batch_run_with_nothing_to_do_says_so() -> None:
    out = io.StringIO()
    call_command("worker", "--batch", stdout=out)
    assert "Swept 0 overdue message(s)" in out.getvalue()
