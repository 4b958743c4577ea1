"""Reference data in several languages: a model keeps its base text (English) in its own fields and the
other languages in one JSON field, `translations`, shaped {"de": {"name": "…"}, "fr": {"name": "…"}}.

`translated(obj, "name")` is that text in the active language, falling back to the base value, so a
missing translation shows the English name rather than nothing. Keys need not be field names: a case
template keeps "checklist.<key>" and "guidance.<section>" for the texts inside its JSON lists.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from concilium.core.text import MULTILINE_ALLOWED, find_control_character

#: The languages translations are kept for: every site language but the base one.
BASE_LANGUAGE = "en"


def translation_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != BASE_LANGUAGE]


def active_language() -> str:
    """The active language without its region ("de" for "de-at")."""
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def translation_of(translations: object, key: str, language: str | None = None) -> str:
    """The text kept for `key` in `language` (the active one by default), or "" when there is none."""
    if not isinstance(translations, Mapping):
        return ""
    texts = translations.get(language or active_language())
    value = texts.get(key) if isinstance(texts, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def translated(obj: Any, key: str, default: str | None = None) -> str:
    """`obj`'s text `key` in the active language; else `default`, or the attribute `key` of `obj`."""
    found = translation_of(getattr(obj, "translations", None), key)
    if found:
        return found
    return str(default if default is not None else getattr(obj, key, "") or "")


#: `translated`, worked out when shown: for a text rendered later in another language (a notification
#: rendered for each recipient under their own language).
translated_lazy = lazy(translated, str)


def clean_translations(
    value: object, *, keys: set[str] | None = None, limit: int = 500
) -> dict[str, dict[str, str]]:
    """Validate a `translations` value: site languages only, known keys, plain one-paragraph text.

    Empty texts are dropped, so a blank translation falls back to the base text.
    """
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(_("Translations must be an object of languages."), code="invalid_translations")
    allowed = set(translation_languages())
    cleaned: dict[str, dict[str, str]] = {}
    for language, texts in value.items():
        if language not in allowed:
            raise ValidationError(
                _("No translations are kept for the language “%(language)s”.")
                % {"language": str(language)[:10]},
                code="invalid_translations",
            )
        if not isinstance(texts, Mapping):
            raise ValidationError(
                _("Translations must be an object of languages."), code="invalid_translations"
            )
        kept: dict[str, str] = {}
        for key, text in texts.items():
            if keys is not None and key not in keys:
                raise ValidationError(
                    _("Nothing called “%(key)s” can be translated here.") % {"key": str(key)[:60]},
                    code="invalid_translations",
                )
            if (
                not isinstance(text, str)
                or len(text) > limit
                or find_control_character(text, allowed=MULTILINE_ALLOWED)
            ):
                raise ValidationError(
                    _("A translation is plain text of at most %(limit)d characters.") % {"limit": limit},
                    code="invalid_translations",
                )
            if text.strip():
                kept[str(key)] = text.strip()
        if kept:
            cleaned[str(language)] = kept
    return cleaned
