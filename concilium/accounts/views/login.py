"""Signing in and out, the second factor, the security page, and password reset."""

import math
import xml.etree.ElementTree as ET
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.accounts.access import (
    SSO_SESSION_KEY,
    public,
    second_factor_pending,
    user_is_fully_authenticated,
)
from concilium.accounts.forms.login import (
    ConfirmPasswordForm,
    EnrolmentForm,
    LoginForm,
    OutboxPasswordResetForm,
    SecondFactorForm,
    StyledPasswordChangeForm,
    StyledSetPasswordForm,
)
from concilium.accounts.forms.preferences import LanguageForm
from concilium.accounts.languages import language_cookie_set
from concilium.accounts.selectors import sign_in_history
from concilium.accounts.services.authentication import (
    AuthError,
    backup_codes_regenerate,
    backup_codes_remaining,
    password_change,
    password_login,
    password_set_by_reset,
    second_factor_disable,
    second_factor_required,
    second_factor_verify,
    session_end,
    sessions_end_everywhere,
    totp_enrolment_confirm,
    totp_enrolment_start,
)
from concilium.core.labels import AUDIT_ACTION, label_for

#: Where the page asked for before signing in is kept while the second factor is pending.
SESSION_NEXT = "login_next"


def _safe_next(request: HttpRequest, url: str | None) -> str | None:
    """`url` if it points into this site, else None (no open redirects)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _default_landing() -> str:
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _pop_next(request: HttpRequest) -> str:
    return _safe_next(request, request.session.pop(SESSION_NEXT, None)) or _default_landing()


# --- Sign in and out ----------------------------------------------------------------------------------------


@public
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(
        request, request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    )
    if request.user.is_authenticated and request.user.is_active:
        if user_is_fully_authenticated(request):
            return redirect(next_url or _default_landing())
        return redirect("accounts:two_factor")
    session_ended = request.session.pop("session_ended", None) if request.method == "GET" else None
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = password_login(
                request=request, email=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except AuthError as error:
            if error.code == AuthError.LOCKED_OUT:
                return locked_out(request)  # the page of an account's lockout: 429, when to try again
            form.apply_error(error)
        else:
            # The pages follow the user's language from now on, whatever this browser was showing.
            if second_factor_required(user):
                request.session[SESSION_NEXT] = next_url or ""
                return language_cookie_set(redirect("accounts:two_factor"), user.language)
            return language_cookie_set(redirect(next_url or _default_landing()), user.language)
    context = {
        "form": form,
        "next": next_url or "",
        "session_ended": session_ended,
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
        "oidc_enabled": settings.OIDC_ENABLED,
        "oidc_provider_name": settings.OIDC_PROVIDER_NAME,
    }
    return render(request, "accounts/login.html", context, status=400 if form.is_bound else 200)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): 429, saying when to try again."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    retry_at = timezone.localtime(timezone.now() + cool_off) if cool_off else None
    response = render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "retry_at": retry_at, "helpdesk_email": settings.HELPDESK_EMAIL},
        status=429,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


@public
@second_factor_pending
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    session_end(request=request)
    return redirect("accounts:logged_out")


@public
@require_GET
def logged_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/logged_out.html")


# --- Second factor ------------------------------------------------------------------------------------------


def _qr_svg(data: str) -> SafeString:
    """The QR code of `data` as inline SVG markup, drawn on the server (no script, no inline style)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2)
    root = image.get_image()
    for attribute in ("width", "height"):
        root.attrib.pop(attribute, None)
    root.set("class", "qr-code")
    root.set("role", "img")
    root.set("aria-label", _("QR code for your authenticator app"))
    return mark_safe(ET.tostring(root, encoding="unicode"))  # noqa: S308 - markup we generated from numbers


@second_factor_pending
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    if user_is_fully_authenticated(request):
        return redirect(_pop_next(request))
    if not django_otp.user_has_device(request.user, confirmed=True):
        return redirect("accounts:two_factor_setup")  # a role that needs a second factor, not set up yet
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor_verify(request=request, code=form.cleaned_data["code"])
        except AuthError as error:
            form.add_error("code", error.message)
        else:
            return redirect(_pop_next(request))
    context = {"form": form, "helpdesk_email": settings.HELPDESK_EMAIL}
    return render(request, "accounts/two_factor.html", context, status=400 if form.is_bound else 200)


