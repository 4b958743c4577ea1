"""The dashboard's directory figures are the same for everyone: read once, then served from the cache, and
dropped as soon as a clinician, hospital or network changes (saved one by one or imported in bulk)."""

import io

import pytest

from concilium.directory.selectors import directory_overview
from concilium.directory.services import clinicians_import
from tests.factories import ClinicianFactory, HospitalFactory, NetworkFactory


@pytest.fixture
def listed(db: None) -> None:
    hospital = HospitalFactory(name="Universitätsklinikum Nordstadt", country="DE", city="Nordstadt")
    ClinicianFactory.create_batch(3, hospital=hospital, country="DE")
    ClinicianFactory(hospital=HospitalFactory(country="FR"), country="FR")


def test_the_figures_are_read_once_then_served_from_the_cache(listed, django_assert_num_queries) -> None:
    first = directory_overview()
    with django_assert_num_queries(0):
        assert directory_overview() == first
    assert first["clinicians"] == 4
    assert [(row["country"], row["total"]) for row in first["by_country"]] == [("DE", 3), ("FR", 1)]


def test_a_new_clinician_changes_the_figures_at_once(listed) -> None:
    directory_overview()
    ClinicianFactory(hospital=HospitalFactory(country="FR"), country="FR")
    overview = directory_overview()
    assert overview["clinicians"] == 5
    assert [(row["country"], row["total"]) for row in overview["by_country"]] == [("DE", 3), ("FR", 2)]


def test_an_unlisted_or_removed_clinician_and_a_new_network_change_the_figures(listed) -> None:
    directory_overview()
    clinician = ClinicianFactory(country="DE")
    assert directory_overview()["clinicians"] == 5
    clinician.is_listed = False
    clinician.save()
    assert directory_overview()["clinicians"] == 4
    clinician.delete()
    NetworkFactory()
    assert directory_overview()["networks"] == 1


def test_a_bulk_import_changes_the_figures(listed) -> None:
    directory_overview()
    csv = (
        "full_name,email,hospital,country,specialty,languages,networks\n"
        "Zoë Müller,zoe.muller@nordstadt.example,Universitätsklinikum Nordstadt,DE,Paediatric oncology,,\n"
    )
    clinicians_import(stream=io.StringIO(csv))
    overview = directory_overview()
    assert overview["clinicians"] == 5 and overview["by_country"][0] == {
        "country": "DE",
        "total": 4,
        "percent": 100,
    }
