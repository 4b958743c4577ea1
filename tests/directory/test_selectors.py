"""The directory search: name (case- and accent-insensitive), each filter, combinations, count-free pages."""

import pytest

from concilium.directory.selectors import clinician_page, clinician_search
from tests.directory.conftest import make_clinician
from tests.factories import HospitalFactory, SpecialtyFactory


def names(queryset) -> list[str]:  # type: ignore[no-untyped-def]
    return [clinician.full_name for clinician in queryset]


@pytest.mark.parametrize("typed", ["zoe", "ZOË", "muller", "MÜLLER-lüd", "ludenscheidt", "oe mu"])
def test_name_search_ignores_case_and_accents(catalogue, requester, typed: str) -> None:
    assert names(clinician_search(actor=requester, name=typed)) == ["Zoë Müller-Lüdenscheidt"]


def test_name_search_matches_inside_names(catalogue, requester) -> None:
    assert names(clinician_search(actor=requester, name="ler")) == ["Zoë Müller-Lüdenscheidt"]
    assert names(clinician_search(actor=requester, name="lene")) == ["Hélène Lefèvre"]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("RG", ["Jörg Brückner"]),  # and not the unlisted Hilde Verborgen
        ("Ü", ["Jörg Brückner", "Zoë Müller-Lüdenscheidt"]),
        ("zz", []),
    ],
)
def test_one_or_two_letters_match_inside_names_too(catalogue, requester, typed: str, found) -> None:
    assert names(clinician_search(actor=requester, name=typed)) == found


def test_without_filters_every_listed_clinician_is_found_in_name_order(catalogue, requester) -> None:
    assert names(clinician_search(actor=requester)) == [
        "Amélie Mercier",
        "Hélène Lefèvre",
        "Jörg Brückner",
        "Zoë Müller-Lüdenscheidt",
    ]


def test_unlisted_clinicians_are_never_found(catalogue, requester) -> None:
    assert names(clinician_search(actor=requester, name="verborgen")) == []


def test_specialty_filter(catalogue, requester) -> None:
    found = names(clinician_search(actor=requester, specialty_id=catalogue["intensive"].pk))
    assert found == ["Amélie Mercier", "Jörg Brückner"]


def test_country_filter(catalogue, requester) -> None:
    assert names(clinician_search(actor=requester, country="DE")) == [
        "Jörg Brückner",
        "Zoë Müller-Lüdenscheidt",
    ]


def test_language_filter(catalogue, requester) -> None:
    assert names(clinician_search(actor=requester, language="en")) == [
        "Amélie Mercier",
        "Zoë Müller-Lüdenscheidt",
    ]


def test_network_filter(catalogue, requester) -> None:
    found = names(clinician_search(actor=requester, network_id=catalogue["covid"].pk))
    assert found == ["Hélène Lefèvre", "Jörg Brückner"]


def test_filters_combine(catalogue, requester) -> None:
    found = clinician_search(
        actor=requester,
        specialty_id=catalogue["oncology"].pk,
        country="FR",
        language="fr",
        network_id=catalogue["covid"].pk,
    )
    assert names(found) == ["Hélène Lefèvre"]
    assert names(clinician_search(actor=requester, country="FR", language="de")) == []


def test_a_clinician_in_two_networks_is_listed_once(catalogue, requester) -> None:
    assert names(clinician_search(actor=requester, name="hélène")) == ["Hélène Lefèvre"]


def test_an_inactive_user_sees_nothing(catalogue, requester) -> None:
    requester.is_active = False
    assert names(clinician_search(actor=requester)) == []


@pytest.fixture
def thirty(db: None) -> None:
    hospital = HospitalFactory(country="BE")
    specialty = SpecialtyFactory(name="Pathology")
    for index in range(30):
        make_clinician(f"Clinician {index:02d}", hospital=hospital, specialty=specialty)


def test_pages_hold_25_and_know_whether_more_follow(thirty, requester) -> None:
    first = clinician_page(clinician_search(actor=requester), number=1)
    second = clinician_page(clinician_search(actor=requester), number=2)
    assert len(first.rows) == 25 and first.has_next and not first.has_previous
    assert len(second.rows) == 5 and not second.has_next and second.has_previous
    assert (first.total, first.total_is_capped) == (30, False)
    assert (second.start_index, second.end_index) == (26, 30)
    assert first.rows[0].full_name == "Clinician 00" and second.rows[-1].full_name == "Clinician 29"


def test_the_total_is_counted_only_up_to_the_cap(thirty, requester, monkeypatch) -> None:
    monkeypatch.setattr("concilium.directory.selectors.COUNT_CAP", 10)
    page = clinician_page(clinician_search(actor=requester), number=1)
    assert (page.total, page.total_is_capped) == (10, True)


def test_a_page_past_the_end_is_empty(thirty, requester) -> None:
    page = clinician_page(clinician_search(actor=requester), number=9)
    assert page.rows == [] and not page.has_next


def test_filter_options_list_every_choice_sorted_for_people(catalogue) -> None:
    from concilium.directory.selectors import directory_filter_options

    options = directory_filter_options()
    assert options.countries == [("FR", "France"), ("DE", "Germany")]
    assert [name for _pk, name in options.specialties] == ["Intensive care medicine", "Paediatric oncology"]
    assert [name for _pk, name in options.networks] == ["COVID-19 Clinicians Network", "ERN PaedCan"]
    assert ("de", "Deutsch (de)") in options.languages
    assert options.languages.index(("en", "English (en)")) < options.languages.index(("fr", "français (fr)"))


def test_a_page_reads_languages_and_networks_sorted_by_code(catalogue, requester) -> None:
    (helene,) = clinician_page(clinician_search(actor=requester, name="helene")).rows
    assert [tag.code for tag in helene.networks] == ["covid19-clinicians", "ern-paedcan"]
    assert (helene.hospital_name, helene.country, helene.is_reference_centre) == (
        "CHU de Rivebelle",
        "FR",
        False,
    )
    (zoe,) = clinician_page(clinician_search(actor=requester, name="zoe")).rows
    assert [tag.code for tag in zoe.languages] == ["de", "en"]
