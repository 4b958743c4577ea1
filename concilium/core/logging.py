"""Structured JSON log lines carrying the request id, never personal data."""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("request_id", default="")

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}
#: Extras that may carry personal data (query strings, SQL parameters, bodies): never written.
_DROPPED = {"params", "sql", "body", "data", "headers", "cookies"}
#: Email addresses that slip into messages and exception texts (e.g. a database error naming a key).
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
#: Query strings of URLs in request lines (`GET /directory/?q=Name HTTP/1.1`): search terms may name people.
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']+")


def redact(text: str) -> str:
    """Mask email addresses and URL query strings in free text."""
    return _QUERY.sub(r"\1?[query]", _EMAIL.sub("[email]", text))


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line. Extra fields passed with `extra=` are kept; callers pass ids, never names.

    Django's request loggers pass the request itself: only its method and path are written (never the query
    string, body, headers or user), and email addresses in messages and tracebacks are masked.
    """

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", ""),
        }
        for key, value in vars(record).items():
            if key in _STANDARD or key in _DROPPED or key.startswith("_"):
                continue
            if key == "request":
                payload["method"] = getattr(value, "method", "")
                payload["path"] = getattr(value, "path", "")
                continue
            if isinstance(value, str):
                payload[key] = redact(value)
            elif isinstance(value, int | float | bool | None):
                payload[key] = value
            else:
                payload[key] = redact(repr(value))
        if record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)
