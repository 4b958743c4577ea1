"""What the audit needs to know of the request being served: its id, the client's address and user agent.

`RequestContextMiddleware` sets it for each request (and a management command or a task runs without one), so
that services record where a change came from without taking the request as an argument.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from concilium.core.logging import request_id_var

#: Longest user agent kept (browsers send 100-300 characters; the rest is noise or an attack).
USER_AGENT_MAX_CHARS = 300


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    address: str | None = None
    user_agent: str = ""


_EMPTY = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("request_context")


def current() -> RequestContext:
    """The context of the request being served, or an empty one outside a request."""
    return _current.get(_EMPTY)


def client_address(request: HttpRequest) -> str | None:
    """The source address of a request (REMOTE_ADDR; behind PROXY_COUNT proxies, the client they name)."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def context_of(request: HttpRequest, *, request_id: str = "") -> RequestContext:
    agent = str(request.META.get("HTTP_USER_AGENT", ""))
    return RequestContext(
        request_id=request_id or getattr(request, "request_id", "") or request_id_var.get(),
        address=client_address(request),
        user_agent="".join(ch for ch in agent[:USER_AGENT_MAX_CHARS] if ch.isprintable()),
    )


@contextmanager
def bound(context: RequestContext) -> Iterator[RequestContext]:
    """Make `context` the current one inside the block (the middleware; tests)."""
    token = _current.set(context)
    id_token = request_id_var.set(context.request_id)
    try:
        yield context
    finally:
        request_id_var.reset(id_token)
        _current.reset(token)
