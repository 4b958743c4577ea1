"""With DEBUG off an error is a generic page with a request id; its log line is JSON without personal data.

This module is also the URLconf of its tests: the project's routes plus a view that fails.
"""

import io
import json
import logging

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from concilium import urls as project_urls
from concilium.accounts.access import public
from concilium.core.logging import JsonFormatter, RequestIdFilter

INTERNAL = "column secret_internal_detail of table accounts_user for rita.requester@alpha.example"


@public
def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(INTERNAL)


urlpatterns = [path("test-failure/", fail), *project_urls.urlpatterns]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@pytest.fixture
def json_log() -> io.StringIO:
    """The django.request logger's lines, written as the production handler writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@override_settings(ROOT_URLCONF=__name__, DEBUG=False, DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_an_error_shows_a_generic_page_with_the_request_id_and_logs_json(db, json_log):
    client = Client(raise_request_exception=False)
    response = client.post("/test-failure/?q=Rita+Requester", {"email": "rita.requester@alpha.example"})
    assert response.status_code == 500
    body = response.content.decode()
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    assert f"<code>{request_id}</code>" in body
    assert "Something went wrong" in body
    for leak in ("Traceback", "RuntimeError", "secret_internal_detail", "rita", "test_security_errors"):
        assert leak not in body
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == request_id
    assert line["level"] == "ERROR"
    assert line["logger"] == "django.request"
    assert line["status_code"] == 500
    assert (line["method"], line["path"]) == ("POST", "/test-failure/")
    assert "RuntimeError" in line["exception"]
    raw = json_log.getvalue()
    assert "rita" not in raw.lower() and "Requester" not in raw  # neither the query, the body nor the email


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_missing_page_is_generic_too_and_carries_the_request_id(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["X-Request-ID"] in response.content.decode()


def test_the_json_formatter_masks_emails_and_query_strings():
    record = logging.LogRecord(
        "django.server",
        logging.WARNING,
        __file__,
        1,
        '"GET /directory/?q=Rita HTTP/1.1" 400 %s',
        ("a@b.example",),
        None,
    )
    record.request_id = "r1"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == '"GET /directory/?[query] HTTP/1.1" 400 [email]'
