"""OpenID Connect single sign-on (EU Login and any standard provider).

Only an existing, activated account whose address the provider has verified may sign in; nobody is created.
The provider enforces its own second factor, so a single sign-on session counts as strongly authenticated.
"""

import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from concilium.accounts.languages import language_cookie_set
from concilium.accounts.models import AccountStatus
from concilium.accounts.services.authentication import session_start
from concilium.audit.models import Outcome
from concilium.audit.services import audit_record

logger = logging.getLogger(__name__)


class OIDCFailure:
    """Why a single sign-on was refused (kept on the request for the message and the audit event)."""

    NO_ACCOUNT = "no_account"
    PENDING = "pending"
    NOT_ACTIVE = "not_active"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    PROVIDER_ERROR = "provider_error"
    STATE_MISMATCH = "state_mismatch"


def _email_verified(claims: dict[str, Any]) -> bool:
    value = claims.get("email_verified")
    if not getattr(settings, "OIDC_REQUIRE_VERIFIED_EMAIL", True):
        return value is not False and str(value).lower() != "false"
    return value is True or str(value).lower() == "true"


class ConciliumOIDCBackend(OIDCAuthenticationBackend):
    """Match the provider's verified email address to one activated account."""

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        email = (claims.get("email") or "").strip().lower()
        if not email:
            return self._refuse(OIDCFailure.NO_ACCOUNT)
        if not _email_verified(claims):
            return self._refuse(OIDCFailure.EMAIL_NOT_VERIFIED)
        accounts = self.UserModel.objects.filter(email__iexact=email)
        active = accounts.filter(is_active=True)
        if active.exists():
            return active
        existing = accounts.only("pk", "status").first()
        if existing is None:
            return self._refuse(OIDCFailure.NO_ACCOUNT)
        self.request.oidc_failure_user_id = existing.pk
        if existing.status == AccountStatus.PENDING:
            return self._refuse(OIDCFailure.PENDING)
        return self._refuse(OIDCFailure.NOT_ACTIVE)

    def _refuse(self, reason: str) -> Any:
        self.request.oidc_failure = reason
        return self.UserModel.objects.none()

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if not claims.get("email"):
            self.request.oidc_failure = OIDCFailure.NO_ACCOUNT
            return False
        return True


def _failure_message(reason: str | None) -> str:
    provider = settings.OIDC_PROVIDER_NAME
    if reason == OIDCFailure.NO_ACCOUNT:
        return _("There is no activated Concilium account for this address. Please register first.")
    if reason == OIDCFailure.PENDING:
        return _(
            "Your account for this address is awaiting activation by the helpdesk. "
            "We will email you once it is active."
        )
    if reason == OIDCFailure.NOT_ACTIVE:
        return _("The account for this address is not activated. Contact the helpdesk at %(email)s.") % {
            "email": settings.HELPDESK_EMAIL
        }
    if reason == OIDCFailure.EMAIL_NOT_VERIFIED:
        return _(
            "%(provider)s has not confirmed your email address, so we cannot match it to an account."
        ) % {"provider": provider}
    return _("Signing in with %(provider)s did not succeed. Please try again.") % {"provider": provider}


def _require_enabled() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404("single sign-on is not configured")


class ConciliumOIDCAuthenticateView(OIDCAuthenticationRequestView):
    """The start of single sign-on: off (404) unless a provider is configured."""

    def get(self, request: Any) -> HttpResponse:
        _require_enabled()
        response: HttpResponse = super().get(request)
        return response


class ConciliumOIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back: sign in, mark the session as single sign-on, or explain the refusal."""

    def get(self, request: Any) -> HttpResponse:
        _require_enabled()
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation as exc:
            # A state we did not issue (a forged or replayed callback), a bad signature or a wrong nonce.
            mismatch = "state" in str(exc).lower()
            request.oidc_failure = OIDCFailure.STATE_MISMATCH if mismatch else OIDCFailure.PROVIDER_ERROR
            return self.login_failure()
        except requests.RequestException as exc:
            logger.warning("single sign-on provider unreachable", extra={"error_type": type(exc).__name__})
            request.oidc_failure = OIDCFailure.PROVIDER_ERROR
            return self.login_failure()
        return response

    def login_success(self) -> HttpResponse:
        next_url = self.success_url  # read before login() may flush the session it is kept in
        auth.login(self.request, self.user)  # always: a new session id, also for an already signed-in user
        session_start(request=self.request, sso=True)
        return language_cookie_set(HttpResponseRedirect(next_url), self.user.language)

    def login_failure(self) -> HttpResponse:
        request = self.request
        reason = getattr(request, "oidc_failure", None)
        if reason is None:
            reason = OIDCFailure.PROVIDER_ERROR if "error" in request.GET else OIDCFailure.STATE_MISMATCH
        logger.info("single sign-on refused", extra={"reason": reason})
        audit_record(
            action="auth.login_failed",
            actor=self._known_user(request),
            outcome=Outcome.FAILURE,
            detail={"method": "oidc", "reason": reason},
        )
        messages.error(request, _failure_message(reason))
        return HttpResponseRedirect(reverse("accounts:login"))

    @staticmethod
    def _known_user(request: Any) -> Any:
        user_id = getattr(request, "oidc_failure_user_id", None)
        if user_id is None:
            return None
        return get_user_model().objects.filter(pk=user_id).first()
