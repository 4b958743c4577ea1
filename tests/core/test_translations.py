"""The German and French catalogues are complete, compiled, and hold every translatable string."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

import concilium

PACKAGE = Path(concilium.__file__).parent
LANGUAGES = ("de", "fr")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"))


def translations_of(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    po = catalog(language)
    untranslated = [entry.msgid for entry in po if not all(translations_of(entry))]
    fuzzy = [entry.msgid for entry in po if "fuzzy" in entry.flags]
    assert untranslated == []
    assert fuzzy == []
    assert len(po) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_and_markup_of_the_original(language: str) -> None:
    for entry in catalog(language):
        for text in translations_of(entry):
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry.msgid)) or (
                entry.msgid_plural
                and sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry.msgid_plural))
            ), entry.msgid
            assert len(TAG.findall(text)) == len(TAG.findall(entry.msgid)), entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_matches_the_source_catalog(language: str) -> None:
    mo = polib.mofile(str(PACKAGE / "locale" / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(entry.msgctxt, entry.msgid): translations_of(entry) for entry in mo}
    stale = [
        entry.msgid
        for entry in catalog(language)
        if compiled.get((entry.msgctxt, entry.msgid)) != translations_of(entry)
    ]
    assert stale == [], "run `make messages` to compile the catalogues"


@pytest.mark.parametrize(("language", "expected"), [("de", "Anmelden"), ("fr", "Se connecter")])
def test_the_interface_speaks_the_chosen_language(language: str, expected: str) -> None:
    with translation.override(language):
        assert translation.gettext("Sign in") == expected


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (apt-get install gettext)")
def test_the_catalogs_hold_every_translatable_string_of_the_code(tmp_path: Path) -> None:
    copy = tmp_path / "concilium"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "de", "--no-obsolete", "-v0"],
        cwd=copy,
        check=True,
        env={
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(PACKAGE.parent),
        },
    )
    extracted = {(entry.msgctxt, entry.msgid) for entry in catalog_at(copy / "locale" / "de")}
    committed = {(entry.msgctxt, entry.msgid) for entry in catalog("de")}
    assert sorted(extracted - committed, key=str) == [], "run `make messages` and translate the new strings"
    assert sorted(committed - extracted, key=str) == [], (
        "run `make messages` to drop strings the code no longer has"
    )


def catalog_at(folder: Path) -> polib.POFile:
    return polib.pofile(str(folder / "LC_MESSAGES" / "django.po"))
