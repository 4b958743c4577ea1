"""Public clinician registration: the form, its validation, and what a request writes."""

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from concilium.accounts.models import AccountStatus, RegistrationRequest, User
from concilium.audit.models import AuditEvent
from concilium.core.roles import Role
from concilium.directory.models import Language
from concilium.helpdesk.services import registration_activate, registration_reject
from concilium.notifications.models import Notification
from tests.conftest import error_codes
from tests.factories import HospitalFactory, SpecialtyFactory, UserFactory
from tests.helpdesk.registration_support import NEW_PASSWORD, registration_data

pytestmark = pytest.mark.django_db

REGISTER = "/accounts/register/"


@pytest.fixture
def specialty():
    return SpecialtyFactory(name="Paediatric neuro-oncology")


@pytest.fixture
def languages() -> list[Language]:
    return list(Language.objects.filter(code__in=["en", "fr"]))


@pytest.fixture
def valid(home_hospital, specialty, languages):
    """A valid submission for the French hospital `home_hospital`; call with overrides."""

    def build(**overrides: object) -> dict:
        return registration_data(home_hospital, specialty, languages, **overrides)

    return build


def _counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        RegistrationRequest.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_registration_page_is_public_and_shows_the_factsheet_and_privacy_statement(client, home_hospital):
    response = client.get(reverse("helpdesk:register"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "What Concilium is" in html
    assert "Article 6(1)(e)" in html and "9(2)(h)" in html and "2018/1725" in html
    assert settings.OPERATOR_NAME in html
    assert 'name="acknowledge"' in html
    # hospitals are grouped by country
    assert '<optgroup label="France">' in html
    assert home_hospital.name in html


def test_registration_creates_a_pending_account_and_request_and_notifies_the_helpdesk(
    client, valid, home_hospital, specialty, languages, helpdesk, network_admin
):
    other_helpdesk = UserFactory(role=Role.HELPDESK, email="second.helpdesk@concilium.example")
    UserFactory(
        role=Role.HELPDESK, email="former@concilium.example", status=AccountStatus.SUSPENDED, is_active=False
    )

    response = client.post(REGISTER, valid())

    assert response.status_code == 302
    assert response["Location"] == reverse("helpdesk:register_done")
    user = User.objects.get(email="nora.newcomer@alpha.example")
    assert (user.status, user.is_active, user.role) == (AccountStatus.PENDING, False, Role.CLINICIAN)
    assert user.full_name == "Dr Nora Newcomer"
    assert user.hospital == home_hospital
    assert user.language == "en"
    assert user.check_password(NEW_PASSWORD)
    registration = user.registration
    assert registration.decision == RegistrationRequest.Decision.PENDING
    assert (registration.hospital, registration.specialty, registration.country) == (
        home_hospital,
        specialty,
        "FR",
    )
    assert set(registration.languages.all()) == set(languages)
    assert registration.professional_role == "Consultant paediatric oncologist"
    assert registration.acknowledged_privacy_at is not None

    # every active helpdesk member, in-app and by email; nobody else (not the applicant, not admins)
    notified = Notification.objects.all()
    assert {(n.recipient_id, n.channel) for n in notified} == {
        (helpdesk.pk, Notification.Channel.EMAIL),
        (helpdesk.pk, Notification.Channel.IN_APP),
        (other_helpdesk.pk, Notification.Channel.EMAIL),
        (other_helpdesk.pk, Notification.Channel.IN_APP),
    }
    for notification in notified:
        assert notification.kind == "registration_received"
        assert notification.link == reverse("helpdesk:activation_queue")
        assert "Newcomer" not in notification.subject + notification.body
        assert "nora.newcomer" not in notification.subject + notification.body
        assert home_hospital.name not in notification.body
    event = AuditEvent.objects.get(action="registration.submit")
    assert event.object_id == str(registration.pk)
    assert "nora" not in str(event.detail)


def test_the_confirmation_page_explains_the_24_hour_target(client):
    response = client.get(reverse("helpdesk:register_done"))
    assert response.status_code == 200
    assert "24 hours" in response.content.decode()


def test_registration_stores_the_language_the_page_was_read_in(client, valid):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    response = client.post(REGISTER, valid())
    assert response.status_code == 302
    assert User.objects.get(email="nora.newcomer@alpha.example").language == "de"


@pytest.mark.parametrize(
    ("overrides", "field", "codes"),
    [
        ({"full_name": None}, "full_name", ["required"]),
        ({"email": "not-an-address"}, "email", ["invalid"]),
        ({"hospital": None}, "hospital", ["required"]),
        ({"hospital": "999999"}, "hospital", ["invalid_choice"]),
        ({"hospital": "abc"}, "hospital", ["invalid_choice"]),
        ({"specialty": None}, "specialty", ["required"]),
        ({"specialty": "999999"}, "specialty", ["invalid_choice"]),
        ({"country": None}, "country", ["required"]),
        ({"country": "US"}, "country", ["invalid_choice"]),
        ({"languages": None}, "languages", ["required"]),
        ({"languages": ["xx"]}, "languages", ["invalid_choice"]),
        ({"professional_role": None}, "professional_role", ["required"]),
        ({"reason": "   "}, "reason", ["required"]),
        ({"reason": "x" * 2001}, "reason", ["max_length"]),
        ({"password2": "Another-Harbour-Lantern-43"}, "password2", ["password_mismatch"]),
        ({"password1": "short", "password2": "short"}, "password1", ["password_too_short"]),
        (
            {"password1": "123456789012345", "password2": "123456789012345"},
            "password1",
            ["password_entirely_numeric"],
        ),
        ({"acknowledge": None}, "acknowledge", ["required"]),
        ({"full_name": "Dr Nora\x00Newcomer"}, "full_name", ["control_characters"]),
        ({"professional_role": "Consultant\x1b[31m"}, "professional_role", ["control_characters"]),
        ({"reason": "Tumour board\x07 request"}, "reason", ["control_characters"]),
        ({"full_name": "Dr Nora\nNewcomer"}, "full_name", ["control_characters"]),
        # the NUL breaks the address too
        ({"email": "nora\x00@alpha.example"}, "email", ["invalid", "control_characters"]),
        # a choice field: Django's own NUL check answers before the text rule
        ({"languages": ["en\x00"]}, "languages", ["null_characters_not_allowed"]),
    ],
)
def test_invalid_registration_shows_a_field_error_and_writes_nothing(
    client, valid, helpdesk, overrides, field, codes
):
    before = _counts()

    response = client.post(REGISTER, valid(**overrides))

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {field}
    assert error_codes(response.context["form"], field) == codes
    assert _counts() == before


def test_an_empty_submission_lists_every_required_field_and_writes_nothing(client, helpdesk):
    before = _counts()
    response = client.post(REGISTER, {})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {
        "full_name",
        "email",
        "country",
        "hospital",
        "specialty",
        "languages",
        "professional_role",
        "reason",
        "password1",
        "password2",
        "acknowledge",
    }
    assert _counts() == before


def test_a_hospital_in_another_country_than_the_one_chosen_is_a_country_error(client, valid, other_hospital):
    before = _counts()

    response = client.post(REGISTER, valid(country="FR", hospital=str(other_hospital.pk)))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["country"]
    assert errors.as_data()["country"][0].code == "country_mismatch"
    assert "Germany" in str(errors["country"])
    assert _counts() == before


def test_the_country_list_offers_eu_and_eea_countries(client, db):
    form = client.get(REGISTER).context["form"]
    codes = {code for code, _label in form.fields["country"].choices if code}
    assert {"FR", "DE", "AT", "NO", "IS", "LI"} <= codes
    assert "US" not in codes


def test_a_hospital_outside_the_eu_listed_in_the_directory_can_be_chosen_with_its_country(
    client, specialty, languages
):
    geneva = HospitalFactory(name="Hôpitaux Universitaires de Genève", country="CH", city="Genève")
    response = client.post(REGISTER, registration_data(geneva, specialty, languages))
    assert response.status_code == 302
    assert RegistrationRequest.objects.get().country == "CH"


def test_a_reason_may_span_several_lines(client, valid):
    response = client.post(REGISTER, valid(reason="First line.\r\nSecond line.\tIndented."))
    assert response.status_code == 302
    assert RegistrationRequest.objects.get().reason == "First line.\r\nSecond line.\tIndented."


def test_a_known_address_gets_the_same_answer_and_its_owner_an_email(client, valid, requester, helpdesk):
    before_users = User.objects.count()

    fresh = Client().post(REGISTER, valid(email="someone.new@alpha.example"))
    response = client.post(REGISTER, valid(email="  Requester@Alpha.example "))

    assert response.status_code == fresh.status_code == 302
    assert response["Location"] == fresh["Location"]
    assert User.objects.count() == before_users + 1  # only the fresh one
    assert not RegistrationRequest.objects.filter(user=requester).exists()
    requester.refresh_from_db()
    assert requester.check_password("correct horse battery staple")  # untouched
    to_owner = Notification.objects.get(recipient=requester)
    assert to_owner.kind == "registration_duplicate"
    assert to_owner.channel == Notification.Channel.EMAIL
    # the helpdesk heard about the fresh request only
    assert Notification.objects.filter(recipient=helpdesk, channel=Notification.Channel.EMAIL).count() == 1


def test_repeated_registrations_of_a_known_address_email_its_owner_once_an_hour(client, valid, requester):
    for _attempt in range(3):
        client.post(REGISTER, valid(email=requester.email))
    assert Notification.objects.filter(recipient=requester, kind="registration_duplicate").count() == 1


def test_a_pending_applicant_registering_again_is_told_the_request_is_still_waiting(client, valid):
    client.post(REGISTER, valid())
    client.post(REGISTER, valid())
    applicant = User.objects.get(email="nora.newcomer@alpha.example")
    assert RegistrationRequest.objects.count() == 1
    notice = Notification.objects.get(recipient=applicant, kind="registration_duplicate")
    assert "still waiting" in notice.body


def test_a_signed_in_user_is_sent_to_the_dashboard(client_for, requester):
    response = client_for(requester).get(REGISTER)
    assert response.status_code == 302
    assert response["Location"] == reverse("home:dashboard")


def test_a_pending_applicant_cannot_sign_in(client, valid):
    client.post(REGISTER, valid())
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="nora.newcomer@alpha.example", password=NEW_PASSWORD) is None
    assert not Client().login(request=request, username="nora.newcomer@alpha.example", password=NEW_PASSWORD)
    # nor reach any page, even with a forced session
    user = User.objects.get(email="nora.newcomer@alpha.example")
    forced = Client()
    forced.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = forced.get(reverse("home:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("decision", ["pending", "rejected"])
def test_the_sign_in_page_refuses_pending_and_rejected_applicants(client, valid, helpdesk, decision):
    login_url = reverse(settings.LOGIN_URL)
    client.post(REGISTER, valid())
    applicant = User.objects.get(email="nora.newcomer@alpha.example")
    if decision == "rejected":
        registration_reject(
            request_obj=applicant.registration, actor=helpdesk, reason="Not a hospital address."
        )

    response = Client().post(login_url, {"username": applicant.email, "password": NEW_PASSWORD})

    assert "_auth_user_id" not in response.wsgi_request.session
    assert not response.wsgi_request.user.is_authenticated
    assert response.status_code == 400
    # The sign-in refusals carry their message only, without a code.
    assert response.context["form"].non_field_errors() == [
        "Your account is awaiting activation by the helpdesk. We will email you once it is active."
        if decision == "pending"
        else f"Your account is not activated. Contact the helpdesk at {settings.HELPDESK_EMAIL}."
    ]


def test_once_activated_the_applicant_signs_in_on_the_same_page(client, valid, helpdesk):
    """The control for the refusal above: the same sign-in works after activation."""
    client.post(REGISTER, valid())
    applicant = User.objects.get(email="nora.newcomer@alpha.example")
    registration_activate(request_obj=applicant.registration, actor=helpdesk)

    response = Client().post(
        reverse(settings.LOGIN_URL), {"username": applicant.email, "password": NEW_PASSWORD}
    )

    assert response.wsgi_request.session.get("_auth_user_id") == str(applicant.pk)
