"""Single sign-on against a real OpenID Connect provider (pyop) served on a loopback port inside the tests.

The provider signs ID tokens with an RSA key made for the test run, checks the client secret and PKCE, and
answers /authorize, /token, /userinfo and /jwks over HTTPS (a certificate made for the run, trusted through
OIDC_VERIFY_SSL); Django's test client plays the browser.
"""

import datetime as dt
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests
from Cryptodome.PublicKey import RSA
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client, override_settings
from jwkest.jwk import RSAKey
from pyop.authz_state import AuthorizationState
from pyop.exceptions import OAuthError
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo

from concilium.accounts.access import SSO_SESSION_KEY
from concilium.accounts.models import AccountStatus
from concilium.audit.models import AuditEvent
from tests.factories import UserFactory

CLIENT_ID = "concilium-test"
CLIENT_SECRET = "a-client-secret-for-the-test-only"
REDIRECT_URI = "http://testserver/oidc/callback/"
LOOPBACK = "127.0.0.1"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@dataclass
class LocalOidcProvider:
    """A running provider; `login_as` picks the person who 'authenticates' at the next /authorize."""

    issuer: str
    users: dict[str, dict[str, Any]]
    ca_file: str
    login_as: str = ""
    requests_seen: list[str] = field(default_factory=list)

    def settings(self) -> dict[str, Any]:
        return {
            "OIDC_ENABLED": True,
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_PROVIDER_NAME": "EU Login (test)",
            "OIDC_VERIFY_SSL": self.ca_file,
        }


