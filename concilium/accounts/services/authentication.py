"""Signing in and out: password, second factor (TOTP and backup codes), sessions and passwords."""

import secrets
import time
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import django_otp
from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.accounts.access import SSO_SESSION_KEY
from concilium.accounts.models import AccountStatus, User
from concilium.accounts.services.preferences import user_language_default
from concilium.audit.models import Outcome
from concilium.audit.services import audit_record
from concilium.core.errors import DomainError, ErrorKind, register_codes
from concilium.core.request_context import client_address
from concilium.notifications.models import Notification
from concilium.notifications.services import notification_enqueue

#: How many single-use backup codes a user gets with each new authenticator.
BACKUP_CODE_COUNT = 10
#: Session keys: when the session started and was last used (read by SessionLimitsMiddleware), and the
#: authenticator secret being enrolled (kept out of the database until the user proves they scanned it).
SESSION_STARTED_AT = "started_at"
SESSION_LAST_SEEN = "last_seen"
SESSION_ENROL_KEY = "totp_enrol_key"
#: A second password-reset email for the same account within this time is not sent (mailbox flooding).
PASSWORD_RESET_MIN_INTERVAL = timedelta(minutes=5)
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


class AuthError(DomainError):
    """A sign-in or account-security step that did not succeed; `code` says why, `message` is for the user."""

    INVALID_CREDENTIALS = "invalid_credentials"
    PENDING = "pending"
    NOT_ACTIVE = "not_active"
    LOCKED_OUT = "locked_out"
    INVALID_CODE = "invalid_code"
    THROTTLED = "throttled"
    SECOND_FACTOR_MANDATORY = "second_factor_mandatory"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - an error code, not a password

    def __init__(self, code: str, message: str, *, retry_at: datetime | None = None) -> None:
        super().__init__(code, message)
        self.retry_at = retry_at


register_codes(
    {
        AuthError.INVALID_CREDENTIALS: ErrorKind.UNAUTHORIZED,
        AuthError.PENDING: ErrorKind.CONFLICT,
        AuthError.NOT_ACTIVE: ErrorKind.CONFLICT,
        AuthError.LOCKED_OUT: ErrorKind.RATE_LIMITED,
        AuthError.INVALID_CODE: ErrorKind.INVALID,
        AuthError.THROTTLED: ErrorKind.RATE_LIMITED,
        AuthError.SECOND_FACTOR_MANDATORY: ErrorKind.CONFLICT,
        AuthError.WRONG_PASSWORD: ErrorKind.INVALID,
    }
)


# --- Password sign-in ------------------------------------------------------------------------------------


def password_login(*, request: HttpRequest, email: str, password: str) -> User:
    """Check email and password (through django-axes, which counts failures) and start a session.

    The session gets a new id. If a second factor applies, the user is signed in but not yet verified: the
    deny-by-default middleware lets them reach the second-factor pages only.
    """
    email = email.strip().lower()
    address = client_address(request) or "unknown"
    if _address_failures(address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        raise AuthError(AuthError.LOCKED_OUT, _("Too many failed sign-ins from your network."))
    user = authenticate(request, username=email, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise AuthError(AuthError.LOCKED_OUT, _("Too many failed sign-ins."))
        _address_failure_count(address)
        raise _refusal_for(email=email, password=password)
    login(request, user)  # cycles the session key: a new session id at every sign-in
    session_start(request=request, sso=False)
    return user


def _address_key(address: str) -> str:
    return f"login-failures:{address}"


def _address_failures(address: str) -> int:
    """Failed sign-ins from `address`, whatever the account, within the cool-off (the anti-spraying count)."""
    return int(cache.get(_address_key(address), 0))


def _address_failure_count(address: str) -> None:
    """Count one failed sign-in from `address`; the count lives as long as the lockout's cool-off."""
    key = _address_key(address)
    if not cache.add(key, 1, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds())):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds()))


def _refusal_for(*, email: str, password: str) -> AuthError:
    """The message for a refused sign-in: only the holder of the password learns that the account exists."""
    candidate = User.objects.filter(email__iexact=email, is_active=False).only("password", "status").first()
    if candidate is None:
        make_password(password)  # the same work as a password check, so timing does not tell accounts apart
    elif check_password(password, candidate.password):
        if candidate.status == AccountStatus.PENDING:
            return AuthError(
                AuthError.PENDING,
                _(
                    "Your account is awaiting activation by the helpdesk. "
                    "We will email you once it is active."
                ),
            )
        return AuthError(
            AuthError.NOT_ACTIVE,
            _("Your account is not activated. Contact the helpdesk at %(email)s.")
            % {"email": settings.HELPDESK_EMAIL},
        )
    return AuthError(AuthError.INVALID_CREDENTIALS, _("The email address or the password is not correct."))


