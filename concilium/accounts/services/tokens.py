"""Writes for personal API tokens: create one (its secret returned once, only its hash kept), revoke it."""

import secrets
import string
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concilium.accounts.models import ApiToken, TokenScope, User
from concilium.audit.services import audit_record
from concilium.core.errors import DomainError, ErrorKind, register_codes
from concilium.core.text import has_control_characters, text_problem

#: The longest a token may live; a token without an expiry date lives until revoked.
MAX_LIFETIME = timedelta(days=365)
#: Usable tokens a person may hold at once.
MAX_ACTIVE_TOKENS = 20
KEY_ID_LENGTH = 12
_KEY_ID_ALPHABET = string.ascii_lowercase + string.digits
#: How often last_used_at is written at most: a busy script would otherwise write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenError(DomainError):
    """A token request that cannot be done; `code` says why, the message says it to a person."""

    NAME_INVALID = "name_invalid"
    SCOPES_INVALID = "scopes_invalid"
    EXPIRY_INVALID = "expiry_invalid"
    ACCOUNT_INACTIVE = "account_inactive"
    TOO_MANY = "too_many_tokens"
    ALREADY_REVOKED = "already_revoked"


register_codes(
    {
        ApiTokenError.NAME_INVALID: ErrorKind.INVALID,
        ApiTokenError.SCOPES_INVALID: ErrorKind.INVALID,
        ApiTokenError.EXPIRY_INVALID: ErrorKind.INVALID,
        ApiTokenError.ACCOUNT_INACTIVE: ErrorKind.CONFLICT,
        ApiTokenError.TOO_MANY: ErrorKind.CONFLICT,
        ApiTokenError.ALREADY_REVOKED: ErrorKind.CONFLICT,
    }
)


def _new_key_id() -> str:
    return "".join(secrets.choice(_KEY_ID_ALPHABET) for _ in range(KEY_ID_LENGTH))


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name or has_control_characters(name) or text_problem(name, limit=100, multiline=False):
        raise ApiTokenError(
            ApiTokenError.NAME_INVALID,
            _("Give the token a name of up to 100 characters, without control characters."),
        )
    return name


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = set(scopes)
    if not chosen or not chosen <= set(TokenScope.values):
        raise ApiTokenError(ApiTokenError.SCOPES_INVALID, _("Choose at least one of the listed scopes."))
    return [scope for scope in TokenScope.values if scope in chosen]  # stable order


def _check_expiry(expires_at: datetime | None, now: datetime) -> None:
    if expires_at is None:
        return
    if expires_at <= now or expires_at > now + MAX_LIFETIME:
        raise ApiTokenError(ApiTokenError.EXPIRY_INVALID, _("A token expires within one year from today."))


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime | None = None,
    source: str = "web",
) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it with its secret `cnc_<key id>_<random>`, which is never stored."""
    now = timezone.now()
    name = _clean_name(name)
    chosen = _clean_scopes(scopes)
    _check_expiry(expires_at, now)
    locked = User.objects.select_for_update().get(pk=user.pk)  # serialises the count below per person
    if not locked.is_active:
        raise ApiTokenError(
            ApiTokenError.ACCOUNT_INACTIVE, _("Only an activated account can hold API tokens.")
        )
    usable = ApiToken.objects.filter(user=locked, revoked_at__isnull=True).exclude(expires_at__lte=now)
    if usable.count() >= MAX_ACTIVE_TOKENS:
        raise ApiTokenError(
            ApiTokenError.TOO_MANY,
            _("You already hold %(count)d usable tokens. Revoke one you no longer need first.")
            % {"count": MAX_ACTIVE_TOKENS},
        )
    key_id = _new_key_id()
    while ApiToken.objects.filter(key_id=key_id).exists():  # 36^12 ids: a repeat is practically impossible
        key_id = _new_key_id()
    secret = f"{ApiToken.PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=locked,
        name=name,
        key_id=key_id,
        key_hash=ApiToken.hash_secret(secret),
        scopes=chosen,
        expires_at=expires_at,
    )
    audit_record(
        action="api_token.create",
        actor=None if source == "cli" else locked,
        obj=token,
        detail={
            "user_id": locked.pk,
            "key_id": key_id,
            "scopes": chosen,
            "source": source,
            "expires_at": expires_at.isoformat(timespec="seconds") if expires_at else None,
        },
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Revoke `token` at once: the next request that carries it is refused."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise ApiTokenError(ApiTokenError.ALREADY_REVOKED, _("This token was already revoked."))
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit_record(
        action="api_token.revoke",
        actor=actor,
        obj=locked,
        detail={"user_id": locked.user_id, "key_id": locked.key_id},
    )
    token.revoked_at = locked.revoked_at
    return locked


def api_token_mark_used(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record that `token` was used, at most once a minute (one conditional UPDATE, no read)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    stale_before = now - LAST_USED_RESOLUTION
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gte=stale_before).update(last_used_at=now)
    token.last_used_at = now
