"""Authentication of the machine interfaces: personal API tokens (`Authorization: Bearer`) or the session.

The JSON API uses the django-ninja classes below (its global default). DICOMweb and FHIR, which are not ninja
views, call `authenticate_bearer(request)` and answer a `TokenInUrlError` with 400 and a None with 401.
Tokens are never accepted in the query string: URLs end up in logs, browser history and Referer headers.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from concilium.accounts.access import user_is_fully_authenticated
from concilium.accounts.models import ApiToken, TokenScope, User
from concilium.accounts.services.tokens import KEY_ID_LENGTH, api_token_mark_used
from concilium.audit.models import Outcome
from concilium.audit.services import audit_record
from concilium.core.errors import DomainError, ErrorKind, register_codes

#: Query parameters named like a credential; a request carrying one is refused outright.
QUERY_TOKEN_PARAMS = frozenset({"access_token", "token", "api_key", "apikey"})
#: Compared against when no token has the presented key id, so a miss costs what a hit costs.
_DUMMY_HASH = ApiToken.hash_secret("cnc_000000000000_dummy")


register_codes(
    {
        "token_in_url": ErrorKind.BAD_REQUEST,
        "insufficient_scope": ErrorKind.FORBIDDEN,
        "csrf_failed": ErrorKind.FORBIDDEN,
    }
)


class TokenInUrlError(DomainError):
    """A credential was sent in the URL's query string."""

    def __init__(self) -> None:
        super().__init__("token_in_url", "Tokens are not accepted in the URL; send Authorization: Bearer.")


def reject_token_in_query(request: HttpRequest) -> None:
    """Raise TokenInUrlError when the query string carries a parameter named like a token, or a secret."""
    for name, values in request.GET.lists():
        if name.lower() in QUERY_TOKEN_PARAMS or any(_parse(value) for value in values):
            raise TokenInUrlError


def _parse(secret: str) -> str | None:
    """The key id of a well-formed secret `cnc_<key id>_<random>`, else None."""
    if not secret.startswith(ApiToken.PREFIX):
        return None
    parts = secret[len(ApiToken.PREFIX) :].split("_", 1)
    if len(parts) != 2 or len(parts[0]) != KEY_ID_LENGTH or not parts[0].isalnum() or not parts[1]:
        return None
    return parts[0]


def token_for_secret(secret: str, *, request: HttpRequest | None = None) -> ApiToken | None:
    """The usable token whose secret this is (its owner activated), else None.

    Refusals of a known key id (wrong secret, revoked, expired, inactive owner) are audited.
    """
    key_id = _parse(secret.strip())
    if key_id is None:
        return None
    token = ApiToken.objects.select_related("user").filter(key_id=key_id).first()
    if token is None:
        ApiToken(key_hash=_DUMMY_HASH).matches(secret)
        return None
    reason = ""
    if not token.matches(secret):
        reason = "wrong_secret"
    elif token.revoked_at is not None:
        reason = "revoked"
    elif token.expires_at is not None and token.expires_at <= timezone.now():
        reason = "expired"
    elif not token.user.is_active:
        reason = "account_inactive"
    if reason:
        audit_record(
            action="api_token.refused",
            actor=token.user,
            obj=token,
            outcome=Outcome.DENIED,
            detail={"reason": reason, "key_id": token.key_id},
        )
        return None
    return token


def _bearer_secret(request: HttpRequest) -> str | None:
    value = request.headers.get("Authorization", "")
    scheme, _, secret = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip()


def authenticate_bearer(request: HttpRequest) -> User | None:
    """The user behind the request's Bearer token (also setting request.user and request.auth), or None.

    Raises TokenInUrlError when the query string carries a token, whatever the header says.
    """
    reject_token_in_query(request)
    secret = _bearer_secret(request)
    if not secret:
        return None
    token = token_for_secret(secret, request=request)
    if token is None:
        return None
    api_token_mark_used(token=token)
    request.user = token.user
    request.auth = token  # type: ignore[attr-defined]  # read by api_user
    return token.user


class BearerTokenAuth(HttpBearer):
    """Personal API tokens. A Bearer header with a bad token is a 401, even with a session cookie."""

    def __call__(self, request: HttpRequest) -> Any:
        reject_token_in_query(request)
        secret = _bearer_secret(request)
        if secret is None:
            return None  # no Bearer header: let the session try
        return self.authenticate(request, secret)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for_secret(token, request=request)
        if found is None:
            raise AuthenticationError
        api_token_mark_used(token=found)
        request.user = found.user
        return found


class FullSessionAuth(APIKeyCookie):
    """The browser's session, for fully authenticated users only (password and, where it applies, the second
    factor); state-changing requests must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        reject_token_in_query(request)
        user = getattr(request, "user", None)
        if user is None or not user_is_fully_authenticated(request):
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise DomainError("csrf_failed", "CSRF check failed: send the X-CSRFToken header.")
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self(request)


#: The JSON API's default: a Bearer token, else the browser session.
API_AUTH = [BearerTokenAuth(), FullSessionAuth()]


def api_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (token owner or session user)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return auth.user
    if isinstance(auth, User):
        return auth
    raise AuthenticationError


def required_scope(request: HttpRequest, scope: TokenScope | str) -> None:
    """Refuse (403 problem) a token that lacks `scope`; a fully authenticated session holds every scope."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken) and str(scope) not in auth.scopes:
        raise DomainError("insufficient_scope", f"This token lacks the '{scope}' scope.")


def docs_login_required(view: Any) -> Any:
    """The API's interactive docs and schema are for fully authenticated users, like every other page."""

    @require_GET
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_is_fully_authenticated(request):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL, REDIRECT_FIELD_NAME)
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return wrapped
