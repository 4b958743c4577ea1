"""One domain error type for every app, with stable codes, and the one table from code to HTTP status.

A service refuses a use case by raising `DomainError` (or an app's subclass) with a code from its app's
code enum and a message for a person; `field` names the form field the message belongs to. Each app declares
once which kind of mistake each of its codes is (`register_codes`); the kind decides the HTTP status of the
problem document the API answers (`concilium.core.problems`) and the page a view shows.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    """The kinds of refusal, each answered with one HTTP status."""

    BAD_REQUEST = "bad_request"  # the request is malformed (a credential in the URL): 400
    INVALID = "invalid"  # a value of the request is wrong: 422
    NOT_FOUND = "not_found"  # missing, or not the actor's to see (never tells which): 404
    FORBIDDEN = "forbidden"  # seen, but the action is not the actor's: 403
    CONFLICT = "conflict"  # not possible in the present state of what is stored: 409
    UNAUTHORIZED = "unauthorized"  # no valid credential: 401
    TOO_LARGE = "too_large"  # a body or file over its limit: 413
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"  # a body of a type the endpoint does not read: 415
    RATE_LIMITED = "rate_limited"  # too many attempts: 429


#: Kind -> HTTP status: the one mapping, used by the JSON API's problem documents and by the views.
HTTP_STATUS: Mapping[ErrorKind, int] = {
    ErrorKind.BAD_REQUEST: 400,
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.CONFLICT: 409,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorKind.RATE_LIMITED: 429,
}


class CommonCode(StrEnum):
    """Codes every app uses for the same refusal."""

    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    INVALID_REQUEST = "invalid_request"
    UNAUTHORIZED = "unauthorized"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    WRONG_STATUS = "wrong_status"
    BAD_REQUEST = "bad_request"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    #: A search term in a URL, where browsers, proxies and logs keep it: searches take it in the body.
    SEARCH_IN_ADDRESS = "search_in_address"


#: Code -> kind, filled by each app's `register_codes` at import time; an unknown code is INVALID.
_CODE_KINDS: dict[str, ErrorKind] = {}


def register_codes(kinds: Mapping[str, ErrorKind]) -> None:
    """Declare the kind of each of an app's codes. A code already declared with another kind is a bug."""
    for code, kind in kinds.items():
        known = _CODE_KINDS.setdefault(str(code), kind)
        if known != kind:
            raise ValueError(f"error code {code!r} is declared both {known} and {kind}")


register_codes(
    {
        CommonCode.NOT_FOUND: ErrorKind.NOT_FOUND,
        CommonCode.FORBIDDEN: ErrorKind.FORBIDDEN,
        CommonCode.INVALID_REQUEST: ErrorKind.INVALID,
        CommonCode.UNAUTHORIZED: ErrorKind.UNAUTHORIZED,
        CommonCode.CONFLICT: ErrorKind.CONFLICT,
        CommonCode.RATE_LIMITED: ErrorKind.RATE_LIMITED,
        CommonCode.WRONG_STATUS: ErrorKind.CONFLICT,
        CommonCode.BAD_REQUEST: ErrorKind.BAD_REQUEST,
        CommonCode.TOO_LARGE: ErrorKind.TOO_LARGE,
        CommonCode.UNSUPPORTED_MEDIA_TYPE: ErrorKind.UNSUPPORTED_MEDIA_TYPE,
        CommonCode.SEARCH_IN_ADDRESS: ErrorKind.BAD_REQUEST,
    }
)


def kind_of(code: str) -> ErrorKind:
    return _CODE_KINDS.get(str(code), ErrorKind.INVALID)


def status_of(code: str) -> int:
    """The HTTP status a refusal with `code` is answered with."""
    return HTTP_STATUS[kind_of(code)]


class DomainError(Exception):
    """A refused use case: nothing was changed. `code` is stable and machine-readable, `message` is for a
    person (translated), `field` the form field it belongs to ("" for the whole form), `extra` goes into the
    problem document as further members (ids and codes only, never personal data)."""

    def __init__(self, code: StrEnum | str, message: Any, *, field: str = "", **extra: object) -> None:
        super().__init__(str(message))
        self.code = str(code)
        self.message = str(message)
        self.field = field
        self.extra = extra

    @property
    def kind(self) -> ErrorKind:
        return kind_of(self.code)

    @property
    def status(self) -> int:
        return HTTP_STATUS[self.kind]


def not_found(message: Any = "Not found.") -> DomainError:
    """The refusal for an object that is missing or not the actor's to see: the same either way."""
    return DomainError(CommonCode.NOT_FOUND, message)