@second_factor_pending
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    fully_authenticated = user_is_fully_authenticated(request)
    if not fully_authenticated and django_otp.user_has_device(request.user, confirmed=True):
        # The password alone never replaces an authenticator: give the existing one's code first.
        return redirect("accounts:two_factor")
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_enrolment_confirm(request=request, code=form.cleaned_data["code"])
        except AuthError as error:
            form.add_error("code", error.message)
        else:
            next_url = reverse_lazy("accounts:security") if fully_authenticated else _pop_next(request)
            return render(
                request, "accounts/two_factor_backup_codes.html", {"codes": codes, "next_url": next_url}
            )
    enrolment = totp_enrolment_start(request=request)
    context = {
        "form": form,
        "qr_svg": _qr_svg(enrolment.config_url),
        "secret": enrolment.secret_base32,
        "issuer": settings.OTP_TOTP_ISSUER,
        "mandatory": request.user.requires_2fa,  # type: ignore[union-attr]  # signed in: the middleware saw to it
        "replacing": fully_authenticated and django_otp.user_has_device(request.user, confirmed=True),
        "signing_in": not fully_authenticated,
    }
    return render(request, "accounts/two_factor_setup.html", context, status=400 if form.is_bound else 200)


@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = backup_codes_regenerate(user=request.user)  # type: ignore[arg-type]  # signed in: the middleware saw to it
    except AuthError as error:
        messages.error(request, error.message)
        return redirect("accounts:security")
    return render(
        request,
        "accounts/two_factor_backup_codes.html",
        {"codes": codes, "next_url": reverse_lazy("accounts:security"), "renewed": True},
    )


@sensitive_post_parameters("password")
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = ConfirmPasswordForm(request.POST)
    if form.is_valid():
        try:
            second_factor_disable(
                request=request,
                user=request.user,  # type: ignore[arg-type]  # signed in: the middleware saw to it
                password=form.cleaned_data["password"],
            )
        except AuthError as error:
            if error.code == AuthError.SECOND_FACTOR_MANDATORY:
                messages.error(request, error.message)
                return redirect("accounts:security")
            form.add_error("password", error.message)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:security")
    return security_page(request, disable_form=form, status=400)


# --- Security page ------------------------------------------------------------------------------------------


def security_page(
    request: HttpRequest,
    *,
    password_form: StyledPasswordChangeForm | None = None,
    disable_form: ConfirmPasswordForm | None = None,
    language_form: LanguageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The security page, with the forms given (bound, with their errors) or fresh ones."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    history = [
        {"event": event, "label": label_for(AUDIT_ACTION, event.action)}
        for event in sign_in_history(actor=user)
    ]
    context = {
        "device": device,
        "backup_remaining": backup_codes_remaining(user=user) if device else 0,  # type: ignore[arg-type]  # signed in: the middleware saw to it
        "mandatory": user.requires_2fa,  # type: ignore[union-attr]  # signed in: the middleware saw to it
        "sso_session": request.session.get(SSO_SESSION_KEY) is True,
        "oidc_provider_name": settings.OIDC_PROVIDER_NAME,
        "password_form": password_form or StyledPasswordChangeForm(user),
        "disable_form": disable_form or ConfirmPasswordForm(),
        "language_form": language_form or LanguageForm(initial={"language": _current_language(request)}),
        "history": history,
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
    }
    return render(request, "accounts/security.html", context, status=status)


def _current_language(request: HttpRequest) -> str:
    """The user's chosen language, or, before they chose one, the language of this page."""
    return getattr(request.user, "language", "") or translation.get_language() or settings.LANGUAGE_CODE


@require_GET
def security(request: HttpRequest) -> HttpResponse:
    return security_page(request)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_POST
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = StyledPasswordChangeForm(request.user, request.POST)
    if not form.is_valid():
        return security_page(request, password_form=form, status=400)
    password_change(request=request, user=request.user, new_password=form.cleaned_data["new_password1"])  # type: ignore[arg-type]  # signed in: the middleware saw to it
    messages.success(request, _("Your password is changed. You have been signed out on every other device."))
    return redirect("accounts:security")


@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    sessions_end_everywhere(request=request, user=request.user)  # type: ignore[arg-type]  # signed in: the middleware saw to it
    messages.success(request, _("You have been signed out on every device, this one included."))
    return redirect("accounts:logged_out")


# --- Password reset (Django's views; the email goes through the outbox) -------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_invalid(self, form: OutboxPasswordResetForm) -> HttpResponse:  # type: ignore[override]  # form_class's form
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = StyledSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: StyledSetPasswordForm) -> HttpResponse:  # type: ignore[override]  # form_class's form
        password_set_by_reset(user=form.user, new_password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form: StyledSetPasswordForm) -> HttpResponse:  # type: ignore[override]  # form_class's form
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


password_reset = public(PasswordResetView.as_view())
password_reset_done = public(PasswordResetDoneView.as_view())
password_reset_confirm = public(PasswordResetConfirmView.as_view())
password_reset_complete = public(PasswordResetCompleteView.as_view())
