"""JSON API for accounts, mounted at /api/accounts: who am I, and one's own personal API tokens."""

from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpRequest
from ninja import Router, Schema

from concilium.accounts.api_auth import api_user, required_scope
from concilium.accounts.models import ApiToken, TokenScope, User
from concilium.accounts.selectors import api_token_get, api_token_list
from concilium.accounts.services.tokens import api_token_revoke
from concilium.core.errors import DomainError

router = Router(tags=["accounts"])


class HospitalRefOut(Schema):
    id: int
    name: str
    country: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    hospital: HospitalRefOut | None
    language: str

    @staticmethod
    def resolve_language(obj: User) -> str:
        """The language the account's emails and notices are written in (the site's until one is known)."""
        return obj.language or settings.LANGUAGE_CODE


class TokenOut(Schema):
    id: int
    name: str
    key_id: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    usable: bool

    @staticmethod
    def resolve_usable(obj: ApiToken) -> bool:
        return obj.is_usable


@router.get("/me", response=MeOut, url_name="accounts_me")
def me(request: HttpRequest) -> User:
    """The account behind the token or session: id, email, name, role, hospital and preferred language."""
    required_scope(request, TokenScope.READ)
    return api_user(request)


@router.get("/tokens", response=list[TokenOut], url_name="accounts_tokens")
def tokens(request: HttpRequest) -> list[ApiToken]:
    """Your own personal API tokens, newest first (never their secrets)."""
    required_scope(request, TokenScope.READ)
    return list(api_token_list(actor=api_user(request)))


@router.post("/tokens/{token_id}/revoke", response=TokenOut, url_name="accounts_token_revoke")
def token_revoke(request: HttpRequest, token_id: int) -> ApiToken:
    """Revoke one of your own tokens (a script may revoke the very token it calls with)."""
    required_scope(request, TokenScope.WRITE)
    user = api_user(request)
    try:
        token = api_token_get(actor=user, pk=token_id)
    except Http404 as exc:
        raise DomainError("not_found", "No such token.") from exc
    return api_token_revoke(token=token, actor=user)
