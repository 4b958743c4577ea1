"""Shared fixtures: personas (one per role, two hospitals), a logged-in client, database markers."""

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.accounts.models import User
from concilium.core.roles import Role
from tests.factories import PASSWORD, HospitalFactory, UserFactory

# Fixture modules shared across folders. Registered here, at the root, and only here: pytest refuses a module
# that is registered both as a plugin and as a conftest.
pytest_plugins = ["tests.browser", "tests.cases.conftest_panel"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://..."))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """On PostgreSQL the audit log refuses TRUNCATE, which Django uses to empty the database after
    transactional tests: the test database (only it) allows it. New connections pick the setting up."""
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                name = connection.ops.quote_name(connection.settings_dict["NAME"])
                cursor.execute(f"ALTER DATABASE {name} SET concilium.audit_truncate = 'allow'")
            connection.close()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache: counters kept there (failed sign-ins per address, throttles)
    never leak from one test into another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def home_hospital(db: None):
    return HospitalFactory(name="Hôpital Universitaire Alpha", country="FR", city="Lyon")


@pytest.fixture
def other_hospital(db: None):
    return HospitalFactory(name="Universitätsklinikum Beta", country="DE", city="Essen")


def _persona(role: Role, email: str, name: str, hospital) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(email=email, full_name=name, role=role, hospital=hospital)


@pytest.fixture
def requester(home_hospital) -> User:
    return _persona(Role.CLINICIAN, "requester@alpha.example", "Rita Requester", home_hospital)


@pytest.fixture
def outsider(other_hospital) -> User:
    return _persona(Role.CLINICIAN, "outsider@beta.example", "Oscar Outsider", other_hospital)


@pytest.fixture
def expert(home_hospital) -> User:
    return _persona(Role.EXPERT, "expert@alpha.example", "Erin Expert", home_hospital)


@pytest.fixture
def coordinator(home_hospital) -> User:
    return _persona(Role.COORDINATOR, "coordinator@alpha.example", "Cora Coordinator", home_hospital)


@pytest.fixture
def helpdesk(home_hospital) -> User:
    return _persona(Role.HELPDESK, "helpdesk@concilium.example", "Hugo Helpdesk", home_hospital)


@pytest.fixture
def data_manager(home_hospital) -> User:
    return _persona(Role.DATA_MANAGER, "data@alpha.example", "Dana Data", home_hospital)


@pytest.fixture
def network_admin(home_hospital) -> User:
    return _persona(Role.NETWORK_ADMIN, "admin@concilium.example", "Ada Admin", home_hospital)


def verified_client(user: User) -> Client:
    """A client logged in as `user`, past the second factor when the user's role requires one."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.requires_2fa:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    return verified_client


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def error_codes(form, field: str = "__all__") -> list[str]:  # type: ignore[no-untyped-def]
    """The codes of a bound form's errors on `field` ("__all__": the form's own), in order."""
    return [error.code or "" for error in form.errors.as_data().get(field, [])]
