"""The directory page: who may open it, filters from the query string, htmx partials, constant queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concilium.accounts.models import AccountStatus
from concilium.core.roles import Role
from concilium.directory.models import Language
from tests.directory.conftest import make_clinician
from tests.factories import HospitalFactory, NetworkFactory, SpecialtyFactory, UserFactory

URL = "/directory/"


def test_the_url_name_is_directory_search() -> None:
    assert reverse("directory:search") == URL


def test_anonymous_visitor_is_sent_to_the_login_page(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_pending_account_cannot_see_the_directory(catalogue, home_hospital) -> None:
    pending = UserFactory(
        email="pending@alpha.example", status=AccountStatus.PENDING, is_active=False, hospital=home_hospital
    )
    client = Client()
    client.force_login(pending, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(URL)
    assert response.status_code == 302
    assert "Zoë" not in response.content.decode()


def test_password_without_second_factor_is_not_enough(catalogue, helpdesk) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=helpdesk, name="phone", confirmed=True)
    client = Client()
    client.force_login(helpdesk, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(URL)
    assert response.status_code == 302
    assert "Zoë" not in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["requester", "expert", "coordinator", "helpdesk", "data_manager", "network_admin"]
)
def test_every_activated_role_can_search(catalogue, client_for, persona: str, request) -> None:
    user = request.getfixturevalue(persona)
    response = client_for(user).get(URL, {"q": "zoe"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Zoë Müller-Lüdenscheidt" in body
    assert "Hélène Lefèvre" not in body


def test_filters_come_from_the_query_string(catalogue, client_for, requester) -> None:
    params = {"country": "FR", "specialty": catalogue["intensive"].pk, "language": "en"}
    body = client_for(requester).get(URL, params).content.decode()
    assert "Amélie Mercier" in body
    for other in ("Hélène Lefèvre", "Jörg Brückner", "Zoë Müller-Lüdenscheidt"):
        assert other not in body
    assert 'value="FR" selected' in body


def test_network_filter_and_reference_centre_badge(catalogue, client_for, requester) -> None:
    body = client_for(requester).get(URL, {"network": catalogue["paedcan"].pk}).content.decode()
    assert "Zoë Müller-Lüdenscheidt" in body and "Hélène Lefèvre" in body
    assert "Jörg Brückner" not in body
    assert "Reference centre" in body  # Nordstadt is a reference centre, Rivebelle is not


def test_unlisted_clinicians_are_hidden(catalogue, client_for, requester) -> None:
    body = client_for(requester).get(URL).content.decode()
    assert "Hilde Verborgen" not in body
    assert "4 clinicians match" in body


def test_nothing_matching_shows_the_empty_state(catalogue, client_for, requester) -> None:
    body = client_for(requester).get(URL, {"q": "nobody-by-this-name"}).content.decode()
    assert "No clinician matches" in body
    assert "<table" not in body


def test_invalid_filter_values_are_ignored_with_a_message(catalogue, client_for, requester) -> None:
    response = client_for(requester).get(URL, {"specialty": "abc", "country": "XX", "page": "0", "q": "zo"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Zoë Müller-Lüdenscheidt" in body
    assert "Select a valid choice" in body


def test_control_characters_in_the_name_are_a_form_error_not_a_500(catalogue, client_for, requester) -> None:
    response = client_for(requester).get(URL, {"q": "zo\x00e"})
    assert response.status_code == 200
    assert "control characters" in response.content.decode()


def test_htmx_requests_get_only_the_results(catalogue, client_for, requester) -> None:
    response = client_for(requester).get(URL, {"q": "zoe"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Zoë Müller-Lüdenscheidt" in body
    assert "<html" not in body and "<form" not in body
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(catalogue, client_for, requester) -> None:
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    body = client_for(requester).get(URL, {"q": "zoe"}, headers=headers).content.decode()
    assert "<html" in body and "Zoë Müller-Lüdenscheidt" in body


def test_the_form_works_without_javascript_and_updates_as_you_type(catalogue, client_for, requester) -> None:
    body = client_for(requester).get(URL).content.decode()
    assert 'method="get"' in body and 'action="/directory/"' in body
    assert 'hx-trigger="submit, input changed delay:300ms from:#id_q, change from:.directory-filter"' in body
    assert 'hx-target="#directory-results"' in body and 'hx-push-url="true"' in body


def test_pagination_links_keep_the_filters(client_for, requester) -> None:
    hospital = HospitalFactory(country="BE")
    specialty = SpecialtyFactory(name="Pathology")
    for index in range(30):
        make_clinician(f"Pat Patho {index:02d}", hospital=hospital, specialty=specialty)
    client = client_for(requester)
    first = client.get(URL, {"q": "patho"}).content.decode()
    assert "Pat Patho 24" in first and "Pat Patho 25" not in first
    assert "?q=patho&amp;page=2" in first
    second = client.get(URL, {"q": "patho", "page": 2}).content.decode()
    assert "Pat Patho 25" in second and "Pat Patho 29" in second and "Pat Patho 24" not in second


def _populate(count: int, prefix: str) -> None:
    networks = [NetworkFactory(code=f"net-{index}", name=f"Network {index}") for index in range(3)]
    for code in ("de", "fr", "it"):
        Language.objects.get_or_create(code=code, defaults={"name": code})
    specialties = [SpecialtyFactory(name=f"Specialty {index}") for index in range(3)]
    hospitals = [HospitalFactory(country=country) for country in ("DE", "FR", "IT")]
    for index in range(count):
        make_clinician(
            f"Constant Query {prefix} {index:03d}",
            hospital=hospitals[index % 3],
            specialty=specialties[index % 3],
            languages=("de", "fr", "it")[: 1 + index % 3],
            networks=tuple(networks[: 1 + index % 3]),
        )


def _queries_for_page(client: Client, params: dict[str, object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    assert "Constant Query" in response.content.decode()
    return len(queries)


@pytest.mark.parametrize(
    ("params", "few", "many"),
    [
        ({}, 5, 40),
        ({"q": "constant"}, 5, 40),
        ({"language": "fr", "country": "FR"}, 5, 40),
        ({"page": 2}, 30, 80),
    ],
)
def test_queries_per_page_do_not_grow_with_the_number_of_clinicians(
    client_for, requester, params: dict[str, object], few: int, many: int
) -> None:
    client = client_for(requester)
    _populate(few, "a")
    client.get(URL, params)  # warm caches (session, content types) before counting
    with_few = _queries_for_page(client, params)
    _populate(many - few, "b")
    assert _queries_for_page(client, params) == with_few


def test_role_matrix_covers_every_role(db: None) -> None:
    from concilium.directory.permissions import ROLE_ACTIONS

    assert set(ROLE_ACTIONS) == set(Role)


def test_names_and_choices_are_escaped(client_for, requester) -> None:
    specialty = SpecialtyFactory(name="<script>alert(1)</script>")
    make_clinician('Eve "<b>Bold</b>"', hospital=HospitalFactory(country="BE"), specialty=specialty)
    body = client_for(requester).get(URL).content.decode()
    assert "<script>alert(1)</script>" not in body and "<b>Bold</b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