def session_start(*, request: HttpRequest, sso: bool) -> None:
    """Stamp a fresh session: its start and last use (for the session limits), and how the user signed in.

    A user who never chose a language gets the one their browser asked this page in (LocaleMiddleware's
    choice): their notices are written in it from now on.
    """
    now = time.time()
    request.session[SESSION_STARTED_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    request.session.pop(SESSION_ENROL_KEY, None)
    if sso:
        request.session[SSO_SESSION_KEY] = True
    else:
        request.session.pop(SSO_SESSION_KEY, None)
    if isinstance(request.user, User):
        user_language_default(user=request.user, language=getattr(request, "LANGUAGE_CODE", None))


def second_factor_required(user: Any) -> bool:
    """A second factor applies to roles that must use one and to anyone who turned one on."""
    return bool(user.requires_2fa) or django_otp.user_has_device(user, confirmed=True)


def session_end(*, request: HttpRequest) -> None:
    """Sign out of this browser (the audit signal records it)."""
    logout(request)


# --- Second factor ---------------------------------------------------------------------------------------


def _looks_like_totp(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def second_factor_verify(*, request: HttpRequest, code: str) -> Any:
    """Check a code from the authenticator app, or a single-use backup code, and mark the session verified.

    Devices slow down repeated failures (django-otp throttling); each failure is audited.
    """
    user = request.user
    code = "".join(code.split()).lower()
    kind = "totp" if _looks_like_totp(code) else "backup"
    model = TOTPDevice if kind == "totp" else StaticDevice
    verified, locked_until, throttled = None, None, False
    # The transaction keeps the throttling counters and the used backup code; refusals are raised after it.
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            allowed, info = device.verify_is_allowed()
            if not allowed:
                throttled, locked_until = True, (info or {}).get("locked_until")
                break
            if device.verify_token(code):
                verified = device
                break
        if verified is None:
            audit_record(
                action="auth.2fa_failed",
                actor=user,
                outcome=Outcome.DENIED if throttled else Outcome.FAILURE,
                detail={"reason": "throttled" if throttled else "invalid_code", "kind": kind},
            )
        else:
            audit_record(action="auth.2fa_verified", actor=user, detail={"kind": kind})
    if throttled:
        raise AuthError(
            AuthError.THROTTLED,
            _("Too many wrong codes. Wait a moment, then try again."),
            retry_at=locked_until,
        )
    if verified is None:
        raise AuthError(AuthError.INVALID_CODE, _("This code is not valid. Check it and try again."))
    django_otp.login(request, verified)
    request.session.cycle_key()  # the session's privileges changed: give it a new id
    return verified


@dataclass(frozen=True)
class Enrolment:
    """An authenticator secret waiting for its first code: the otpauth URL for the QR code and the secret."""

    config_url: str
    secret_base32: str


def totp_enrolment_start(*, request: HttpRequest) -> Enrolment:
    """The secret being enrolled in this session (a new one on first call), as a QR-code URL and as text.

    The secret lives in the session until confirmed, so opening the page writes nothing to the database.
    """
    key_hex = request.session.get(SESSION_ENROL_KEY)
    if not key_hex:
        key_hex = secrets.token_hex(20)
        request.session[SESSION_ENROL_KEY] = key_hex
    device = TOTPDevice(user=request.user, key=key_hex, name=TOTP_DEVICE_NAME)
    secret = b32encode(device.bin_key).decode()
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return Enrolment(config_url=device.config_url, secret_base32=grouped)


def totp_enrolment_confirm(*, request: HttpRequest, code: str) -> list[str]:
    """Confirm the enrolment with a first code.

    The new authenticator replaces any earlier one, the session counts as verified, and a fresh set of backup
    codes is returned to be shown once.
    """
    user: User = request.user  # type: ignore[assignment]  # signed in: the middleware saw to it
    key_hex = request.session.get(SESSION_ENROL_KEY)
    code = "".join(code.split())
    if not key_hex:
        raise AuthError(AuthError.INVALID_CODE, _("The set-up expired. Scan the new QR code and try again."))
    candidate = TOTPDevice(user=user, key=key_hex)
    totp = TOTP(candidate.bin_key, candidate.step, candidate.t0, candidate.digits, candidate.drift)
    totp.time = time.time()
    if not (_looks_like_totp(code) and totp.verify(int(code), tolerance=candidate.tolerance)):
        audit_record(
            action="auth.2fa_failed",
            actor=user,
            outcome=Outcome.FAILURE,
            detail={"reason": "invalid_code", "kind": "enrolment"},
        )
        raise AuthError(
            AuthError.INVALID_CODE,
            _("This code does not match. Check the time on your phone and enter the current code."),
        )
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=user).delete()[0] > 0
        device = TOTPDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, key=key_hex, confirmed=True, last_t=totp.t()
        )
        codes = _backup_codes_replace(user=user)
        django_otp.login(request, device)
        request.session.pop(SESSION_ENROL_KEY, None)
        request.session.cycle_key()
        audit_record(action="auth.2fa_enrolled", actor=user, obj=user, detail={"replaced": replaced})
    return codes


