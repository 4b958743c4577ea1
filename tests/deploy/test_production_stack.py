"""The production configuration, started for real on loopback: DEBUG off, PostgreSQL, Redis (cache, sessions,
sign-in counters, the task queue), S3-compatible object storage (moto's server), an SMTP server, the worker,
and two `concilium serve` processes behind Debian's nginx running the site file shipped in deploy/.

The stack is started once for the module; the tests run in order (the last two stop parts of it).
"""

import datetime
import hashlib
import ipaddress
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.notifications.support import SmtpServer, SmtpSink, free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"
SITE_FILE = REPO_ROOT / "deploy" / "nginx" / "concilium.conf"
BUCKET = "concilium-files"
#: The smallest well-formed PDF: what the attachment check accepts (tests/factories.py has the same).
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
#: What must never appear on an error page served with DEBUG off.
INTERNALS = ("Traceback", 'File "/', "Exception Value", "settings.py", "DEBUG = True", "ConnectionError")


def _missing() -> str:
    """Why the stack cannot start here ("" when it can)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return "needs DATABASE_URL=postgres://... (the production stack runs on PostgreSQL)"
    if not os.access(NGINX, os.X_OK):
        return f"needs Debian's nginx at {NGINX} (apt-get install nginx)"
    if shutil.which("redis-server") is None:
        return "needs redis-server on the PATH (apt-get install redis-server)"
    for module in ("gunicorn", "django_tasks_rq", "storages", "boto3", "moto", "requests"):
        try:
            __import__(module)
        except ImportError:
            return f"needs the Python module {module} (pip install -e '.[test]')"
    return ""


pytestmark = [
    pytest.mark.deploy,
    pytest.mark.skipif(bool(_missing()), reason=_missing() or "ready"),
]


# --- Processes ----------------------------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self, timeout: float = 15) -> None:
        """TERM the process group this test started (gunicorn's workers too), KILL it if it lingers."""
        if self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)
        except ProcessLookupError:
            pass

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Stack:
    """Everything started for the test, and how to reach it."""

    tmp: Path
    env: dict[str, str]
    https_port: int
    http_port: int
    app_ports: list[int]
    redis_port: int
    s3_endpoint: str
    smtp: SmtpSink
    certificate: Path
    data: dict[str, Any] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Process:
        log = self.tmp / f"{name}.log"
        with log.open("wb") as output:
            popen = subprocess.Popen(
                argv,
                cwd=REPO_ROOT,
                env=env or self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as a whole, and only it
            )
        process = Process(name, popen, log)
        self.processes[name] = process
        return process

    def run(self, name: str, argv: list[str], timeout: float = 120, **env: str) -> str:
        """Run a command to its end; its output, or a failure that shows it."""
        completed = subprocess.run(
            argv,
            cwd=REPO_ROOT,
            env={**self.env, **env},
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        output = completed.stdout.decode() + completed.stderr.decode()
        assert completed.returncode == 0, f"{name} failed ({completed.returncode}):\n{output[-4000:]}"
        return completed.stdout.decode()

    def stop_all(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.tail()}" for p in self.processes.values())

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"


def _concilium(*args: str) -> list[str]:
    return [sys.executable, "-m", "concilium", *args]


def _wait_for_port(port: int, process: Process | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.popen.poll() is not None:
            pytest.fail(f"{process.name} exited ({process.popen.returncode}):\n{process.tail()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    detail = process.tail() if process else ""
    pytest.fail(f"nothing listens on 127.0.0.1:{port} after {timeout} s\n{detail}")


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and localhost), the test's own: the client verifies it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "tls.crt", folder / "tls.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def _substitute(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text, f"{SITE_FILE.name} no longer contains {old!r}: update the test's substitutions"
        text = text.replace(old, new)
    return text


def nginx_config(stack: Stack, static_root: Path, key: Path) -> str:
    """The shipped site file with this machine's ports, paths and certificate, inside a minimal nginx.conf
    that keeps its pid, logs and temporary files in the test's folder and runs in the foreground."""
    site = _substitute(
        SITE_FILE.read_text(),
        {
            "    server 127.0.0.1:8001 max_fails=3 fail_timeout=10s;\n"
            "    server 127.0.0.1:8002 max_fails=3 fail_timeout=10s;\n": "".join(
                f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in stack.app_ports
            ),
            "    listen 80;\n    listen [::]:80;\n": f"    listen 127.0.0.1:{stack.http_port};\n",
            "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n": (
                f"    listen 127.0.0.1:{stack.https_port} ssl http2;\n"
            ),
            "/etc/letsencrypt/live/concilium.example.org/fullchain.pem": str(stack.certificate),
            "/etc/letsencrypt/live/concilium.example.org/privkey.pem": str(key),
            "/var/lib/concilium/static/": f"{static_root}/",
            "/var/log/nginx/concilium.access.log": str(stack.tmp / "nginx-access.log"),
            "server_name concilium.example.org;": "server_name 127.0.0.1 localhost;",
        },
    )
    temp = stack.tmp / "nginx-temp"
    temp.mkdir()
    # Started as root, nginx's workers would switch to an unprivileged user who cannot read the test's
    # folder: they stay with this one.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    return f"""
daemon off;
{user}
worker_processes 1;
pid {stack.tmp / "nginx.pid"};
error_log {stack.tmp / "nginx-error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{site}
}}
"""


def _database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_sql(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_database(url, "postgres"), autocommit=True) as connection:
        connection.execute(statement)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from cryptography.fernet import Fernet
    from moto.server import ThreadedMotoServer

    tmp = tmp_path_factory.mktemp("stack")
    server_url = os.environ["DATABASE_URL"]
    db_name = f"concilium_stack_{secrets.token_hex(4)}"
    static_root = tmp / "static"
    certificate, key = _self_signed_certificate(tmp)
    https_port, http_port, redis_port, s3_port, smtp_port = (free_port() for _ in range(5))
    app_ports = [free_port(), free_port()]
    s3_endpoint = f"http://127.0.0.1:{s3_port}"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(REPO_ROOT),
        "DJANGO_SETTINGS_MODULE": "concilium.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PATIENT_ID_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"https://127.0.0.1:{https_port}",
        "BEHIND_PROXY": "1",
        "PROXY_COUNT": "1",
        "DATABASE_URL": _database(server_url, db_name),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "stack-test",
        "S3_SECRET_ACCESS_KEY": "stack-test-secret",
        "S3_ADDRESSING_STYLE": "path",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "CONCILIUM_DATA_DIR": str(tmp / "data"),
        "STATIC_ROOT": str(static_root),
        "SERVE_WORKERS": "1",
        "SERVE_THREADS": "4",
        "SERVE_GRACEFUL_TIMEOUT": "3",
        "LOG_LEVEL": "INFO",
    }
    stack = Stack(
        tmp=tmp,
        env=env,
        https_port=https_port,
        http_port=http_port,
        app_ports=app_ports,
        redis_port=redis_port,
        s3_endpoint=s3_endpoint,
        smtp=SmtpSink(),
        certificate=certificate,
    )
    smtp = SmtpServer(smtp_port, stack.smtp)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    created_database = False
    try:
        smtp.start()
        moto.start()
        _s3(stack).create_bucket(Bucket=BUCKET)
        redis = stack.start(
            "redis",
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(tmp)],
        )  # fmt: skip
        # collectstatic (DEBUG off, the manifest, compressed copies) takes the longest: it runs meanwhile.
        collect = stack.start("collectstatic", _concilium("collectstatic", "--no-input", "-v0"))
        _admin_sql(server_url, f'CREATE DATABASE "{db_name}"')
        created_database = True
        _wait_for_port(redis_port, redis)
        stack.run("migrate", _concilium("migrate", "--no-input", "-v0"))
        totp_key = secrets.token_hex(20)
        stack.data = json.loads(
            stack.run(
                "data",
                [sys.executable, "-m", "tests.deploy.stack_data"],
                STACK_TOTP_KEY=totp_key,
                TASKS_BACKEND="django_tasks_db.DatabaseBackend",  # the lost email's task: never worked
            )
        )
        stack.data["totp_key"] = totp_key
        assert collect.popen.wait(timeout=240) == 0, f"collectstatic failed:\n{collect.tail()}"
        for index, port in enumerate(app_ports, start=1):
            stack.start(f"app{index}", _concilium("serve", "--bind", f"127.0.0.1:{port}"))
        stack.start("worker", _concilium("worker", "--sweep-interval", "5"))
        (tmp / "nginx.conf").write_text(nginx_config(stack, static_root, key))
        nginx = stack.start("nginx", [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf")])
        for index, port in enumerate(app_ports, start=1):
            _wait_for_port(port, stack.processes[f"app{index}"])
        _wait_for_port(https_port, nginx)
        yield stack
    finally:
        stack.stop_all()
        print(stack.logs())  # shown by pytest when a test failed
        moto.stop()
        smtp.stop()
        if created_database:
            _admin_sql(server_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def _s3(stack: Stack) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=stack.s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="stack-test",
        aws_secret_access_key="stack-test-secret",
    )


# --- A visitor: cookies kept by hand, so that the same session can be carried to any process ----------------


class Visitor:
    """A browser of sorts. Through nginx it speaks HTTPS; straight to an app process it sends what nginx would
    (Host, X-Forwarded-Proto, X-Forwarded-For), and its secure cookies with it."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.cookies: dict[str, str] = {}

    def get(self, path: str, *, via: int | None = None, **kwargs: Any) -> Any:
        return self.request("GET", path, via=via, **kwargs)

    def post(self, path: str, data: dict[str, str], *, via: int | None = None, **kwargs: Any) -> Any:
        return self.request("POST", path, via=via, data=data, **kwargs)

    def request(self, method: str, path: str, *, via: int | None = None, **kwargs: Any) -> Any:
        """`via`: the port of one app process; None: through nginx."""
        import requests

        headers = {
            "Origin": self.stack.origin,
            "Referer": f"{self.stack.origin}{path}",
            **kwargs.pop("headers", {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if via is None:
            url, verify = f"{self.stack.origin}{path}", str(self.stack.certificate)
        else:
            url, verify = f"http://127.0.0.1:{via}{path}", True
            headers.update(
                {
                    "Host": f"127.0.0.1:{self.stack.https_port}",
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-For": "192.0.2.10",
                }
            )
        response = requests.request(
            method, url, headers=headers, verify=verify, allow_redirects=False, timeout=30, **kwargs
        )
        for cookie in response.cookies:
            if cookie.value:
                self.cookies[cookie.name] = cookie.value
            else:
                self.cookies.pop(cookie.name, None)
        return response

    def csrf_token(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match, "the page has no form with a CSRF token"
        return match.group(1)


def _totp(key_hex: str) -> str:
    from django_otp.oath import totp

    return str(totp(bytes.fromhex(key_hex))).zfill(6)


@pytest.fixture(scope="module")
def coordinator(stack: Stack) -> Visitor:
    """The group coordinator, signed in: password through app process 1, second factor through process 2."""
    first, second = stack.app_ports
    visitor = Visitor(stack)
    page = visitor.get("/accounts/login/", via=first)
    assert page.status_code == 200, page.text[:500]
    answer = visitor.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": visitor.csrf_token(page.text),
            "username": stack.data["email"],
            "password": "correct horse battery staple",
        },
        via=first,
    )
    assert answer.status_code == 302, answer.text[:2000]
    assert answer.headers["Location"].startswith("/accounts/2fa/")
    page = visitor.get("/accounts/2fa/", via=second)  # the half-signed-in session, known to the other process
    assert page.status_code == 200, page.text[:500]
    answer = visitor.post(
        "/accounts/2fa/",
        {"csrfmiddlewaretoken": visitor.csrf_token(page.text), "code": _totp(stack.data["totp_key"])},
        via=second,
    )
    assert answer.status_code == 302, answer.text[:2000]
    assert not answer.headers["Location"].startswith("/accounts/"), answer.headers["Location"]
    return visitor


# --- The tests, in the order they run -----------------------------------------------------------------------


def test_a_user_signs_in_through_one_app_process_and_carries_on_through_the_other(
    stack: Stack, coordinator: Visitor
) -> None:
    import redis

    first, second = stack.app_ports
    for via in (second, first, None):
        page = coordinator.get("/cases/", via=via)
        assert page.status_code == 200, (via, page.status_code, page.headers.get("Location"))
        assert re.search(r"bi-person-circle[^<]*</i>\s*Cora\b", page.text), "not signed in as Cora"
    session_key = coordinator.cookies["concilium_session"]
    cache = redis.Redis.from_url(stack.env["REDIS_URL"])
    assert cache.keys(f"*django.contrib.sessions.cached_db{session_key}"), "the session is not in Redis"


def test_failed_sign_ins_are_counted_in_redis_whichever_process_saw_them(stack: Stack) -> None:
    import redis

    address = "nobody@alpha.example"
    for via in stack.app_ports:
        visitor = Visitor(stack)
        page = visitor.get("/accounts/login/", via=via)
        answer = visitor.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": visitor.csrf_token(page.text), "username": address, "password": "wrong"},
            via=via,
        )
        assert answer.status_code == 400  # the form again, with its error
    cache = redis.Redis.from_url(stack.env["REDIS_URL"])
    per_account = f":1:axes-{hashlib.sha256(address.encode()).hexdigest()}"
    assert cache.get(per_account) == b"2"


def test_the_health_check_sees_postgresql_object_storage_and_the_redis_queue(stack: Stack) -> None:
    answer = Visitor(stack).get("/healthz")
    assert answer.status_code == 200, answer.text
    checks = answer.json()["checks"]
    assert checks["database"] == {"status": "ok", "vendor": "postgresql"}
    assert checks["storage"] == {"status": "ok", "backend": "S3Storage"}
    assert checks["task_queue"]["backend"] == "RQBackend"
    assert checks["task_queue"]["status"] == "ok"


def test_an_upload_lands_in_object_storage_and_downloads_back_through_the_app(
    stack: Stack, coordinator: Visitor
) -> None:
    case = stack.data["case"]
    page = coordinator.get(f"/cases/{case}/")
    assert page.status_code == 200
    answer = coordinator.request(
        "POST",
        f"/cases/{case}/attachments/",
        data={"csrfmiddlewaretoken": coordinator.csrf_token(page.text), "description": "MRI report"},
        files={"file": ("mri-report.pdf", PDF, "application/pdf")},
    )
    assert answer.status_code == 302, answer.text[:1000]
    page = coordinator.get(f"/cases/{case}/")
    links = re.findall(rf"/cases/{case}/attachments/(\d+)/", page.text)
    assert links, "the case page lists no attachment"

    s3 = _s3(stack)
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix="cases/").get("Contents", [])]
    assert len(keys) == 1, keys
    assert s3.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read() == PDF
    grants = s3.get_object_acl(Bucket=BUCKET, Key=keys[0])["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner's only: private
    assert "URI" not in grants[0]["Grantee"]  # no AllUsers / AuthenticatedUsers group
    assert not (stack.tmp / "data" / "media").exists()  # nothing on the app's disk

    download = coordinator.get(f"/cases/{case}/attachments/{links[0]}/")
    assert download.status_code == 200
    assert download.content == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert BUCKET not in download.headers.get("Location", "")  # served by the app, never a storage URL

    consent = s3.get_object(Bucket=BUCKET, Key=stack.data["consent_document"])["Body"].read()
    document = coordinator.get(
        f"/patients/{stack.data['patient']}/consents/{stack.data['consent']}/document/"
    )
    assert document.status_code == 200
    assert document.content == consent

    stranger = Visitor(stack)
    refused = stranger.get(f"/cases/{case}/attachments/{links[0]}/")
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/accounts/login/")


def _email(stack: Stack, match: Any, timeout: float = 30) -> Message:
    """The first message the SMTP server received that `match` accepts, waiting for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [message for message in stack.smtp.messages if match(message)]
        if found:
            return found[0]
        time.sleep(0.2)
    pytest.fail(f"no such email reached the SMTP server\n{stack.processes['worker'].tail()}")


def _text(message: Message) -> str:
    part = message.get_payload(0) if message.is_multipart() else message
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_the_worker_delivers_a_notification_by_smtp(stack: Stack) -> None:
    visitor = Visitor(stack)
    page = visitor.get("/accounts/password-reset/")
    assert page.status_code == 200
    answer = visitor.post(
        "/accounts/password-reset/",
        {"csrfmiddlewaretoken": visitor.csrf_token(page.text), "email": stack.data["email"]},
    )
    assert answer.status_code == 302, answer.text[:1000]
    message = _email(stack, lambda m: str(m["Subject"]) == "Reset your Concilium password")
    assert message["To"] == stack.data["email"]
    assert f"{stack.origin}/accounts/" in _text(message)
    worker_log = stack.processes["worker"].log.read_text()
    assert "deliver_notification" in worker_log, "the email was not delivered by the worker's Redis queue"


def test_the_outbox_sweeper_runs_in_the_worker_and_sends_an_email_whose_task_was_lost(stack: Stack) -> None:
    message_id = f"<notification.{stack.data['lost_email']}."
    message = _email(stack, lambda m: str(m["Message-ID"]).startswith(message_id))
    assert message["To"] == stack.data["email"]
    assert str(message["Subject"]) == "Your Concilium password was changed"


def test_static_files_come_from_the_manifest_with_long_caching(stack: Stack) -> None:
    import requests

    page = Visitor(stack).get("/accounts/login/")
    hashed = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', page.text)
    assert hashed, "the page does not link the manifest's hashed stylesheet"
    verify = str(stack.certificate)
    css = requests.get(f"{stack.origin}{hashed.group(1)}", verify=verify, headers={"Accept-Encoding": "gzip"})
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert css.headers.get("Content-Encoding") == "gzip"  # the precompressed copy collectstatic wrote
    plain = requests.get(f"{stack.origin}/static/vendor/bootstrap/bootstrap.min.css", verify=verify)
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "public, max-age=3600"


def test_plain_http_is_redirected_to_https(stack: Stack) -> None:
    import requests

    answer = requests.get(f"http://127.0.0.1:{stack.http_port}/cases/?page=2", allow_redirects=False)
    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://127.0.0.1/cases/?page=2"


def test_an_unknown_address_shows_the_branded_404_page_without_internals(
    stack: Stack, coordinator: Visitor
) -> None:
    for visitor in (coordinator, Visitor(stack)):
        page = visitor.get("/no-such-page/")
        assert page.status_code == 404
        assert "Concilium" in page.text
        assert "<html" in page.text
        assert not [marker for marker in (*INTERNALS, "urlpatterns", "URLconf") if marker in page.text]


def test_a_server_error_shows_the_branded_500_page_without_internals(
    stack: Stack, coordinator: Visitor
) -> None:
    stack.processes["redis"].stop()  # sessions live in Redis: every signed-in page now fails
    page = coordinator.get("/cases/")
    assert page.status_code == 500
    assert "Concilium" in page.text
    assert "Something went wrong" in page.text
    assert not [marker for marker in (*INTERNALS, "redis", "6379") if marker in page.text]
    assert re.search(r"<code>[0-9a-f]{32}</code>", page.text), "the page gives no reference for the helpdesk"
    logs = stack.processes["app1"].log.read_text() + stack.processes["app2"].log.read_text()
    lines = [json.loads(line) for line in logs.splitlines() if line.strip()]  # every line is JSON
    assert any(line["level"] == "ERROR" and "exception" in line for line in lines), "the error was not logged"


def test_nginx_serves_static_files_without_the_app(stack: Stack) -> None:
    import requests

    for name in ("app1", "app2"):
        stack.processes[name].stop()
    manifest = json.loads((Path(stack.env["STATIC_ROOT"]) / "staticfiles.json").read_text())
    hashed = manifest["paths"]["vendor/bootstrap/bootstrap.min.css"]
    css = requests.get(f"{stack.origin}/static/{hashed}", verify=str(stack.certificate))
    assert css.status_code == 200
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    page = requests.get(f"{stack.origin}/accounts/login/", verify=str(stack.certificate))
    assert page.status_code == 502  # the app is down; the static files were nginx's own
