"""Load benchmark: the production server under concurrent requests at 100,000 cases and 100,000 clinicians.

    .venv/bin/python bench/load.py [--reuse] [--duration 20] [--connections 16] [--cases 100000]

It drops and creates a PostgreSQL database (DATABASE_URL, default `concilium_bench_load`; the name must
contain "bench"), migrates, fills it with the generators of bench/cases.py (cases, patients, panels, ...)
and bench/directory_search.py (clinicians), runs VACUUM ANALYZE and collectstatic, and starts the
production server (`concilium serve`: gunicorn, 2 workers) with the production settings (DEBUG off;
REDIS_URL for the cache and sessions) plus a trivial view (bench/settings.py, bench/urls.py). It signs the
personas in through the login page (password, then TOTP for the coordinator), makes an API token, and
drives each page with wrk (16 connections) in turn: the trivial view, the dashboard, "My cases" first and
last page, case pages, the queue, the directory search, the API case list. It prints requests/s, p50,
p99, errors and timeouts and the ratio to the trivial view. It exits with status 1 only when a page
answers anything but 200 or a connection fails; timing is reported, never asserted.

`--reuse` keeps the database of an earlier run (applying new migrations) and skips the data generation.
"""

import argparse
import datetime
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.directory_search import (  # noqa: E402  (the path above makes the sibling benchmarks importable)
    database_version,
    recreate_postgres_database,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/concilium_bench_load"
#: The personas' password (a benchmark database only).
PASSWORD = "bench-load-password-7f3q"
#: A fixed key for the patients' local identifiers, so that a reused database stays readable.
PATIENT_ID_KEY = "YmVuY2gtbG9hZC1wYXRpZW50LWlkLWtleS0zMmJ5dGU="
WRK = "/usr/bin/wrk"
PAGE_SIZE = 25


@dataclass
class Target:
    """One line of the table: a page, who asks for it, and the paths wrk cycles through."""

    label: str
    persona: str
    paths: list[str]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad_status: int
    socket_errors: int
    timeouts: int


def environment(args: argparse.Namespace, data_dir: Path) -> dict[str, str]:
    """The production configuration, from the environment as an operator would set it."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback: TLS ends at the proxy in production
        "SECURE_COOKIES": "0",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "CONCILIUM_DATA_DIR": str(data_dir),
        "STATIC_ROOT": str(data_dir / "static"),
        "EMAIL_URL": "memory://",
        "PATIENT_ID_KEY": PATIENT_ID_KEY,
        "LOG_LEVEL": "WARNING",
    }


def generate(args: argparse.Namespace) -> None:
    """Cases with everything they gather, then the clinicians of the directory; the personas' passwords."""
    import random

    from bench.cases import add_cases, create_world
    from bench.directory_search import add_clinicians, create_reference

    rng = random.Random(args.seed)
    started = time.perf_counter()
    world = create_world(rng)
    add_cases(0, args.cases, world, rng)
    print(f"- {args.cases:,} cases in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    add_clinicians(0, args.clinicians, create_reference(), rng)
    print(f"- {args.clinicians:,} clinicians in {time.perf_counter() - started:.0f} s", flush=True)


def prepare_personas() -> tuple[dict[str, Any], str]:
    """The personas of bench/cases.py with a password, and an API token for the clinician."""
    from django.contrib.auth.hashers import make_password

    from bench.cases import PERSONAS
    from concilium.accounts.models import ApiToken, TokenScope, User
    from concilium.accounts.services.tokens import api_token_create

    users = {name: User.objects.get(email=email) for name, email in PERSONAS.items()}
    User.objects.filter(pk__in=[user.pk for user in users.values()]).update(password=make_password(PASSWORD))
    ApiToken.objects.filter(user=users["clinician"], name="bench load").delete()
    _, secret = api_token_create(user=users["clinician"], name="bench load", scopes=[TokenScope.READ])
    return users, secret


def targets(users: dict[str, Any], token: str, cookies: dict[str, str]) -> list[Target]:
    """The pages measured, with the paths wrk cycles through."""
    from concilium.cases.api import MAX_PAGE as API_MAX_PAGE
    from concilium.cases.models import Case
    from concilium.cases.permissions import CasePolicy
    from concilium.directory.models import Clinician

    clinician = users["clinician"]
    own = CasePolicy.visible_at_own_hospital(clinician)
    last_page = max(1, math.ceil(own.count() / PAGE_SIZE))
    api_last = min(last_page, API_MAX_PAGE)
    case_ids = list(
        Case.objects.filter(hospital_id=clinician.hospital_id).order_by("?").values_list("pk", flat=True)[:50]
    )
    names = list(
        Clinician.objects.filter(is_listed=True).order_by("?").values_list("search_name", flat=True)[:40]
    )
    searches = [f"/directory/?q={quote(name.split()[-1][:5])}" for name in names[:20]]
    searches += [f"/directory/?q={quote(name.split()[0][:3])}&page=2" for name in names[20:]]

    def cookie(persona: str) -> dict[str, str]:
        return {"Cookie": f"concilium_session={cookies[persona]}"}

    bearer = {"Authorization": f"Bearer {token}"}
    return [
        Target("Trivial view", "", ["/bench/trivial/"]),
        Target("Dashboard (clinician)", "clinician", ["/"], cookie("clinician")),
        Target("Dashboard (coordinator)", "coordinator", ["/"], cookie("coordinator")),
        Target("My cases, page 1", "clinician", ["/cases/"], cookie("clinician")),
        Target(
            f"My cases, page {last_page} (last)",
            "clinician",
            [f"/cases/?page={last_page}"],
            cookie("clinician"),
        ),
        Target("Case page", "clinician", [f"/cases/{pk}/" for pk in case_ids], cookie("clinician")),
        Target("Queue (coordinator)", "coordinator", ["/cases/queue/"], cookie("coordinator")),
        Target("Directory search", "clinician", searches, cookie("clinician")),
        Target("API case list, page 1", "clinician", ["/api/cases/"], bearer),
        Target(f"API case list, page {api_last}", "clinician", [f"/api/cases/?page={api_last}"], bearer),
    ]


def database_exists(url: str) -> bool:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl()) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")]
        ).fetchone()
    return found is not None


