"""Directory fixtures: a small, known set of clinicians across countries, languages and networks."""

import pytest

from concilium.directory.models import Clinician, Hospital, Language, Network, Specialty
from tests.factories import ClinicianFactory, HospitalFactory, NetworkFactory, SpecialtyFactory


def make_clinician(
    full_name: str,
    *,
    hospital: Hospital,
    specialty: Specialty,
    languages: tuple[str, ...] = ("en",),
    networks: tuple[Network, ...] = (),
    is_listed: bool = True,
) -> Clinician:
    clinician = ClinicianFactory(
        full_name=full_name, hospital=hospital, specialty=specialty, is_listed=is_listed
    )
    for code in languages:
        Language.objects.get_or_create(code=code, defaults={"name": code})
    clinician.languages.set(languages)
    clinician.networks.set(networks)
    return clinician


@pytest.fixture
def catalogue(db: None) -> dict[str, object]:
    """Four listed clinicians and one unlisted, spread so each filter picks a different subset."""
    paedcan = NetworkFactory(code="ern-paedcan", name="ERN PaedCan")
    covid = NetworkFactory(code="covid19-clinicians", name="COVID-19 Clinicians Network", kind="clinicians")
    oncology = SpecialtyFactory(name="Paediatric oncology")
    intensive = SpecialtyFactory(name="Intensive care medicine")
    nordstadt = HospitalFactory(name="Universitätsklinikum Nordstadt", city="Nordstadt", country="DE")
    rivebelle = HospitalFactory(
        name="CHU de Rivebelle", city="Rivebelle", country="FR", is_reference_centre=False
    )
    people = {
        "zoe": make_clinician(
            "Zoë Müller-Lüdenscheidt",
            hospital=nordstadt,
            specialty=oncology,
            languages=("de", "en"),
            networks=(paedcan,),
        ),
        "helene": make_clinician(
            "Hélène Lefèvre",
            hospital=rivebelle,
            specialty=oncology,
            languages=("fr",),
            networks=(paedcan, covid),
        ),
        "jorg": make_clinician(
            "Jörg Brückner", hospital=nordstadt, specialty=intensive, languages=("de",), networks=(covid,)
        ),
        "amelie": make_clinician(
            "Amélie Mercier", hospital=rivebelle, specialty=intensive, languages=("fr", "en"), networks=()
        ),
        "hidden": make_clinician(
            "Hilde Verborgen", hospital=nordstadt, specialty=oncology, languages=("de",), is_listed=False
        ),
    }
    return {
        "people": people,
        "paedcan": paedcan,
        "covid": covid,
        "oncology": oncology,
        "intensive": intensive,
    }
