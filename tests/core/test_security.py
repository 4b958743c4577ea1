"""The security baseline: headers, HSTS and the deploy check, CSRF, deny by default, hostile form text."""

import base64
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from uuid import uuid4

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from concilium.accounts.models import AccountStatus, ApiToken
from tests.conftest import error_codes
from tests.factories import UserFactory


def _login_url() -> str:
    return reverse(settings.LOGIN_URL)


#: The short public allow-list: everything else needs an activated, fully authenticated user.
PUBLIC_NAMES = {
    "accounts:login",
    "accounts:logout",
    "accounts:logged_out",
    "helpdesk:register",
    "helpdesk:register_done",
    "home:about",
    "home:privacy",
    "core:healthz",
    "set_language",
}
PUBLIC_PREFIXES = ("accounts:password_reset", "oidc_")
#: API routes that are not operations: the docs (signed-in users only) and ninja's root (always 404).
API_NON_OPERATIONS = {"api:openapi-json": 302, "api:openapi-view": 302, "api:api-root": 404}

_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid4())}


#: What a public page answers an anonymous GET, where it is not the page itself (200).
PUBLIC_GET_STATUS = {
    "accounts:logout": 405,  # POST only
    "oidc_logout": 405,  # POST only
    "oidc_authentication_init": 404,  # single sign-on is off in this configuration
    "oidc_authentication_callback": 404,
    "set_language": 302,  # back to where the visitor was
}


def _api_methods(pattern) -> set[str]:  # type: ignore[no-untyped-def]
    """The HTTP methods of a JSON API route (its django-ninja path view holds the operations)."""
    (cell,) = pattern.callback.__closure__
    return {method for operation in cell.cell_contents.operations for method in operation.methods}


def _assert_api_refuses(client: Client, path: str, pattern) -> None:  # type: ignore[no-untyped-def]
    """An API route answers 401 to a visitor who is not fully signed in: to GET, or, for a route that takes
    no GET, to its method after a 405 naming it."""
    response = client.get(path)
    if "GET" not in _api_methods(pattern):
        assert response.status_code == 405, path
        response = client.post(path)
    assert response.status_code == 401, path
    assert response["Content-Type"] == "application/problem+json"


def _is_public(name: str) -> bool:
    return name in PUBLIC_NAMES or name.startswith(PUBLIC_PREFIXES)