# --- The server -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, log: Path, threads: int) -> subprocess.Popen[bytes]:
    """The production server, `concilium serve` (gunicorn, threaded workers), with 2 workers; workers are not
    recycled during the run (SERVE_MAX_REQUESTS=0), so no measurement pays for a worker's start."""
    command = [
        str(ROOT / ".venv" / "bin" / "concilium"),
        "serve",
        "--workers=2",
        f"--threads={threads}",
        f"--bind=127.0.0.1:{port}",
        "--max-requests=0",
    ]
    with log.open("ab") as output:  # the server's JSON log lines (access log included)
        server = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=output, stderr=output, start_new_session=True
        )
    import requests

    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start; see {log}:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(f"http://127.0.0.1:{port}/bench/trivial/", timeout=30).status_code == 200:
                    return server
            except requests.RequestException:  # not listening yet, or a worker still starting
                pass
            time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer within 90 s; see {log}")
    except BaseException:
        stop_server(server)
        raise


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def sign_in(base: str, email: str, totp_device: Any) -> str:
    """A real sign-in through the login page (and the second factor's page): the session cookie's value."""
    import requests
    from django_otp.oath import TOTP

    session = requests.Session()

    def post(path: str, data: dict[str, str]) -> requests.Response:
        page = session.get(base + path, timeout=30)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if page.status_code != 200 or not found:
            raise SystemExit(f"sign-in of {email}: {path} answered {page.status_code} without a form")
        return session.post(
            base + path, {**data, "csrfmiddlewaretoken": found.group(1)}, timeout=30, allow_redirects=False
        )

    answer = post("/accounts/login/", {"username": email, "password": PASSWORD})
    if answer.status_code != 302:
        raise SystemExit(f"sign-in of {email} answered {answer.status_code}")
    if answer.headers["Location"].startswith("/accounts/2fa/"):
        if totp_device is None:
            raise SystemExit(f"sign-in of {email} asks for a second factor it has none of")
        totp = TOTP(totp_device.bin_key, totp_device.step, totp_device.t0, totp_device.digits)
        totp.time = time.time()
        answer = post("/accounts/2fa/", {"code": f"{totp.token():0{totp_device.digits}d}"})
        if answer.status_code != 302:
            raise SystemExit(f"second factor of {email} answered {answer.status_code}")
    return str(session.cookies["concilium_session"])


