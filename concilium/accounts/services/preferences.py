"""A person's own preferences: the language their pages, emails and in-app notices are written in."""

from django.db import transaction
from django.utils.translation import gettext as _

from concilium.accounts.languages import supported_language
from concilium.accounts.models import User
from concilium.accounts.permissions import AccountAction, AccountPolicy
from concilium.audit.services import audit_record
from concilium.core.errors import DomainError, ErrorKind, register_codes


class PreferenceError(DomainError):
    """A preference that cannot be saved; `code` says why, `field` which one."""

    UNKNOWN_LANGUAGE = "unknown_language"
    NOT_ALLOWED = "preference_not_allowed"


register_codes(
    {PreferenceError.UNKNOWN_LANGUAGE: ErrorKind.INVALID, PreferenceError.NOT_ALLOWED: ErrorKind.FORBIDDEN}
)


@transaction.atomic
def user_language_set(*, user: User, language: str, actor: User) -> User:
    """Save the language the user chose for their pages and messages (audited with the old and new code)."""
    if actor.pk != user.pk or not AccountPolicy.can(actor, AccountAction.PREFERENCES_OWN):
        raise PreferenceError(PreferenceError.NOT_ALLOWED, _("You may change only your own preferences."))
    chosen = supported_language(language)
    if not chosen or chosen != language:
        raise PreferenceError(
            PreferenceError.UNKNOWN_LANGUAGE, _("Choose one of the listed languages."), field="language"
        )
    old = user.language
    if old != chosen:
        User.objects.filter(pk=user.pk).update(language=chosen)
        user.language = chosen
        audit_record(
            action="account.language_changed",
            actor=actor,
            obj=user,
            detail={"old": old, "new": chosen, "source": "chosen"},
        )
    return user


@transaction.atomic
def user_language_default(*, user: User, language: str | None) -> User:
    """Give a user who never chose a language the one their browser asks for (at registration and at the
    first sign-in): their notices are then written in it. A choice already made is kept."""
    chosen = supported_language(language)
    if user.language or not chosen:
        return user
    if User.objects.filter(pk=user.pk, language="").update(language=chosen):
        user.language = chosen
        audit_record(
            action="account.language_changed",
            actor=user,
            obj=user,
            detail={"old": "", "new": chosen, "source": "browser"},
        )
    return user
