"""The language a person reads Concilium in: a profile setting, taken from the browser until they choose,
followed by their pages after sign-in and by every email and in-app notice written to them."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from concilium.accounts.services.preferences import (
    PreferenceError,
    user_language_default,
    user_language_set,
)
from concilium.audit.models import AuditEvent
from tests.factories import UserFactory

LOGIN = reverse("accounts:login")
SECURITY = reverse("accounts:security")
LANGUAGE = reverse("accounts:language")
SWITCH = reverse("set_language")
PASSWORD = "a-long-enough-password-1"


@pytest.fixture
def newcomer(home_hospital):  # type: ignore[no-untyped-def]
    """A clinician who never chose a language (an account made by an administrator, not registered)."""
    user = UserFactory(
        email="nora@alpha.example", full_name="Nora Newcomer", hospital=home_hospital, language=""
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def requester(requester):  # type: ignore[no-untyped-def]
    """The requester, who chose English."""
    requester.language = "en"
    requester.save(update_fields=["language"])
    return requester


def _sign_in(client: Client, email: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": email, "password": PASSWORD}, **headers)


def test_the_first_sign_in_takes_the_browsers_language(newcomer):
    client = Client()
    response = _sign_in(client, newcomer.email, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.language == "de"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    event = AuditEvent.objects.get(action="account.language_changed", object_id=str(newcomer.pk))
    assert event.detail == {"old": "", "new": "de", "source": "browser"}


def test_a_chosen_language_is_kept_at_sign_in_and_the_pages_follow_it(newcomer):
    newcomer.language = "fr"
    newcomer.save()
    client = Client()
    response = _sign_in(client, newcomer.email, HTTP_ACCEPT_LANGUAGE="de")
    newcomer.refresh_from_db()
    assert newcomer.language == "fr"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    page = client.get(SECURITY, HTTP_ACCEPT_LANGUAGE="de")
    assert page.context["LANGUAGE_CODE"] == "fr"
    assert '<html lang="fr"' in page.content.decode()


def test_a_browser_language_the_site_does_not_offer_leaves_the_choice_open(newcomer):
    _sign_in(Client(), newcomer.email, HTTP_ACCEPT_LANGUAGE="pl")
    newcomer.refresh_from_db()
    assert newcomer.language in {"", settings.LANGUAGE_CODE}  # English pages, nothing chosen for them


def test_the_security_page_shows_and_saves_the_language(client_for, requester):
    client = client_for(requester)
    page = client.get(SECURITY)
    assert page.context["language_form"]["language"].value() == "en"
    assert 'action="/accounts/security/language/"' in page.content.decode()
    response = client.post(LANGUAGE, {"language": "de"})
    assert response.status_code == 302
    assert response["Location"] == SECURITY
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    requester.refresh_from_db()
    assert requester.language == "de"
    event = AuditEvent.objects.get(action="account.language_changed", actor_id=requester.pk)
    assert event.detail == {"old": "en", "new": "de", "source": "chosen"}
    assert client.get(SECURITY).context["LANGUAGE_CODE"] == "de"


def test_an_unknown_language_is_a_field_error(client_for, requester):
    response = client_for(requester).post(LANGUAGE, {"language": "xx"})
    assert response.status_code == 400
    assert response.context["language_form"].errors["language"] == ["Choose one of the listed languages."]
    requester.refresh_from_db()
    assert requester.language == "en"


def test_the_service_refuses_another_persons_language_and_unknown_codes(requester, outsider):
    with pytest.raises(PreferenceError) as error:
        user_language_set(user=outsider, language="de", actor=requester)
    assert error.value.code == PreferenceError.NOT_ALLOWED
    with pytest.raises(PreferenceError) as error:
        user_language_set(user=requester, language="de-at", actor=requester)
    assert error.value.code == PreferenceError.UNKNOWN_LANGUAGE
    assert error.value.field == "language"


def test_a_default_never_overrides_a_choice(requester):
    user_language_default(user=requester, language="fr")
    requester.refresh_from_db()
    assert requester.language == "en"


def test_only_a_signed_in_user_saves_a_language(client):
    response = client.post(LANGUAGE, {"language": "de"})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_the_header_selector_saves_a_signed_in_users_choice(client_for, requester):
    client = client_for(requester)
    response = client.post(SWITCH, {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    requester.refresh_from_db()
    assert requester.language == "fr"


def test_the_header_selector_works_for_visitors_without_saving_anything(client, db):
    response = client.post(SWITCH, {"language": "de", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert not AuditEvent.objects.filter(action="account.language_changed").exists()
