"""Personal API tokens: the services, the page (own tokens only, secret shown once), the `token` command."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concilium.accounts.models import AccountStatus, ApiToken, TokenScope
from concilium.accounts.services.tokens import (
    MAX_ACTIVE_TOKENS,
    ApiTokenError,
    api_token_create,
    api_token_revoke,
)
from concilium.audit.models import AuditEvent
from tests.conftest import error_codes
from tests.factories import UserFactory

TOKENS = reverse("accounts:tokens")
SECRET = re.compile(r"cnc_[a-z0-9]{12}_[A-Za-z0-9_-]{43}")
EVERY_PERSONA = [
    "requester",
    "outsider",
    "expert",
    "coordinator",
    "helpdesk",
    "data_manager",
    "network_admin",
]


def _me(secret: str):  # type: ignore[no-untyped-def]
    return Client().get("/api/accounts/me", headers={"Authorization": f"Bearer {secret}"})


# --- services ------------------------------------------------------------------------------------


def test_a_new_token_has_a_secret_whose_hash_only_is_stored(requester):
    token, secret = api_token_create(user=requester, name="PACS upload", scopes=["write", "read"])
    assert SECRET.fullmatch(secret)
    assert secret.split("_")[1] == token.key_id
    assert token.key_hash == ApiToken.hash_secret(secret)
    assert token.scopes == ["read", "write"]
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in str(stored)
    assert secret.split("_", 2)[2] not in str(stored)
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.actor_id == requester.pk
    assert secret not in str(event.detail) and event.detail["key_id"] == token.key_id


def test_key_ids_are_unique(requester):
    ids = {api_token_create(user=requester, name=f"t{i}", scopes=["read"])[0].key_id for i in range(10)}
    assert len(ids) == 10


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": "  "}, ApiTokenError.NAME_INVALID),
        ({"name": "bad\x00name"}, ApiTokenError.NAME_INVALID),
        ({"scopes": []}, ApiTokenError.SCOPES_INVALID),
        ({"scopes": ["admin"]}, ApiTokenError.SCOPES_INVALID),
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, ApiTokenError.EXPIRY_INVALID),
        ({"expires_at": timezone.now() + timedelta(days=366)}, ApiTokenError.EXPIRY_INVALID),
    ],
)
def test_invalid_token_requests_are_refused_and_write_nothing(requester, fields, code):
    with pytest.raises(ApiTokenError) as error:
        api_token_create(**{"user": requester, "name": "script", "scopes": ["read"], **fields})
    assert error.value.code == code
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_pending_account_cannot_hold_tokens(db):
    pending = UserFactory(status=AccountStatus.PENDING, is_active=False)
    with pytest.raises(ApiTokenError) as error:
        api_token_create(user=pending, name="script", scopes=["read"])
    assert error.value.code == ApiTokenError.ACCOUNT_INACTIVE


def test_a_person_holds_a_limited_number_of_usable_tokens(requester):
    for i in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=requester, name=f"t{i}", scopes=["read"])
    with pytest.raises(ApiTokenError) as error:
        api_token_create(user=requester, name="one too many", scopes=["read"])
    assert error.value.code == ApiTokenError.TOO_MANY
    api_token_revoke(token=ApiToken.objects.filter(user=requester).first(), actor=requester)
    api_token_create(user=requester, name="replacement", scopes=["read"])


def test_revoking_is_audited_and_happens_once(requester):
    token, _secret = api_token_create(user=requester, name="script", scopes=["read"])
    api_token_revoke(token=token, actor=requester)
    assert token.revoked_at is not None
    with pytest.raises(ApiTokenError) as refused:
        api_token_revoke(token=token, actor=requester)
    assert refused.value.code == "already_revoked"
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).count() == 1


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EVERY_PERSONA)
def test_every_activated_role_has_the_tokens_page(persona, request, client_for):
    response = client_for(request.getfixturevalue(persona)).get(TOKENS)
    assert response.status_code == 200
    assert b"Create a token" in response.content


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(TOKENS)
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_a_user_without_their_second_factor_cannot_reach_the_tokens_page(coordinator):
    client = Client()
    client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(TOKENS)
    assert response.status_code == 302
    assert not response["Location"].startswith(TOKENS)


def test_creating_a_token_shows_its_secret_once(requester, client_for):
    client = client_for(requester)
    response = client.post(TOKENS, {"name": "Nightly export", "scopes": ["read", "fhir"], "lifetime": "30"})
    assert response.status_code == 200
    secret = SECRET.search(response.content.decode()).group(0)
    assert 'data-copy="token-secret"' in response.content.decode()
    token = ApiToken.objects.get(user=requester)
    assert token.scopes == ["read", "fhir"]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert response["Cache-Control"] == "no-store"
    listing = client.get(TOKENS).content.decode()
    assert "Nightly export" in listing
    assert secret not in listing
    assert _me(secret).status_code == 200


def test_a_token_without_expiry_is_allowed(requester, client_for):
    client_for(requester).post(TOKENS, {"name": "Forever", "scopes": ["read"], "lifetime": ""})
    assert ApiToken.objects.get(user=requester).expires_at is None


def test_an_invalid_form_shows_errors_and_creates_nothing(requester, client_for):
    response = client_for(requester).post(TOKENS, {"name": "x\x00y", "scopes": ["root"], "lifetime": "999"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "scopes", "lifetime"}
    assert error_codes(response.context["form"], "name") == ["control_characters"]
    assert error_codes(response.context["form"], "scopes") == ["invalid_choice"]
    assert error_codes(response.context["form"], "lifetime") == ["invalid_choice"]
    assert not ApiToken.objects.exists()


def test_the_page_lists_only_ones_own_tokens_with_their_status(requester, outsider, client_for):
    api_token_create(user=requester, name="Mine active", scopes=["read"])
    revoked, _ = api_token_create(user=requester, name="Mine revoked", scopes=["read"])
    api_token_revoke(token=revoked, actor=requester)
    api_token_create(user=outsider, name="Someone else's", scopes=["read"])
    content = client_for(requester).get(TOKENS).content.decode()
    assert "Mine active" in content and "Mine revoked" in content
    assert "Someone else" not in content
    assert "Revoked" in content and "Active" in content


def test_revoking_ones_own_token_stops_it_working(requester, client_for):
    token, secret = api_token_create(user=requester, name="script", scopes=["read"])
    response = client_for(requester).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _me(secret).status_code == 401


def test_another_persons_token_is_a_404_and_stays_usable(requester, outsider, client_for):
    token, secret = api_token_create(user=outsider, name="theirs", scopes=["read"])
    response = client_for(requester).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _me(secret).status_code == 200


def test_revoking_needs_a_post(requester, client_for):
    token, _ = api_token_create(user=requester, name="script", scopes=["read"])
    assert client_for(requester).get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405


# --- the command ---------------------------------------------------------------------------------


def test_the_command_prints_a_working_token(requester):
    out, err = StringIO(), StringIO()
    call_command(
        "token",
        "create",
        "Requester@Alpha.example",
        "--name",
        "cli",
        "--scope",
        "read",
        "--scope",
        "fhir",
        "--expires-days",
        "7",
        stdout=out,
        stderr=err,
    )
    secret = out.getvalue().strip()
    assert SECRET.fullmatch(secret)
    token = ApiToken.objects.get(user=requester)
    assert (token.name, token.scopes) == ("cli", ["read", "fhir"])
    assert "shown only this once" in err.getvalue()
    assert _me(secret).json()["email"] == requester.email
    assert AuditEvent.objects.get(action="api_token.create").detail["source"] == "cli"


def test_the_command_refuses_unknown_and_inactive_accounts(db):
    UserFactory(email="pending@alpha.example", status=AccountStatus.PENDING, is_active=False)
    with pytest.raises(CommandError, match="No account"):
        call_command("token", "create", "nobody@alpha.example")
    with pytest.raises(CommandError, match="not activated"):
        call_command("token", "create", "pending@alpha.example")
    assert not ApiToken.objects.exists()


def test_the_command_refuses_a_lifetime_over_a_year(requester):
    with pytest.raises(CommandError, match="between 1 and 365"):
        call_command("token", "create", requester.email, "--expires-days", "400")


def test_the_command_exits_with_status_1_and_a_clear_message(tmp_path):
    """Run as an operator would, against a fresh embedded database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY"}
    }
    env.update(
        DEBUG="1", CONCILIUM_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    )
    concilium = [sys.executable, "-m", "concilium"]
    subprocess.run(
        [*concilium, "migrate", "--no-input"], env=env, check=True, capture_output=True, timeout=300
    )
    result = subprocess.run(
        [*concilium, "token", "create", "nobody@example.invalid"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "No account has the address nobody@example.invalid" in result.stderr
    assert result.stdout == ""


def test_the_command_revokes_by_key_id(requester):
    token, secret = api_token_create(user=requester, name="script", scopes=[TokenScope.READ])
    call_command("token", "revoke", token.key_id, stderr=StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _me(secret).status_code == 401
