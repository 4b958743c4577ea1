"""Reference data in the reader's language: the base (English) text unless a translation is kept for the
active language, and only well-formed translations are kept."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from concilium.core.translations import clean_translations, translated, translated_lazy


class Thing:
    name = "Haematology"
    translations = {"de": {"name": "Hämatologie"}, "fr": {"name": "  "}}


def test_the_active_language_picks_the_translation_and_falls_back_to_the_base_text():
    with translation.override("de"):
        assert translated(Thing(), "name") == "Hämatologie"
    with translation.override("de-at"):
        assert translated(Thing(), "name") == "Hämatologie"
    with translation.override("fr"):
        assert translated(Thing(), "name") == "Haematology"  # a blank translation is no translation
    with translation.override("en"):
        assert translated(Thing(), "name") == "Haematology"


def test_a_key_that_is_no_attribute_takes_the_default():
    thing = Thing()
    thing.translations = {"de": {"checklist.mri": "MRT-Befund angehängt"}}
    with translation.override("de"):
        assert translated(thing, "checklist.mri", default="MRI report attached") == "MRT-Befund angehängt"
        assert translated(thing, "checklist.csf", default="CSF cytology") == "CSF cytology"


def test_the_lazy_form_is_worked_out_in_the_language_active_when_shown():
    name = translated_lazy(Thing(), "name")
    with translation.override("de"):
        assert str(name) == "Hämatologie"
    with translation.override("en"):
        assert str(name) == "Haematology"


def test_clean_translations_keeps_site_languages_and_known_keys_and_drops_blanks():
    assert clean_translations({"de": {"name": " Hämatologie "}, "fr": {"name": ""}}, keys={"name"}) == {
        "de": {"name": "Hämatologie"}
    }
    assert clean_translations(None) == {}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"en": {"name": "x"}}, "No translations are kept for the language “en”."),
        ({"pl": {"name": "x"}}, "No translations are kept for the language “pl”."),
        ({"de": {"colour": "x"}}, "Nothing called “colour” can be translated here."),
        ({"de": {"name": "a\x00b"}}, "A translation is plain text of at most 500 characters."),
        ({"de": {"name": "x" * 501}}, "A translation is plain text of at most 500 characters."),
        ({"de": "Hämatologie"}, "Translations must be an object of languages."),
        (["de"], "Translations must be an object of languages."),
    ],
)
def test_clean_translations_refuses_what_it_cannot_keep(value, message):
    with pytest.raises(ValidationError) as error:
        clean_translations(value, keys={"name"})
    assert error.value.messages == [message]
