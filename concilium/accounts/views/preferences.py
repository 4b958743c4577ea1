"""A person's own preferences: the language of their pages and messages, chosen on the security page or
with the language selector in the page header."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from concilium.accounts.access import public, user_is_fully_authenticated
from concilium.accounts.forms.preferences import LanguageForm
from concilium.accounts.languages import language_cookie_set
from concilium.accounts.models import User
from concilium.accounts.permissions import AccountAction, can
from concilium.accounts.services.preferences import PreferenceError, user_language_set
from concilium.accounts.views.login import security_page


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Save the language of the user's pages, emails and notices; the next pages appear in it."""
    if not can(request.user, AccountAction.PREFERENCES_OWN):
        raise PermissionDenied
    user: User = request.user  # type: ignore[assignment]  # signed in: the middleware saw to it
    form = LanguageForm(request.POST)
    if form.is_valid():
        try:
            user_language_set(user=user, language=form.cleaned_data["language"], actor=user)
        except PreferenceError as error:
            form.apply_error(error)
    if not form.is_valid():
        return security_page(request, language_form=form, status=400)
    with translation.override(user.language):
        messages.success(
            request, _("Concilium now speaks to you in this language, in pages and in messages.")
        )
    return language_cookie_set(redirect("accounts:security"), user.language)


@public
def language_switch(request: HttpRequest) -> HttpResponse:
    """The header's language selector (Django's `set_language`); for a signed-in user it also saves the
    choice as their preferred language, so their emails and notices follow the pages."""
    response = set_language(request)  # a GET only goes back, as Django's view does
    chosen = request.POST.get("language", "")
    if (
        request.method == "POST"
        and user_is_fully_authenticated(request)
        and can(request.user, AccountAction.PREFERENCES_OWN)
        and chosen in dict(LanguageForm().fields["language"].choices)  # type: ignore[attr-defined]  # a ChoiceField
    ):
        user_language_set(user=request.user, language=chosen, actor=request.user)  # type: ignore[arg-type]  # checked above
    return response
