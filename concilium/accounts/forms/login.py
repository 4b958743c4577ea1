"""Forms for signing in, the second factor, the security page, and a password reset sent via the outbox."""

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concilium.accounts.services.authentication import password_reset_send
from concilium.audit.models import Outcome
from concilium.audit.services import audit_record
from concilium.core.forms import CleanTextFormMixin, StyledFormMixin


class _Styled(StyledFormMixin):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class LoginForm(_Styled, CleanTextFormMixin, forms.Form):
    """Email and password. The email field is named `username`, the name django-axes counts failures by."""

    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SecondFactorForm(_Styled, CleanTextFormMixin, forms.Form):
    """A 6-digit code from the authenticator app, or one of the single-use backup codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class EnrolmentForm(_Styled, CleanTextFormMixin, forms.Form):
    """The first code shown by the newly set-up authenticator app."""

    code = forms.RegexField(
        label=_("Code from the app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=8,
        error_messages={"invalid": _("Enter the 6 digits shown in the app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"[0-9 ]*"}
        ),
    )


class ConfirmPasswordForm(_Styled, forms.Form):
    """The current password again, before turning the second factor off."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class StyledPasswordChangeForm(_Styled, PasswordChangeForm):
    """Django's password change form (old password, new password twice, the password validators)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)  # one of several forms on its page


class StyledSetPasswordForm(_Styled, SetPasswordForm):
    """Django's form for the new password chosen through a reset link."""


class OutboxPasswordResetForm(_Styled, CleanTextFormMixin, PasswordResetForm):
    """Django's password reset, sending through the notification outbox instead of straight to SMTP.

    The page after it reads the same whether or not the address belongs to an account.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})
        self._request: HttpRequest | None = None
        self.sent_to = 0

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]  # takes Django's keywords
        request = kwargs.get("request")
        self._request = request
        super().save(**kwargs)
        if not self.sent_to:
            # Nobody with an activated account has this address: recorded, without the address.
            audit_record(
                action="auth.password_reset_requested",
                outcome=Outcome.FAILURE,
                detail={"reason": "no_active_account"},
            )

    def send_mail(  # noqa: PLR0917 - Django's signature
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        password_reset_send(user=user, reset_path=path)
        self.sent_to += 1
