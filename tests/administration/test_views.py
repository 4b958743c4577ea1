"""The administration pages: what each shows, their forms' field errors (400, never a 500), confirmations
before access changes, and 404 for what lies outside the visitor's reach."""

from datetime import time

import pytest
from django.urls import reverse

from concilium.accounts.models import AccountStatus
from concilium.audit.models import AuditEvent
from concilium.directory.models import Hospital, Network
from concilium.scheduling.models import ExpertGroup, GroupMembership
from tests.conftest import verified_client
from tests.factories import ExpertGroupFactory, GroupMembershipFactory, HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db

RULE = {
    "weekday": "3",
    "local_time": "14:00",
    "time_zone": "Europe/Brussels",
    "slot_count": "6",
    "slot_minutes": "20",
}


def field_errors(response, form: str = "form") -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {name: list(errors) for name, errors in response.context[form].errors.items()}


# --- users -------------------------------------------------------------------------------------------------


def test_the_user_list_finds_people_by_name_or_address_with_their_groups(helpdesk, expert, own_group) -> None:
    GroupMembershipFactory(group=own_group, user=expert, role="coordinator")
    UserFactory(full_name="Zoe Zebra", email="zoe@beta.example")
    client = verified_client(helpdesk)

    page = client.get(reverse("administration:users"), {"q": "erin"})
    assert [row["user"] for row in page.context["rows"]] == [expert]
    html = page.content.decode()
    assert "Brain Tumour Expert Group" in html and "Expert" in html
    by_address = client.get(reverse("administration:users"), {"q": "beta.example"})
    assert "Zoe Zebra" in by_address.content.decode()


def test_the_user_list_filters_by_status(helpdesk, requester) -> None:
    UserFactory(full_name="Sid Suspended", status=AccountStatus.SUSPENDED, is_active=False)
    rows = (
        verified_client(helpdesk)
        .get(reverse("administration:users"), {"status": "suspended"})
        .context["rows"]
    )
    assert [row["user"].full_name for row in rows] == ["Sid Suspended"]