def _routes(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "/", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    """Every URL pattern of the project as (sample path, namespaced name, pattern)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        assert not route.startswith("^"), (
            f"regex URL pattern {route!r}: teach this test to build a sample path"
        )
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _routes(entry.url_patterns, prefix + route, inner)
        else:
            path = _CONVERTER.sub(lambda m: _SAMPLES.get(m["converter"] or "str", "x"), prefix + route)
            yield path, namespace + (entry.name or ""), entry


ROUTES = sorted(_routes(), key=lambda item: item[0])


def _ids() -> list[str]:
    return [name or path for path, name, _ in ROUTES]


# --- headers -------------------------------------------------------------------------------------


def _assert_security_headers(response) -> None:  # type: ignore[no-untyped-def]
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]


def test_public_pages_carry_the_security_headers(client, db):
    response = client.get(reverse("home:about"))
    assert response.status_code == 200
    _assert_security_headers(response)


def test_private_pages_carry_the_security_headers_and_are_not_cached(requester, client_for):
    response = client_for(requester).get(reverse("home:dashboard"))
    assert response.status_code == 200
    _assert_security_headers(response)
    assert response["Cache-Control"] == "no-store"


def test_api_responses_carry_the_security_headers(client, db):
    _assert_security_headers(client.get("/api/accounts/me"))


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_hsts_is_sent_over_https_in_production(db):
    response = Client().get(reverse("home:about"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


#: What a production start inherits from this machine; none of the test suite's settings or relaxations.
_INHERITED = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DATABASE_URL"}


def _production_env(tmp_path, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The environment of a production start: DEBUG unset, no secret or host unless given."""
    env = {key: value for key, value in os.environ.items() if key in _INHERITED}
    env["CONCILIUM_DATA_DIR"] = str(tmp_path)
    env.update(extra)
    return env


def _concilium(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "concilium", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_check_passes_with_a_real_secret_and_host(tmp_path):
    env = _production_env(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(45)[:60],
        ALLOWED_HOSTS="concilium.example",
        PATIENT_ID_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    )
    result = _concilium("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    shown = _concilium(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.DEBUG)",
        env=env,
    )
    assert shown.stdout.split() == ["31536000", "True", "True", "False"]


def test_without_a_secret_key_the_app_refuses_to_start_when_debug_is_off(tmp_path):
    result = _concilium("check", env=_production_env(tmp_path, ALLOWED_HOSTS="concilium.example"))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_short_or_default_secret_key_is_refused_too(tmp_path):
    for key in ("too-short", "insecure-development-key-do-not-use-in-production"):
        result = _concilium("check", env=_production_env(tmp_path, SECRET_KEY=key))
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr


# --- CSRF ----------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(requester):
    client = Client(enforce_csrf_checks=True)
    client.force_login(requester, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("accounts:tokens"), {"name": "sneaky", "scopes": ["read"], "lifetime": "30"}
    )
    assert response.status_code == 403
    assert b"Your form expired" in response.content
    assert not ApiToken.objects.exists()


def test_a_post_with_the_csrf_token_goes_through(requester):
    client = Client(enforce_csrf_checks=True)
    client.force_login(requester, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("accounts:tokens"))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
    response = client.post(
        reverse("accounts:tokens"),
        {"name": "honest", "scopes": ["read"], "lifetime": "30", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    assert ApiToken.objects.filter(name="honest").exists()


def test_anonymous_posts_need_the_csrf_token_too(db):
    response = Client(enforce_csrf_checks=True).post(reverse("set_language"), {"language": "de"})
    assert response.status_code == 403


# --- deny by default -----------------------------------------------------------------------------


def test_the_public_allow_list_stays_short():
    public = [name for _, name, _ in ROUTES if _is_public(name)]
    assert len(public) <= 20, public


@pytest.mark.parametrize(("path", "name", "pattern"), ROUTES, ids=_ids())
def test_only_allow_listed_views_are_marked_public(path, name, pattern):
    marked_public = getattr(pattern.callback, "login_required", True) is False
    if path.startswith(("/api/", "/fhir/", "/dicomweb/", "/static/", "/oidc/")):
        return  # the middleware leaves these prefixes to their own authentication: see the next test
    assert marked_public == _is_public(name), f"{name} ({path}) is {'public' if marked_public else 'private'}"


@pytest.mark.parametrize(("path", "name", "pattern"), ROUTES, ids=_ids())
def test_anonymous_visitors_reach_only_the_public_allow_list(path, name, pattern, client, db):
    response = client.get(path)
    if name in API_NON_OPERATIONS:
        assert response.status_code == API_NON_OPERATIONS[name], path
    elif path.startswith("/api/"):
        if response.status_code == 405:  # an operation that only takes another method
            response = client.post(path)
        assert response.status_code == 401, path
        assert response["Content-Type"] == "application/problem+json"
    elif _is_public(name):
        assert response.status_code == PUBLIC_GET_STATUS.get(name, 200), path
    else:
        assert response.status_code == 302, path
        assert response["Location"].startswith(_login_url()), path
        response = client.post(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(_login_url()), path


@pytest.mark.parametrize(("path", "name", "pattern"), ROUTES, ids=_ids())
@pytest.mark.parametrize("status", [AccountStatus.PENDING, AccountStatus.REJECTED, AccountStatus.SUSPENDED])
def test_accounts_that_are_not_active_reach_nothing_private(path, name, pattern, status, db):
    if _is_public(name) or name in API_NON_OPERATIONS:
        return
    user = UserFactory(status=status, is_active=False)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if path.startswith("/api/"):
        _assert_api_refuses(client, path, pattern)
    else:
        assert client.get(path).status_code == 302, path


@pytest.mark.parametrize(("path", "name", "pattern"), ROUTES, ids=_ids())
def test_a_password_without_the_second_factor_reaches_nothing_private(path, name, pattern, coordinator):
    if _is_public(name) or name in API_NON_OPERATIONS:
        return
    client = Client()
    client.force_login(
        coordinator, backend="django.contrib.auth.backends.ModelBackend"
    )  # 2FA required, not given
    if path.startswith("/api/"):
        _assert_api_refuses(client, path, pattern)
        return
    response = client.get(path)
    if getattr(pattern.callback, "second_factor_pending_allowed", False):
        # The second-factor step sends a user without an authenticator to its enrolment, which opens.
        assert response.status_code == {"accounts:two_factor": 302, "accounts:two_factor_setup": 200}[name]
    else:
        assert response.status_code == 302, path
        assert response["Location"].split("?")[0] != path, path


# --- hostile text --------------------------------------------------------------------------------


def test_nul_and_control_characters_in_the_registration_form_are_form_errors(client, db):
    response = client.post(
        reverse("helpdesk:register"),
        {
            "full_name": "Rita\x00Requester",
            "professional_role": "Onco\x1blogist",
            "email": "rita\x00@alpha.example",
            "reason": "ok\x07",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert error_codes(form, "full_name") == ["control_characters"]
    assert error_codes(form, "professional_role") == ["control_characters"]
    assert error_codes(form, "email") == ["invalid", "control_characters"]
    assert error_codes(form, "reason") == ["control_characters"]


def test_a_nul_character_in_the_login_email_is_a_form_error(client, db):
    response = client.post(_login_url(), {"username": "rita\x00@alpha.example", "password": "x"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"username"}
    assert error_codes(response.context["form"], "username") == ["invalid", "control_characters"]
