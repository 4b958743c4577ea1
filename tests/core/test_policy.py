"""The one policy shape: `refusal` with a code, `can`, `require`, and `visible` that selectors start from."""

import pytest

from concilium.accounts.models import AccountStatus
from concilium.core.errors import DomainError
from concilium.core.policy import Refusal
from concilium.patients.permissions import PatientAction, PatientPolicy
from tests.factories import PatientFactory


@pytest.fixture
def patients(home_hospital, other_hospital):  # type: ignore[no-untyped-def]
    return PatientFactory(hospital=home_hospital), PatientFactory(hospital=other_hospital)


def test_another_hospitals_patient_is_refused_as_not_found(requester, patients) -> None:
    own, other = patients
    assert PatientPolicy.refusal(requester, PatientAction.VIEW, own) is None
    refused = PatientPolicy.refusal(requester, PatientAction.VIEW, other)
    assert refused is not None and refused.code == Refusal.NOT_FOUND
    with pytest.raises(DomainError) as raised:
        PatientPolicy.require(requester, PatientAction.UPDATE, other)
    assert (raised.value.code, raised.value.status) == ("not_found", 404)


def test_a_role_without_the_action_is_refused_as_forbidden(helpdesk, patients) -> None:
    refused = PatientPolicy.refusal(helpdesk, PatientAction.ENROL)
    assert refused is not None and refused.code == Refusal.FORBIDDEN
    assert not PatientPolicy.visible(helpdesk).exists()


def test_visible_holds_the_actors_hospital_only(requester, outsider, patients) -> None:
    own, other = patients
    assert list(PatientPolicy.visible(requester)) == [own]
    assert list(PatientPolicy.visible(outsider)) == [other]


def test_a_suspended_account_holds_nothing(requester, patients) -> None:
    requester.is_active, requester.status = False, AccountStatus.SUSPENDED
    assert not PatientPolicy.can(requester, PatientAction.VIEW)
    assert not PatientPolicy.visible(requester).exists()