def test_deactivating_asks_for_confirmation_and_a_reason_then_is_audited(helpdesk, requester) -> None:
    client = verified_client(helpdesk)
    url = reverse("administration:user_suspend", args=[requester.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Deactivate the account" in confirm.content.decode()
    requester.refresh_from_db()
    assert requester.is_active  # a GET changes nothing

    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 400
    assert "reason" in field_errors(missing)

    done = client.post(url, {"reason": "Left the hospital."})
    assert done["Location"] == reverse("administration:user_detail", args=[requester.pk])
    requester.refresh_from_db()
    assert requester.status == AccountStatus.SUSPENDED
    assert AuditEvent.objects.filter(action="account.suspended", actor_id=helpdesk.pk).exists()


def test_reactivating_a_suspended_account(network_admin) -> None:
    suspended = UserFactory(status=AccountStatus.SUSPENDED, is_active=False)
    client = verified_client(network_admin)
    url = reverse("administration:user_reactivate", args=[suspended.pk])
    assert client.get(url).status_code == 200
    client.post(url)
    suspended.refresh_from_db()
    assert suspended.is_active


def test_reactivating_an_active_account_says_why_not(network_admin, requester) -> None:
    client = verified_client(network_admin)
    response = client.post(reverse("administration:user_reactivate", args=[requester.pk]), follow=True)
    assert "Only a suspended account can be reactivated." in response.content.decode()


def test_a_second_factor_reset_through_the_page_records_the_reason(helpdesk, coordinator) -> None:
    verified_client(coordinator)  # gives the coordinator an authenticator
    client = verified_client(helpdesk)
    detail = client.get(reverse("administration:user_detail", args=[coordinator.pk])).content.decode()
    assert "Reset the second factor" in detail
    client.post(
        reverse("administration:user_second_factor_reset", args=[coordinator.pk]),
        {"reason": "Lost phone, identity checked by video call."},
    )
    event = AuditEvent.objects.get(action="account.second_factor_reset")
    assert event.detail == {"reason": "Lost phone, identity checked by video call."}


def test_the_helpdesk_sees_a_network_admins_account_but_may_not_change_it(helpdesk, network_admin) -> None:
    client = verified_client(helpdesk)
    detail = client.get(reverse("administration:user_detail", args=[network_admin.pk]))
    assert detail.status_code == 200
    assert "Deactivate the account" not in detail.content.decode()
    assert client.get(reverse("administration:user_suspend", args=[network_admin.pk])).status_code == 403
    assert (
        client.post(reverse("administration:user_sessions_end", args=[network_admin.pk])).status_code == 403
    )


def test_a_clinician_gets_404_for_an_account_page(requester, outsider) -> None:
    client = verified_client(requester)
    assert client.get(reverse("administration:user_detail", args=[outsider.pk])).status_code == 404
    assert client.post(reverse("administration:user_sessions_end", args=[outsider.pk])).status_code == 404


# --- hospitals and networks --------------------------------------------------------------------------------


def test_adding_a_hospital_then_it_is_listed(helpdesk, own_network) -> None:
    client = verified_client(helpdesk)
    response = client.post(
        reverse("administration:hospital_new"),
        {"name": "Ospedale Maggiore", "city": "Milano", "country": "IT", "networks": [own_network.pk]},
    )
    assert response["Location"] == reverse("administration:hospitals")
    hospital = Hospital.objects.get(name="Ospedale Maggiore")
    assert (hospital.country, hospital.is_reference_centre) == ("IT", False)
    listing = client.get(reverse("administration:hospitals"), {"q": "maggiore"}).content.decode()
    assert "Ospedale Maggiore" in listing and "ERN PaedCan" in listing


def test_a_duplicate_hospital_is_a_field_error(helpdesk) -> None:
    HospitalFactory(name="Ospedale Maggiore", country="IT")
    response = verified_client(helpdesk).post(
        reverse("administration:hospital_new"), {"name": "Ospedale Maggiore", "country": "IT"}
    )
    assert response.status_code == 400
    assert field_errors(response) == {"name": ["A hospital of this name is already listed in this country."]}


def test_editing_a_hospital_shows_its_values(network_admin, home_hospital) -> None:
    client = verified_client(network_admin)
    url = reverse("administration:hospital_edit", args=[home_hospital.pk])
    assert client.get(url).context["form"].initial["name"] == "Hôpital Universitaire Alpha"
    client.post(url, {"name": "Hôpital Universitaire Alpha", "city": "Lyon", "country": "FR"})
    home_hospital.refresh_from_db()
    assert home_hospital.is_reference_centre is False


def test_a_network_admin_adds_a_network_and_sees_only_their_own(
    network_admin, own_network, foreign_network
) -> None:
    client = verified_client(network_admin)
    client.post(
        reverse("administration:network_new"), {"code": "ern-bond", "name": "ERN BOND", "kind": "ern"}
    )
    networks = list(client.get(reverse("administration:networks")).context["networks"])
    assert [network.code for network in networks] == ["ern-bond", "ern-paedcan"]
    assert client.get(reverse("administration:network_edit", args=[foreign_network.pk])).status_code == 404


def test_a_taken_network_code_is_a_field_error(network_admin, own_network) -> None:
    response = verified_client(network_admin).post(
        reverse("administration:network_new"), {"code": "ern-paedcan", "name": "Again", "kind": "ern"}
    )
    assert response.status_code == 400
    assert field_errors(response) == {"code": ["Another network has this code."]}
    assert Network.objects.count() == 1


# --- expert groups -----------------------------------------------------------------------------------------


def test_the_group_list_shows_the_groups_of_ones_networks_only(
    network_admin, own_group, foreign_group
) -> None:
    groups = list(verified_client(network_admin).get(reverse("administration:groups")).context["groups"])
    assert groups == [own_group]


def test_adding_a_group_offers_only_ones_networks(network_admin, own_network, foreign_network) -> None:
    client = verified_client(network_admin)
    form = client.get(reverse("administration:group_new")).context["form"]
    assert list(form.fields["network"].queryset) == [own_network]
    refused = client.post(
        reverse("administration:group_new"), {"network": foreign_network.pk, "name": "Mine"}
    )
    assert refused.status_code == 400
    assert "network" in field_errors(refused)
    added = client.post(
        reverse("administration:group_new"), {"network": own_network.pk, "name": "Bone group"}
    )
    group = ExpertGroup.objects.get(name="Bone group")
    assert added["Location"] == reverse("administration:group_detail", args=[group.pk])


def test_the_weekly_rule_is_saved_and_its_next_meetings_shown(network_admin, own_group) -> None:
    client = verified_client(network_admin)
    response = client.post(reverse("administration:group_rule", args=[own_group.pk]), RULE)
    assert response.status_code == 302
    own_group.refresh_from_db()
    assert (own_group.weekday, own_group.local_time, own_group.slot_count) == (3, time(14), 6)
    page = client.get(reverse("administration:group_detail", args=[own_group.pk]))
    assert len(page.context["next_meetings"]) == 3
    assert "Every Thursday at 14:00 (Europe/Brussels): 6 slots of 20 minutes" in page.content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weekday": "9"}, "weekday"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"slot_minutes": "4"}, "slot_minutes"),
        ({"slot_minutes": "twenty"}, "slot_minutes"),
        ({"slot_count": "99"}, "slot_count"),
        ({"local_time": "25:61"}, "local_time"),
        ({"weekday": ""}, "weekday"),
        ({"local_time": ""}, "local_time"),
    ],
)
def test_a_bad_weekly_rule_is_a_field_error_never_a_500(network_admin, own_group, change, field) -> None:
    response = verified_client(network_admin).post(
        reverse("administration:group_rule", args=[own_group.pk]), {**RULE, **change}
    )
    assert response.status_code == 400
    assert list(field_errors(response, "rule_form")) == [field]
    assert 'aria-invalid="true"' in response.content.decode()
    own_group.refresh_from_db()
    assert own_group.slot_count == 0


