"""Role changes and suspensions: by network admins only, never on themselves, always audited."""

import pytest
from django.urls import reverse

from concilium.accounts.models import AccountStatus
from concilium.accounts.services.roles import AccountChangeError, user_role_change, user_suspend
from concilium.accounts.services.tokens import api_token_create
from concilium.audit.models import AuditEvent
from concilium.core.roles import Role
from tests.conftest import error_codes
from tests.factories import UserFactory


def test_a_network_admin_changes_a_role_and_the_old_and_new_roles_are_audited(network_admin, requester):
    user_role_change(user=requester, role=Role.EXPERT, actor=network_admin)
    requester.refresh_from_db()
    assert requester.role == Role.EXPERT
    event = AuditEvent.objects.get(action="account.role_changed")
    assert (event.actor_id, event.object_type, event.object_id) == (
        network_admin.pk,
        "accounts.user",
        str(requester.pk),
    )
    assert event.detail == {"old_role": "clinician", "new_role": "expert"}


@pytest.mark.parametrize("persona", ["requester", "expert", "coordinator", "helpdesk", "data_manager"])
def test_other_roles_may_not_change_roles_and_nothing_is_written(persona, request, outsider):
    actor = request.getfixturevalue(persona)
    with pytest.raises(AccountChangeError) as error:
        user_role_change(user=outsider, role=Role.NETWORK_ADMIN, actor=actor)
    assert error.value.code == AccountChangeError.NOT_ALLOWED
    outsider.refresh_from_db()
    assert outsider.role == Role.CLINICIAN
    assert not AuditEvent.objects.exists()


def test_an_admin_cannot_change_their_own_role(network_admin):
    with pytest.raises(AccountChangeError) as error:
        user_role_change(user=network_admin, role=Role.CLINICIAN, actor=network_admin)
    assert error.value.code == AccountChangeError.SELF


def test_an_admin_may_demote_another_admin_but_never_themselves(network_admin):
    other_admin = UserFactory(role=Role.NETWORK_ADMIN)
    user_role_change(user=other_admin, role=Role.HELPDESK, actor=network_admin)
    with pytest.raises(AccountChangeError) as error:
        user_suspend(user=network_admin, actor=network_admin, reason="Leaving")
    assert error.value.code == AccountChangeError.SELF
    network_admin.refresh_from_db()
    assert network_admin.is_active and network_admin.role == Role.NETWORK_ADMIN


def test_an_unknown_or_unchanged_role_is_refused(network_admin, requester):
    for role, code in (
        ("superuser", AccountChangeError.UNKNOWN_ROLE),
        (Role.CLINICIAN, AccountChangeError.SAME_ROLE),
    ):
        with pytest.raises(AccountChangeError) as error:
            user_role_change(user=requester, role=role, actor=network_admin)
        assert error.value.code == code
    assert not AuditEvent.objects.exists()


def test_suspending_an_account_ends_its_sessions_and_tokens_and_is_audited(
    network_admin, requester, client_for
):
    client = client_for(requester)
    _token, secret = api_token_create(user=requester, name="script", scopes=["read"])
    assert client.get(reverse("home:dashboard")).status_code == 200
    user_suspend(user=requester, actor=network_admin, reason="Left the hospital")
    requester.refresh_from_db()
    assert (requester.status, requester.is_active) == (AccountStatus.SUSPENDED, False)
    response = client.get(reverse("home:dashboard"))
    assert response.status_code == 302  # the session is gone
    api = client.get("/api/accounts/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401
    event = AuditEvent.objects.get(action="account.suspended")
    assert event.actor_id == network_admin.pk
    assert event.detail == {"role": "clinician", "reason": "Left the hospital"}


def test_a_suspension_needs_a_reason_and_an_active_account(network_admin, requester):
    with pytest.raises(AccountChangeError) as error:
        user_suspend(user=requester, actor=network_admin, reason="  ")
    assert error.value.code == AccountChangeError.REASON_REQUIRED
    user_suspend(user=requester, actor=network_admin, reason="Duplicate account")
    with pytest.raises(AccountChangeError) as error:
        user_suspend(user=requester, actor=network_admin, reason="again")
    assert error.value.code == AccountChangeError.NOT_ACTIVE
    assert AuditEvent.objects.filter(action="account.suspended").count() == 1


def test_only_network_admins_may_suspend_staff_accounts(helpdesk, network_admin):
    # The helpdesk suspends clinicians' accounts (the administration screens), never a network admin's.
    with pytest.raises(AccountChangeError) as error:
        user_suspend(user=network_admin, actor=helpdesk, reason="Spam")
    assert error.value.code == AccountChangeError.NOT_ALLOWED
    network_admin.refresh_from_db()
    assert network_admin.is_active


@pytest.mark.parametrize("persona", ["expert", "coordinator", "data_manager"])
def test_other_roles_may_not_suspend(persona, request, requester):
    with pytest.raises(AccountChangeError) as error:
        user_suspend(user=requester, actor=request.getfixturevalue(persona), reason="Spam")
    assert error.value.code == AccountChangeError.NOT_ALLOWED
    requester.refresh_from_db()
    assert requester.is_active


# --- the page ------------------------------------------------------------------------------------


def _role_url(user) -> str:  # type: ignore[no-untyped-def]
    return reverse("accounts:user_role", args=[user.pk])


@pytest.mark.parametrize(
    "persona", ["requester", "outsider", "expert", "coordinator", "helpdesk", "data_manager"]
)
def test_only_network_admins_open_the_role_page(persona, request, client_for, requester):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(_role_url(requester)).status_code == 403
    assert client.post(_role_url(requester), {"action": "role", "role": "network_admin"}).status_code == 403
    requester.refresh_from_db()
    assert requester.role == Role.CLINICIAN


def test_an_admin_changes_a_role_from_the_page(network_admin, requester, client_for):
    client = client_for(network_admin)
    assert client.get(_role_url(requester)).status_code == 200
    response = client.post(_role_url(requester), {"action": "role", "role": "coordinator"})
    assert response.status_code == 302
    requester.refresh_from_db()
    assert requester.role == Role.COORDINATOR
    assert AuditEvent.objects.filter(action="account.role_changed", object_id=str(requester.pk)).exists()


def test_an_admin_suspends_from_the_page_and_needs_a_clean_reason(network_admin, requester, client_for):
    client = client_for(network_admin)
    response = client.post(_role_url(requester), {"action": "suspend", "reason": "bad\x00reason"})
    assert response.status_code == 400
    assert error_codes(response.context["suspend_form"], "reason") == ["control_characters"]
    requester.refresh_from_db()
    assert requester.is_active
    response = client.post(_role_url(requester), {"action": "suspend", "reason": "Left the network"})
    assert response.status_code == 302
    requester.refresh_from_db()
    assert requester.status == AccountStatus.SUSPENDED


def test_the_page_refuses_an_admins_own_account_with_a_message(network_admin, client_for):
    client = client_for(network_admin)
    assert b"Ask another network admin" in client.get(_role_url(network_admin)).content
    response = client.post(_role_url(network_admin), {"action": "role", "role": "clinician"})
    assert response.status_code == 400
    # A service refusal: the form carries its message only, without a code.
    assert response.context["role_form"].non_field_errors() == [
        "Ask another network admin to change your own account."
    ]
    network_admin.refresh_from_db()
    assert network_admin.role == Role.NETWORK_ADMIN


def test_an_unknown_account_is_a_404(network_admin, client_for):
    assert client_for(network_admin).get(reverse("accounts:user_role", args=[987654])).status_code == 404