def check(base: str, target: Target) -> None:
    """Every path of a target answers 200 (not a redirect to the login page, not an error)."""
    import requests

    for path in target.paths:
        answer = requests.get(base + path, headers=target.headers, timeout=60, allow_redirects=False)
        if answer.status_code != 200:
            raise SystemExit(f"{target.label}: {path} answered {answer.status_code}")


# --- wrk --------------------------------------------------------------------------------------------------

LUA = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local threads = {}
local counter = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  counter = math.random(#paths)
end

function request()
  counter = counter %% #paths + 1
  return wrk.format("GET", paths[counter], headers)
end

function response(status, response_headers, body)
  if status ~= 200 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
  end
  io.write(string.format("BENCH_BAD %%d\\n", total))
end
"""


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(base: str, target: Target, args: argparse.Namespace, work: Path) -> Result:
    script = work / "paths.lua"
    script.write_text(
        LUA
        % {
            "paths": ", ".join(lua_string(path) for path in target.paths),
            "headers": ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in target.headers.items()),
        }
    )
    command = [
        WRK,
        f"--threads={min(2, args.connections)}",
        f"--connections={args.connections}",
        f"--duration={args.duration}s",
        f"--timeout={args.timeout}s",
        "--latency",
        f"--script={script}",
        base + target.paths[0],
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


#: The pages compared with each other ("My cases" first and last page): measured in turns, A B B A, each
#: half the duration, so that a change of the shared machine's load during the run falls on both alike.
PAIRED = "My cases, page"


def mean_of(one: Result, two: Result) -> Result:
    """Two runs of one page as one: mean throughput and median, the worse p99, errors added up."""
    return Result(
        requests_per_second=(one.requests_per_second + two.requests_per_second) / 2,
        p50_ms=(one.p50_ms + two.p50_ms) / 2,
        p99_ms=max(one.p99_ms, two.p99_ms),
        requests=one.requests + two.requests,
        bad_status=one.bad_status + two.bad_status,
        socket_errors=one.socket_errors + two.socket_errors,
        timeouts=one.timeouts + two.timeouts,
    )


def run_pair(base: str, pair: list[Target], args: argparse.Namespace, work: Path) -> dict[str, Result]:
    if len(pair) != 2:
        return {target.label: run_wrk(base, target, args, work) for target in pair}
    half = argparse.Namespace(**{**vars(args), "duration": max(1, args.duration // 2)})
    first, second = pair
    runs: dict[str, list[Result]] = {first.label: [], second.label: []}
    for target in (first, second, second, first):
        runs[target.label].append(run_wrk(base, target, half, work))
    combined = {}
    for label, (one, two) in runs.items():
        combined[label] = mean_of(one, two)
        print(f"  {label}: {combined[label].requests_per_second:.1f} requests/s (A B B A)", flush=True)
    return combined


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if found is None:
        raise SystemExit(f"wrk printed a latency this script does not read: {value!r}")
    number, unit = found.groups()
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> Result:
    def find(pattern: str, default: str | None = None) -> str:
        found = re.search(pattern, output)
        if found:
            return found.group(1)
        if default is None:
            raise SystemExit(f"wrk's output has no {pattern!r}:\n{output}")
        return default

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    connect, read, write, timeouts = (int(n) for n in errors.groups()) if errors else (0, 0, 0, 0)
    return Result(
        requests_per_second=float(find(r"Requests/sec:\s+([\d.]+)")),
        p50_ms=_ms(find(r"\s50%\s+(\S+)")),
        p99_ms=_ms(find(r"\s99%\s+(\S+)")),
        requests=int(find(r"(\d+) requests in")),
        bad_status=int(find(r"BENCH_BAD (\d+)")),
        socket_errors=connect + read + write,
        timeouts=timeouts,
    )


# --- Main -------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--clinicians", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (SERVE_THREADS' default)")
    parser.add_argument("--timeout", type=int, default=2, help="wrk's timeout per request, seconds")
    parser.add_argument("--redis-db", type=int, default=13, help="the Redis database (flushed at start)")
    parser.add_argument("--only", default="", help="measure only the pages whose label contains this")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("DATABASE_URL must point at PostgreSQL")
    name = urlsplit(args.database_url).path.lstrip("/")
    if "bench" not in name:
        parser.error(f"the database's name must contain 'bench' (it is dropped and created): {name!r}")

    if args.reuse and not database_exists(args.database_url):
        parser.error(f"--reuse: there is no database {name!r} yet; run once without --reuse")

    work = Path(tempfile.mkdtemp(prefix="concilium-load-"))
    try:
        env = environment(args, work)
        os.environ.update(env)
        started = time.perf_counter()
        if not args.reuse:
            recreate_postgres_database(args.database_url)
        import django
        import redis

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django_otp.plugins.otp_totp.models import TOTPDevice

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # no session or cached figure of an earlier run
        print(f"# Load: 2 workers, {args.cases:,} cases and {args.clinicians:,} clinicians\n")
        call_command("migrate", verbosity=0)
        if not args.reuse:
            generate(args)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        call_command("collectstatic", interactive=False, verbosity=0)
        users, token = prepare_personas()
        setup_seconds = time.perf_counter() - started
        connection.close()

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port, work / "server.log", args.threads)
        try:
            cookies = {
                name: sign_in(base, user.email, TOTPDevice.objects.filter(user=user).first())
                for name, user in users.items()
            }
            chosen = [t for t in targets(users, token, cookies) if args.only in t.label or not t.persona]
            connection.close()
            for target in chosen:
                check(base, target)
                warm_up = Target("warm-up", target.persona, target.paths, target.headers)
                run_wrk(base, warm_up, _short(args), work)
            commit = subprocess.run(
                ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            print(f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, commit {commit}")
            print(
                f"- machine: {platform.machine()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}, Django {django.get_version()}; {database_version()}"
            )
            print(
                f"- setup: {setup_seconds:.0f} s{' (database reused)' if args.reuse else ''}; "
                f"wrk {args.connections} connections, {args.duration} s a page, timeout {args.timeout} s; "
                f"`concilium serve`: 2 workers of {args.threads} threads"
            )
            load_before = os.getloadavg()
            results: dict[str, Result] = {}
            paired = [target for target in chosen if target.label.startswith(PAIRED)]
            for target in chosen:
                if target in paired:
                    continue
                result = results[target.label] = run_wrk(base, target, args, work)
                print(f"  {target.label}: {result.requests_per_second:.1f} requests/s", flush=True)
            results.update(run_pair(base, paired, args, work))
            # The baseline again at the end: the mean of both is the denominator of the ratios.
            trivial = chosen[0]
            again = run_wrk(base, trivial, args, work)
            print(f"  {trivial.label} (again): {again.requests_per_second:.1f} requests/s", flush=True)
            results[trivial.label] = mean_of(results[trivial.label], again)
            results = {target.label: results[target.label] for target in chosen}
            load_after = os.getloadavg()
        finally:
            stop_server(server)
        print(
            f"- load average (1, 5, 15 min) at start: {', '.join(f'{v:.2f}' for v in load_before)}; "
            f"at end: {', '.join(f'{v:.2f}' for v in load_after)}"
        )
        report(results)
        failed = {label: r for label, r in results.items() if r.bad_status or r.socket_errors}
        for label, result in failed.items():
            print(
                f"- ERROR {label}: {result.bad_status} answers not 200, {result.socket_errors} socket errors"
            )
        sys.exit(1 if failed else 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _short(args: argparse.Namespace) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), "duration": 3})


def report(results: dict[str, Result]) -> None:
    trivial = results["Trivial view"].requests_per_second
    print("\n| page | requests/s | p50 ms | p99 ms | errors | timeouts | share of the trivial view |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, result in results.items():
        ratio = "1" if label == "Trivial view" else f"1/{trivial / max(result.requests_per_second, 0.01):.1f}"
        print(
            f"| {label} | {result.requests_per_second:.1f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} | "
            f"{result.bad_status + result.socket_errors} | {result.timeouts} | {ratio} |"
        )
    first = next((r for label, r in results.items() if label == "My cases, page 1"), None)
    last = next((r for label, r in results.items() if label.endswith("(last)")), None)
    if first and last:
        print(
            f"\n- My cases, the last page against the first: "
            f"{first.requests_per_second / last.requests_per_second:.2f}x the time a request "
            f"({last.requests_per_second:.1f} against {first.requests_per_second:.1f} requests/s)"
        )


if __name__ == "__main__":
    main()
