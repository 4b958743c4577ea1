"""The directory names specialties in the reader's language, in its filters and its results (the CSV export
keeps the English names, for the spreadsheets that read it)."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from concilium.directory.models import Specialty
from concilium.directory.selectors import (
    clinician_export_rows,
    clinician_page,
    clinician_search,
    directory_filter_options,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("directory:search")


@pytest.fixture
def translated_catalogue(catalogue):  # type: ignore[no-untyped-def]
    oncology = Specialty.objects.get(name="Paediatric oncology")
    oncology.translations = {
        "de": {"name": "Pädiatrische Onkologie"},
        "fr": {"name": "Oncologie pédiatrique"},
    }
    oncology.save()
    return catalogue


def _specialty_labels() -> set[str]:
    return {label for _pk, label in directory_filter_options().specialties}


def test_filters_and_results_speak_the_readers_language(translated_catalogue, requester):
    with translation.override("de"):
        assert "Pädiatrische Onkologie" in _specialty_labels()
        assert "Intensive care medicine" in _specialty_labels()  # no translation: the English name
        rows = clinician_page(clinician_search(actor=requester)).rows
        assert "Pädiatrische Onkologie" in {row.specialty for row in rows}
        assert "Paediatric oncology" not in {row.specialty for row in rows}
    with translation.override("fr"):
        assert "Oncologie pédiatrique" in _specialty_labels()
    with translation.override("en"):
        assert "Paediatric oncology" in _specialty_labels()


def test_a_changed_translation_shows_at_once(translated_catalogue):
    with translation.override("de"):
        assert "Pädiatrische Onkologie" in _specialty_labels()  # now cached
        oncology = Specialty.objects.get(name="Paediatric oncology")
        oncology.translations = {"de": {"name": "Kinderonkologie"}}
        oncology.save()
        assert "Kinderonkologie" in _specialty_labels()


def test_the_search_page_in_german_names_the_specialty_in_german(translated_catalogue, client_for, requester):
    client = client_for(requester)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    page = client.get(SEARCH).content.decode()
    assert "Pädiatrische Onkologie" in page


def test_the_export_keeps_the_english_names(translated_catalogue):
    with translation.override("de"):
        specialties = {row["specialty"] for row in clinician_export_rows()}
    assert "Paediatric oncology" in specialties
    assert "Pädiatrische Onkologie" not in specialties