def _tls_certificate(directory: Any) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, written as PEM files; returns (certificate, private key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "provider.crt", directory / "provider.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_path), str(key_path)


def _signing_key() -> RSAKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return RSAKey(key=RSA.import_key(pem), alg="RS256", kid="test-signing-key", use="sig")


def _wsgi_app(provider: Provider, state: LocalOidcProvider) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        state.requests_seen.append(path)
        query = environ.get("QUERY_STRING", "")
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        try:
            if path == "/authorize":
                auth_request = provider.parse_authentication_request(query)
                response = provider.authorize(auth_request, state.login_as)
                location = response.request(auth_request["redirect_uri"], False)
                start_response("302 Found", [("Location", location)])
                return [b""]
            if path == "/token":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(length).decode()
                token_response = provider.handle_token_request(body, headers)
                return _json(start_response, token_response.to_dict())
            if path == "/userinfo":
                return _json(start_response, provider.handle_userinfo_request(query, headers).to_dict())
            if path == "/jwks":
                return _json(start_response, provider.jwks)
        except OAuthError as error:
            return _json(
                start_response,
                {"error": error.oauth_error, "error_description": str(error)},
                "400 Bad Request",
            )
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return app


def _json(start_response: Any, data: dict[str, Any], status: str = "200 OK") -> list[bytes]:
    start_response(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
    return [json.dumps(data).encode()]


@pytest.fixture(scope="module")
def provider_keys(tmp_path_factory) -> tuple[str, str, RSAKey]:  # type: ignore[no-untyped-def]
    """The TLS certificate and the ID-token signing key, made once for this module's tests."""
    cert_file, key_file = _tls_certificate(tmp_path_factory.mktemp("oidc"))
    return cert_file, key_file, _signing_key()


@pytest.fixture
def oidc_provider(provider_keys) -> Iterator[LocalOidcProvider]:  # type: ignore[no-untyped-def]
    cert_file, key_file, signing_key = provider_keys
    server: WSGIServer = make_server("127.0.0.1", 0, lambda e, s: [b""], handler_class=_QuietHandler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    issuer = f"https://127.0.0.1:{server.server_port}"
    state = LocalOidcProvider(issuer=issuer, users={}, ca_file=cert_file)
    provider = Provider(
        signing_key,
        {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "claims_parameter_supported": True,
        },
        AuthorizationState(HashBasedSubjectIdentifierFactory("test-salt")),
        {
            CLIENT_ID: {
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [REDIRECT_URI],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_post",
                "subject_type": "public",
            }
        },
        Userinfo(state.users),
    )
    server.set_app(_wsgi_app(provider, state))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with override_settings(**state.settings()):
            yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _person(state: LocalOidcProvider, email: str, *, verified: bool = True) -> None:
    user_id = f"user-{len(state.users)}"
    state.users[user_id] = {"email": email, "email_verified": verified, "name": "Someone at EU Login"}
    state.login_as = user_id


def _at_provider(authorize_url: str, provider: LocalOidcProvider) -> requests.Response:
    """The browser's visit to the provider's /authorize (it approves the chosen person at once)."""
    return requests.get(authorize_url, allow_redirects=False, timeout=10, verify=provider.ca_file)


def _sign_in_with_sso(client: Client, provider: LocalOidcProvider, *, next_url: str = "") -> Any:
    """Start at Concilium, go to the provider (which approves at once), come back with the code."""
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    at_provider = _at_provider(start["Location"], provider)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT_URI
    return client.get(back.path, parse_qs(back.query))


@pytest.mark.django_db
def test_an_activated_coordinator_signs_in_with_sso_and_needs_no_local_second_factor(
    oidc_provider, coordinator
):
    _person(oidc_provider, "Coordinator@Alpha.example")
    client = Client()
    response = _sign_in_with_sso(client, oidc_provider, next_url="/directory/")
    assert response.status_code == 302
    assert response["Location"] == "/directory/"
    assert client.session[SSO_SESSION_KEY] is True
    assert int(client.session["_auth_user_id"]) == coordinator.pk
    # A coordinator must give a second factor after a password; single sign-on counts as one.
    assert client.get("/directory/").status_code == 200
    assert client.get("/api/accounts/me").status_code == 200
    assert {"/authorize", "/token", "/userinfo", "/jwks"} <= set(oidc_provider.requests_seen)
    login = AuditEvent.objects.get(action="auth.login", actor_id=coordinator.pk)
    assert login.detail == {"method": "oidc", "second_factor": "sso"}


@pytest.mark.django_db
def test_sso_gives_a_new_session_id_and_starts_the_session_clock(oidc_provider, requester):
    _person(oidc_provider, requester.email)
    client = Client()
    client.get("/accounts/login/")
    before = client.cookies["concilium_session"].value if "concilium_session" in client.cookies else None
    _sign_in_with_sso(client, oidc_provider)
    assert client.cookies["concilium_session"].value != before
    assert "started_at" in client.session


@pytest.mark.django_db
def test_an_unknown_address_is_refused_with_a_hint_to_register(oidc_provider):
    _person(oidc_provider, "nobody@nowhere.example")
    client = Client()
    response = _sign_in_with_sso(client, oidc_provider)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    page = client.get("/accounts/login/")
    assert "no activated Concilium account for this address" in page.content.decode()
    assert "register" in page.content.decode().lower()
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.actor_id is None
    assert failed.detail == {"method": "oidc", "reason": "no_account"}
    assert "nobody@nowhere.example" not in json.dumps(failed.detail)


@pytest.mark.django_db
def test_a_pending_account_is_refused_and_told_it_awaits_activation(oidc_provider):
    pending = UserFactory(email="pending@alpha.example", status=AccountStatus.PENDING, is_active=False)
    _person(oidc_provider, pending.email)
    client = Client()
    _sign_in_with_sso(client, oidc_provider)
    assert "_auth_user_id" not in client.session
    assert "awaiting activation" in client.get("/accounts/login/").content.decode()
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.actor_id == pending.pk
    assert failed.detail["reason"] == "pending"


@pytest.mark.django_db
def test_a_suspended_account_is_refused(oidc_provider):
    suspended = UserFactory(email="gone@alpha.example", status=AccountStatus.SUSPENDED, is_active=False)
    _person(oidc_provider, suspended.email)
    client = Client()
    _sign_in_with_sso(client, oidc_provider)
    assert "_auth_user_id" not in client.session
    assert "not activated" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_an_address_the_provider_has_not_verified_is_refused(oidc_provider, requester):
    _person(oidc_provider, requester.email, verified=False)
    client = Client()
    _sign_in_with_sso(client, oidc_provider)
    assert "_auth_user_id" not in client.session
    assert "has not confirmed your email address" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_a_callback_with_a_state_we_did_not_issue_is_refused(oidc_provider, requester):
    _person(oidc_provider, requester.email)
    client = Client()
    start = client.get("/oidc/authenticate/")
    at_provider = _at_provider(start["Location"], oidc_provider)
    query = parse_qs(urlsplit(at_provider.headers["Location"]).query)
    query["state"] = ["forged-state"]
    response = client.get("/oidc/callback/", query)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert "/token" not in oidc_provider.requests_seen  # the code was never exchanged
    assert AuditEvent.objects.get(action="auth.login_failed").detail == {
        "method": "oidc",
        "reason": "state_mismatch",
    }


@pytest.mark.django_db
def test_a_callback_in_another_browser_is_refused(oidc_provider, requester):
    """The code and state were issued to one browser; a second browser (an attacker's) cannot use them."""
    _person(oidc_provider, requester.email)
    victim, attacker = Client(), Client()
    start = victim.get("/oidc/authenticate/")
    at_provider = _at_provider(start["Location"], oidc_provider)
    back = urlsplit(at_provider.headers["Location"])
    attacker.get(back.path, parse_qs(back.query))
    assert "_auth_user_id" not in attacker.session


@pytest.mark.django_db
def test_a_wrong_client_secret_fails_cleanly(oidc_provider, requester):
    _person(oidc_provider, requester.email)
    client = Client()
    with override_settings(OIDC_RP_CLIENT_SECRET="not-the-secret"):
        response = _sign_in_with_sso(client, oidc_provider)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert "did not succeed" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_the_login_page_offers_sso_only_when_it_is_configured(oidc_provider, client):
    assert "Sign in with EU Login (test)" in client.get("/accounts/login/").content.decode()
    with override_settings(OIDC_ENABLED=False):
        assert "Sign in with" not in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
@override_settings(OIDC_ENABLED=False)
def test_without_a_configured_provider_the_sso_endpoints_are_404(client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/", {"code": "x", "state": "y"}).status_code == 404