def _backup_codes_replace(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def backup_codes_regenerate(*, user: User) -> list[str]:
    """A new set of backup codes; the old ones stop working. Only for someone with an authenticator."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise AuthError(AuthError.INVALID_CODE, _("Set up an authenticator app first."))
    codes = _backup_codes_replace(user=user)
    audit_record(action="auth.2fa_backup_codes_renewed", actor=user, obj=user)
    return codes


def backup_codes_remaining(*, user: User) -> int:
    """How many unused backup codes the user has left."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_disable(*, request: HttpRequest, user: User, password: str) -> None:
    """Turn two-factor authentication off (optional roles only), after checking the password again."""
    if user.requires_2fa:
        raise AuthError(
            AuthError.SECOND_FACTOR_MANDATORY,
            _(
                "Your role requires two-factor authentication: "
                "you can replace the authenticator, not remove it."
            ),
        )
    if not user.check_password(password):
        audit_record(
            action="auth.2fa_disable_failed",
            actor=user,
            outcome=Outcome.FAILURE,
            detail={"reason": "wrong_password"},
        )
        raise AuthError(AuthError.WRONG_PASSWORD, _("The password is not correct."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
        audit_record(action="auth.2fa_disabled", actor=user, obj=user)


# --- Passwords and sessions ------------------------------------------------------------------------------


@transaction.atomic
def password_change(*, request: HttpRequest, user: User, new_password: str) -> User:
    """Set a new password. Every other session ends; this one stays signed in (with a new id)."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    update_session_auth_hash(request, user)
    audit_record(action="auth.password_changed", actor=user, obj=user, detail={"via": "settings"})
    _notify_password_changed(user=user)
    return user


@transaction.atomic
def password_set_by_reset(*, user: User, new_password: str) -> User:
    """Set the password chosen through an emailed reset link. Every session of the account ends."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(action="auth.password_changed", actor=user, obj=user, detail={"via": "reset"})
    _notify_password_changed(user=user)
    return user


def _notify_password_changed(*, user: User) -> None:
    notification_enqueue(
        app="accounts",
        recipient=user,
        kind="password_changed",
        context={"helpdesk_email": settings.HELPDESK_EMAIL},
        channels=(Notification.Channel.EMAIL,),
    )


@transaction.atomic
def password_reset_send(*, user: User, reset_path: str) -> bool:
    """Queue the email with a password-reset link (email only, through the outbox). False when one was queued
    for this account a few minutes ago, so that nobody can flood a mailbox."""
    recent = Notification.objects.filter(
        recipient=user, kind="password_reset", created_at__gte=timezone.now() - PASSWORD_RESET_MIN_INTERVAL
    )
    if recent.exists():
        audit_record(
            action="auth.password_reset_requested",
            actor=user,
            outcome=Outcome.DENIED,
            detail={"reason": "too_soon"},
        )
        return False
    notification_enqueue(
        app="accounts",
        recipient=user,
        kind="password_reset",
        context={
            "reset_url": f"{settings.SITE_URL}{reset_path}",
            "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
            "helpdesk_email": settings.HELPDESK_EMAIL,
        },
        channels=(Notification.Channel.EMAIL,),
    )
    audit_record(action="auth.password_reset_requested", actor=user)
    return True


def sessions_invalidate(*, user: User) -> None:
    """End every session of `user` at its next request: rotate the salt their sessions are bound to."""
    user.session_salt = secrets.token_hex(16)
    user.save(update_fields=["session_salt"])


@transaction.atomic
def sessions_end_everywhere(*, request: HttpRequest, user: User) -> None:
    """Sign the user out of every browser, this one included: rotate the salt their sessions are bound to."""
    sessions_invalidate(user=user)
    audit_record(action="auth.logout_everywhere", actor=user, obj=user)
    request.logout_reason = "logout_everywhere"  # type: ignore[attr-defined]  # read by the audit signal
    logout(request)
