"""Account care by the helpdesk and network admins: reactivate, reset a second factor, end sessions; each
audited, each refused for the wrong state, for oneself, and (for the helpdesk) on staff accounts."""

import pytest
from django.contrib.auth import SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.accounts.models import AccountStatus, User
from concilium.accounts.services.roles import (
    AccountChangeError,
    user_reactivate,
    user_second_factor_reset,
    user_sessions_end,
    user_suspend,
)
from concilium.audit.models import AuditEvent
from concilium.core.roles import Role
from tests.conftest import verified_client

pytestmark = pytest.mark.django_db


def events(user: User) -> list[tuple[str, int | None, dict[str, object]]]:
    found = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk)).order_by("id")
    return list(found.values_list("action", "actor_id", "detail"))


def test_the_helpdesk_suspends_and_reactivates_a_clinician_both_audited(helpdesk, requester) -> None:
    user_suspend(user=requester, actor=helpdesk, reason="Left the hospital in May.")
    user_reactivate(user=requester, actor=helpdesk)

    requester.refresh_from_db()
    assert (requester.status, requester.is_active) == (AccountStatus.ACTIVE, True)
    assert [(action, actor) for action, actor, _detail in events(requester)] == [
        ("account.suspended", helpdesk.pk),
        ("account.reactivated", helpdesk.pk),
    ]


def test_only_a_suspended_account_can_be_reactivated(network_admin, requester) -> None:
    with pytest.raises(AccountChangeError) as refused:
        user_reactivate(user=requester, actor=network_admin)
    assert refused.value.code == AccountChangeError.NOT_SUSPENDED
    assert events(requester) == []


def test_a_second_factor_reset_removes_the_devices_ends_sessions_and_audits_the_reason(
    helpdesk, coordinator
) -> None:
    client = verified_client(coordinator)
    StaticDevice.objects.create(user=coordinator, name="Backup codes", confirmed=True)

    user_second_factor_reset(
        user=coordinator, actor=helpdesk, reason="Lost phone; identity checked by video call."
    )

    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    client.get("/")
    assert SESSION_KEY not in client.session  # the old session ended
    assert events(coordinator) == [
        (
            "account.second_factor_reset",
            helpdesk.pk,
            {"reason": "Lost phone; identity checked by video call."},
        )
    ]


def test_a_second_factor_reset_needs_a_reason_and_a_device(helpdesk, requester) -> None:
    TOTPDevice.objects.create(user=requester, name="phone", confirmed=True)
    with pytest.raises(AccountChangeError) as no_reason:
        user_second_factor_reset(user=requester, actor=helpdesk, reason="  ")
    assert (no_reason.value.code, no_reason.value.field) == (AccountChangeError.REASON_REQUIRED, "reason")
    TOTPDevice.objects.filter(user=requester).delete()
    with pytest.raises(AccountChangeError) as nothing:
        user_second_factor_reset(user=requester, actor=helpdesk, reason="Lost phone.")
    assert nothing.value.code == AccountChangeError.NO_SECOND_FACTOR
    assert events(requester) == []


def test_ending_someones_sessions_signs_them_out_and_is_audited(network_admin, expert) -> None:
    client = verified_client(expert)
    user_sessions_end(user=expert, actor=network_admin)
    client.get("/")
    assert SESSION_KEY not in client.session
    assert events(expert) == [("account.sessions_ended", network_admin.pk, {})]


@pytest.mark.parametrize("role", [Role.HELPDESK, Role.NETWORK_ADMIN])
def test_the_helpdesk_does_not_act_on_staff_accounts(helpdesk, home_hospital, role) -> None:
    staff = User.objects.create_user(
        f"other-{role}@concilium.example",
        "x",
        full_name="Sam Staff",
        role=role,
        status="active",
        is_active=True,
    )
    for change in (
        lambda: user_suspend(user=staff, actor=helpdesk, reason="No."),
        lambda: user_sessions_end(user=staff, actor=helpdesk),
        lambda: user_second_factor_reset(user=staff, actor=helpdesk, reason="No."),
    ):
        with pytest.raises(AccountChangeError) as refused:
            change()
        assert refused.value.code == AccountChangeError.NOT_ALLOWED
    assert events(staff) == []


def test_a_network_admin_may_act_on_the_helpdesks_account(network_admin, helpdesk) -> None:
    user_sessions_end(user=helpdesk, actor=network_admin)
    assert events(helpdesk) == [("account.sessions_ended", network_admin.pk, {})]


def test_nobody_changes_their_own_access_here(network_admin) -> None:
    with pytest.raises(AccountChangeError) as refused:
        user_sessions_end(user=network_admin, actor=network_admin)
    assert refused.value.code == AccountChangeError.SELF


@pytest.mark.parametrize("persona", ["requester", "expert", "coordinator", "data_manager"])
def test_other_roles_may_not_touch_accounts(request, persona, outsider) -> None:
    actor = request.getfixturevalue(persona)
    with pytest.raises(AccountChangeError) as refused:
        user_sessions_end(user=outsider, actor=actor)
    assert refused.value.code == AccountChangeError.NOT_ALLOWED
