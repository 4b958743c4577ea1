"""The languages a person may read Concilium in, and the cookie that makes the pages follow their choice."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import get_language_info, get_supported_language_variant


def supported_language(code: str | None) -> str:
    """The site language that `code` ("de", "de-AT") stands for, or "" when the site does not offer it."""
    if not code:
        return ""
    try:
        return get_supported_language_variant(code.strip())
    except LookupError:
        return ""


def language_choices() -> list[tuple[str, str]]:
    """The site's languages, each named in itself (so a reader finds their own in any page language)."""
    return [(code, get_language_info(code)["name_local"].capitalize()) for code, _name in settings.LANGUAGES]


def language_cookie_set(response: HttpResponse, language: str) -> HttpResponse:
    """Make the next pages appear in `language` (Django's LocaleMiddleware reads this cookie first)."""
    if supported_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response