def test_members_are_added_by_address_re_roled_and_removed(network_admin, own_group, expert) -> None:
    client = verified_client(network_admin)
    client.post(
        reverse("administration:group_member_add", args=[own_group.pk]),
        {"email": "Expert@Alpha.example", "role": "member"},
    )
    membership = GroupMembership.objects.get(group=own_group, user=expert)
    client.post(
        reverse("administration:group_member_role", args=[own_group.pk, membership.pk]),
        {f"m{membership.pk}-role": "coordinator"},
    )
    membership.refresh_from_db()
    assert membership.role == "coordinator"
    client.post(reverse("administration:group_member_remove", args=[own_group.pk, membership.pk]))
    assert not GroupMembership.objects.exists()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@alpha.example", "No active account signs in with this address."),
        (
            "helpdesk@concilium.example",
            "Only active clinicians, experts and coordinators can join an expert group.",
        ),
        ("not an address", "Enter a valid email address."),
    ],
)
def test_adding_someone_who_cannot_join_is_a_field_error(
    network_admin, helpdesk, own_group, email, message
) -> None:
    response = verified_client(network_admin).post(
        reverse("administration:group_member_add", args=[own_group.pk]), {"email": email, "role": "member"}
    )
    assert response.status_code == 400
    assert field_errors(response, "member_form") == {"email": [message]}


def test_another_networks_group_is_a_404_on_every_page(network_admin, foreign_group, expert) -> None:
    client = verified_client(network_admin)
    membership = GroupMembershipFactory(group=foreign_group, user=expert)
    for name, args in [
        ("group_detail", [foreign_group.pk]),
        ("group_rule", [foreign_group.pk]),
        ("group_member_add", [foreign_group.pk]),
        ("group_member_role", [foreign_group.pk, membership.pk]),
        ("group_member_remove", [foreign_group.pk, membership.pk]),
    ]:
        assert client.post(reverse(f"administration:{name}", args=args), RULE).status_code == 404, name
    assert GroupMembership.objects.filter(pk=membership.pk).exists()


def test_a_membership_of_another_group_is_a_404_through_ones_own(
    network_admin, own_group, own_network, expert
) -> None:
    other = ExpertGroupFactory(network=own_network, slug="other")
    membership = GroupMembershipFactory(group=other, user=expert)
    response = verified_client(network_admin).post(
        reverse("administration:group_member_remove", args=[own_group.pk, membership.pk])
    )
    assert response.status_code == 404


def test_the_navigation_offers_the_screens_to_the_roles_that_may_open_them(
    network_admin, helpdesk, coordinator
) -> None:
    def menu(user):  # type: ignore[no-untyped-def]
        response = verified_client(user).get(reverse("home:dashboard"))
        return response.content.decode()

    admin_menu, desk_menu, coordinator_menu = menu(network_admin), menu(helpdesk), menu(coordinator)
    for url in ("users", "hospitals", "networks", "groups"):
        assert reverse(f"administration:{url}") in admin_menu
    assert reverse("administration:users") in desk_menu and reverse("administration:hospitals") in desk_menu
    assert reverse("administration:groups") not in desk_menu
    assert "/administration/" not in coordinator_menu


def test_the_user_list_is_paged_by_name_without_counting(helpdesk) -> None:
    for n in range(30):
        UserFactory(full_name=f"Paged Person {n:02d}", email=f"paged{n:02d}@gamma.example")
    client = verified_client(helpdesk)
    first = client.get(reverse("administration:users"), {"q": "paged"})
    second = client.get(reverse("administration:users"), {"q": "paged", "page": "2"})
    assert [row["user"].full_name for row in first.context["rows"]][:2] == [
        "Paged Person 00",
        "Paged Person 01",
    ]
    assert len(first.context["rows"]) == 25 and first.context["page_obj"].has_next
    assert [row["user"].full_name for row in second.context["rows"]] == [
        f"Paged Person {n}" for n in range(25, 30)
    ]
    assert 'rel="next"' in first.content.decode()
