"""Markers for the few views reachable without a fully authenticated, activated user (deny by default)."""

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest

V = TypeVar("V", bound=Callable[..., object])

public = login_not_required

#: Session key set when the user signed in through OpenID Connect single sign-on. The identity provider
#: (EU Login) enforces its own second factor, so such a session counts as strongly authenticated.
SSO_SESSION_KEY = "oidc_authenticated"


def second_factor_pending(view: V) -> V:
    """Reachable after the password but before the second factor (the 2FA step, enrolment, logout)."""
    view.second_factor_pending_allowed = True  # type: ignore[attr-defined]  # read by the middleware
    return view


def user_is_fully_authenticated(subject: HttpRequest | object) -> bool:
    """An activated user who, if a second factor applies to them, has given it in this session.

    Pass the request: its session tells whether the user came through single sign-on. Given only a user,
    single sign-on cannot be seen and the second factor decides.
    """
    if isinstance(subject, HttpRequest):
        user = getattr(subject, "user", None)
        session = getattr(subject, "session", None)
    else:
        user, session = subject, None
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if session is not None and session.get(SSO_SESSION_KEY) is True:
        return True
    is_verified = getattr(user, "is_verified", None)
    if callable(is_verified) and is_verified():
        return True  # a second factor given in this session satisfies every rule below
    if user.requires_2fa:  # type: ignore[union-attr]  # authenticated above: a User
        return False
    # Second factor optional and not given: fine unless the user turned it on.
    return not has_confirmed_device(user, request=subject if isinstance(subject, HttpRequest) else None)


#: The request attribute that keeps the device lookup's answer, and whose it is, for the rest of the request:
#: the gate and the layout both ask, and a device is only confirmed by a request that also verifies it.
_DEVICE_LOOKUP = "_concilium_has_confirmed_device"


def has_confirmed_device(user: object, *, request: HttpRequest | None = None) -> bool:
    """Whether the user has a confirmed authenticator; asked once a request when the request is given."""
    from django_otp import user_has_device

    user_pk = getattr(user, "pk", None)
    cached = getattr(request, _DEVICE_LOOKUP, None) if request is not None else None
    if cached is not None and cached[0] == user_pk:
        return bool(cached[1])
    found = bool(user_has_device(user, confirmed=True))
    if request is not None:
        setattr(request, _DEVICE_LOOKUP, (user_pk, found))
    return found
