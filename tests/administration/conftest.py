"""The administration's world: a network the network admin persona administers (ERN PaedCan, with a group)
and one it does not (ERN EURACAN, with another group)."""

import pytest

from concilium.accounts.models import User
from concilium.directory.models import Network
from concilium.scheduling.models import ExpertGroup
from tests.factories import ExpertGroupFactory, NetworkFactory


@pytest.fixture
def own_network(network_admin: User) -> Network:
    network = NetworkFactory(code="ern-paedcan", name="ERN PaedCan")
    network.administrators.add(network_admin)
    return network


@pytest.fixture
def foreign_network() -> Network:
    return NetworkFactory(code="ern-euracan", name="ERN EURACAN")


@pytest.fixture
def own_group(own_network: Network) -> ExpertGroup:
    return ExpertGroupFactory(network=own_network, name="Brain Tumour Expert Group", slug="brain")


@pytest.fixture
def foreign_group(foreign_network: Network) -> ExpertGroup:
    return ExpertGroupFactory(network=foreign_network, name="Sarcoma Expert Group", slug="sarcoma")
