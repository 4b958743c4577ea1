"""Hospitals and networks: added and edited through audited services; a duplicate or a bad value is a field
error, never an IntegrityError; a network admin edits only the networks they administer."""

import pytest

from concilium.audit.models import AuditEvent
from concilium.core.errors import DomainError
from concilium.directory.models import Clinician, Hospital, Network
from concilium.directory.services import (
    DirectoryError,
    hospital_create,
    hospital_update,
    network_create,
    network_update,
)
from tests.factories import ClinicianFactory, HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db


def actions(obj: object) -> list[tuple[str, int | None]]:
    label = obj._meta.label_lower  # type: ignore[attr-defined]
    found = AuditEvent.objects.filter(object_type=label, object_id=str(obj.pk))  # type: ignore[attr-defined]
    return list(found.order_by("id").values_list("action", "actor_id"))


def test_the_helpdesk_adds_a_reference_centre_with_its_networks(helpdesk, own_network) -> None:
    hospital = hospital_create(
        actor=helpdesk,
        name="  Ospedale Maggiore ",
        city="Milano",
        country="it",
        is_reference_centre=True,
        networks=[own_network],
    )
    hospital.refresh_from_db()
    assert (hospital.name, hospital.city, hospital.country, hospital.is_reference_centre) == (
        "Ospedale Maggiore",
        "Milano",
        "IT",
        True,
    )
    assert list(hospital.networks.all()) == [own_network]
    assert actions(hospital) == [("hospital.create", helpdesk.pk)]


def test_a_hospital_listed_twice_in_one_country_is_a_field_error(helpdesk) -> None:
    HospitalFactory(name="Ospedale Maggiore", country="IT")
    with pytest.raises(DirectoryError) as refused:
        hospital_create(actor=helpdesk, name="ospedale maggiore", country="IT")
    assert (refused.value.code, refused.value.field) == (DirectoryError.HOSPITAL_EXISTS, "name")
    assert Hospital.objects.filter(country="IT").count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "", "country": "IT"}, "name"),
        ({"name": "Klinik <b>Nord</b>", "country": "DE"}, "name"),
        ({"name": "Klinik\x00Nord", "country": "DE"}, "name"),
        ({"name": "Klinik Nord", "country": "XX"}, "country"),
    ],
)
def test_a_bad_hospital_value_names_its_field(helpdesk, values, field) -> None:
    before = Hospital.objects.count()
    with pytest.raises(DomainError) as refused:
        hospital_create(actor=helpdesk, **values)
    assert refused.value.field == field
    assert Hospital.objects.count() == before


def test_an_edit_records_what_changed_and_moves_its_clinicians_country(network_admin, own_network) -> None:
    hospital = HospitalFactory(name="Klinikum Nord", country="AT", city="Wien", is_reference_centre=False)
    clinician = ClinicianFactory(hospital=hospital)
    hospital_update(
        actor=network_admin,
        hospital=hospital,
        name="Klinikum Nord",
        city="Wien",
        country="DE",
        is_reference_centre=True,
        networks=[own_network],
    )
    clinician.refresh_from_db()
    assert clinician.country == "DE"
    event = AuditEvent.objects.get(action="hospital.update")
    assert event.detail == {
        "fields": ["country", "is_reference_centre", "networks"],
        "networks": [own_network.pk],
    }


def test_an_edit_that_changes_nothing_writes_nothing(network_admin) -> None:
    hospital = HospitalFactory(name="Klinikum Nord", country="AT", city="Wien", is_reference_centre=False)
    hospital_update(actor=network_admin, hospital=hospital, name="Klinikum Nord", city="Wien", country="AT")
    assert actions(hospital) == []


@pytest.mark.parametrize("persona", ["requester", "expert", "coordinator", "data_manager"])
def test_only_staff_manage_hospitals(request, persona) -> None:
    with pytest.raises(DomainError) as refused:
        hospital_create(actor=request.getfixturevalue(persona), name="Klinikum Nord", country="AT")
    assert refused.value.status == 403
    assert not Hospital.objects.filter(name="Klinikum Nord").exists()


def test_a_network_admin_adds_a_network_and_administers_it(network_admin) -> None:
    network = network_create(actor=network_admin, code="ERN-Bond", name="ERN BOND", kind="ern")
    assert network.code == "ern-bond"
    assert list(network.administrators.all()) == [network_admin]
    assert actions(network) == [("network.create", network_admin.pk)]


def test_a_network_code_is_unique_and_a_slug(network_admin, own_network) -> None:
    with pytest.raises(DirectoryError) as taken:
        network_create(actor=network_admin, code="ern-paedcan", name="Again")
    assert (taken.value.code, taken.value.field) == (DirectoryError.NETWORK_CODE_TAKEN, "code")
    with pytest.raises(DomainError) as bad:
        network_create(actor=network_admin, code="ern paed/can", name="Again")
    assert bad.value.field == "code"


def test_the_helpdesk_does_not_add_networks(helpdesk) -> None:
    with pytest.raises(DomainError) as refused:
        network_create(actor=helpdesk, code="ern-bond", name="ERN BOND")
    assert refused.value.status == 403
    assert not Network.objects.exists()


def test_a_network_admin_shares_a_network_with_another_admin_and_stays_one(
    network_admin, own_network
) -> None:
    colleague = UserFactory(role="network_admin", full_name="Nina Network")
    network_update(
        actor=network_admin, network=own_network, name="ERN PaedCan", kind="ern", administrators=[colleague]
    )
    assert set(own_network.administrators.all()) == {network_admin, colleague}
    event = AuditEvent.objects.get(action="network.update")
    assert event.detail == {
        "fields": ["administrators"],
        "administrators": sorted([network_admin.pk, colleague.pk]),
    }


def test_only_network_admins_administer_networks(network_admin, own_network, expert) -> None:
    with pytest.raises(DirectoryError) as refused:
        network_update(actor=network_admin, network=own_network, name="ERN PaedCan", administrators=[expert])
    assert (refused.value.code, refused.value.field) == (DirectoryError.NOT_AN_ADMIN, "administrators")


def test_another_admins_network_is_not_found(network_admin, foreign_network) -> None:
    with pytest.raises(DomainError) as refused:
        network_update(actor=network_admin, network=foreign_network, name="Mine now")
    assert refused.value.status == 404
    foreign_network.refresh_from_db()
    assert foreign_network.name == "ERN EURACAN"
    assert not Clinician.objects.exists()
