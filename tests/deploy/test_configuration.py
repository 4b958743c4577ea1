"""The production configuration read from the environment, `concilium serve`, and the 500 page's fallback.

Settings are read once per process, so each case imports them in a fresh interpreter with its own environment.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory, override_settings
from django.utils.functional import SimpleLazyObject

from concilium.core.views import server_error

REPO_ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "cache": settings.CACHES["default"]["BACKEND"],
    "session_engine": settings.SESSION_ENGINE,
    "axes_handler": getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler"),
    "tasks": settings.TASKS["default"],
    "rq_queues": getattr(settings, "RQ_QUEUES", None),
    "apps": [app for app in settings.INSTALLED_APPS if "rq" in app],
    "storage": settings.STORAGES["default"],
    "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "serve": [settings.SERVE_BIND, settings.SERVE_WORKERS, settings.SERVE_THREADS, settings.SERVE_TIMEOUT,
              settings.SERVE_MAX_REQUESTS],
}))
"""


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO_ROOT),
        "DJANGO_SETTINGS_MODULE": "concilium.settings",
        "SECRET_KEY": "production-like-secret-" + "s" * 50,
        "CONCILIUM_DATA_DIR": str(tmp_path),
        **overrides,
    }


def _settings(tmp_path: Path, **env: str) -> dict[str, object]:
    code = "import django; django.setup()\n" + PRINT_SETTINGS
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_production_env(tmp_path, **env),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def _refused(tmp_path: Path, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "import concilium.settings"],
        env=_production_env(tmp_path, **env),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    return result.stderr


def test_without_redis_everything_stays_in_the_process_and_the_database(tmp_path: Path) -> None:
    found = _settings(tmp_path)
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["session_engine"] == "django.contrib.sessions.backends.db"
    assert found["axes_handler"] == "axes.handlers.database.AxesDatabaseHandler"
    assert found["tasks"] == {"BACKEND": "django_tasks_db.DatabaseBackend"}
    assert found["apps"] == []
    assert found["storage"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert found["static_storage"] == "concilium.core.staticfiles.ManifestStaticFilesStorage"


def test_redis_holds_the_cache_sessions_sign_in_counters_and_task_queue(tmp_path: Path) -> None:
    found = _settings(tmp_path, REDIS_URL="redis://10.0.0.5:6379/2")
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["session_engine"] == "django.contrib.sessions.backends.cached_db"
    assert found["axes_handler"] == "axes.handlers.cache.AxesCacheHandler"
    assert found["tasks"] == {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
    assert found["rq_queues"] == {"default": {"URL": "redis://10.0.0.5:6379/2", "DEFAULT_TIMEOUT": 300}}
    assert found["apps"] == ["django_rq", "django_tasks_rq"]


def test_the_task_queue_can_stay_in_the_database_or_use_its_own_redis(tmp_path: Path) -> None:
    in_database = _settings(
        tmp_path, REDIS_URL="redis://10.0.0.5:6379/2", TASKS_BACKEND="django_tasks_db.DatabaseBackend"
    )
    assert in_database["tasks"] == {"BACKEND": "django_tasks_db.DatabaseBackend"}
    assert in_database["apps"] == []
    apart = _settings(tmp_path, REDIS_URL="redis://10.0.0.5:6379/2", RQ_REDIS_URL="redis://10.0.0.6:6379/0")
    assert apart["rq_queues"]["default"]["URL"] == "redis://10.0.0.6:6379/0"  # type: ignore[index]


def test_an_s3_bucket_keeps_uploads_private_in_object_storage(tmp_path: Path) -> None:
    found = _settings(
        tmp_path,
        S3_BUCKET="concilium-files",
        S3_ENDPOINT_URL="https://s3.example.org",
        S3_REGION="eu-west-1",
        S3_ACCESS_KEY_ID="key-id",
        S3_SECRET_ACCESS_KEY="key-secret",
        S3_SERVER_SIDE_ENCRYPTION="AES256",
    )
    storage = found["storage"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"  # type: ignore[index]
    options = storage["OPTIONS"]  # type: ignore[index]
    assert options["bucket_name"] == "concilium-files"
    assert options["endpoint_url"] == "https://s3.example.org"
    assert options["region_name"] == "eu-west-1"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True  # no URL without a short-lived signature
    assert options["file_overwrite"] is False
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}


def test_serving_defaults_come_from_the_environment(tmp_path: Path) -> None:
    found = _settings(
        tmp_path,
        SERVE_BIND="127.0.0.1:8001,unix:/run/concilium.sock",
        SERVE_WORKERS="3",
        SERVE_THREADS="8",
        SERVE_TIMEOUT="45",
        SERVE_MAX_REQUESTS="0",
    )
    assert found["serve"] == [["127.0.0.1:8001", "unix:/run/concilium.sock"], 3, 8, 45, 0]
    default_workers = _settings(tmp_path)["serve"][1]  # type: ignore[index]
    assert 3 <= default_workers <= 12  # 2 x cores + 1, capped


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("REDIS_URL", "http://cache.example.org", "REDIS_URL must be a redis://"),
        ("SERVE_WORKERS", "0", "SERVE_WORKERS must be at least 1"),
        ("SERVE_THREADS", "many", "SERVE_THREADS must be an integer"),
        ("TASKS_BACKEND", "django_tasks_rq.RQBackend", "needs REDIS_URL"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    assert message in _refused(tmp_path, **{variable: value})


@override_settings(DEBUG=True)
def test_serve_refuses_to_start_with_debug_on() -> None:
    with pytest.raises(CommandError, match="refuses to start with DEBUG on"):
        call_command("serve", "--check-config")


@override_settings(SERVE_WORKERS=3, SERVE_THREADS=6, SERVE_TIMEOUT=40, SERVE_MAX_REQUESTS=500)
def test_serve_runs_threaded_gunicorn_workers_from_the_settings(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("serve", "--check-config", "--bind", "127.0.0.1:8123", "--threads", "2")
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "bind = ['127.0.0.1:8123']",
        "workers = 3",
        "worker_class = gthread",
        "threads = 2",
        "timeout = 40",
        "max_requests = 500",
    ]


def test_serve_refuses_a_worker_count_below_one() -> None:
    with pytest.raises(CommandError, match="--workers must be at least 1"):
        call_command("serve", "--check-config", "--workers", "0")


def test_the_500_page_is_still_the_branded_one_when_the_session_store_is_down(db: None) -> None:
    def unreachable() -> object:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    request = RequestFactory().get("/cases/")
    request.user = SimpleLazyObject(unreachable)  # what a session in an unreachable Redis gives
    request.request_id = "0123456789abcdef0123456789abcdef"  # type: ignore[attr-defined]
    response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "0123456789abcdef0123456789abcdef" in html
    assert "6379" not in html
    assert "Connection refused" not in html
