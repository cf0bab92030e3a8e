"""Secrets never appear in logs (every level x format, bodies on) or in exceptions' str()/repr().

Every flow that carries a secret runs against the emulator — client credentials, SAML2
bearer, authorization code + refresh, PKCE, a 401, a failed login, proxies that fail — and
the captured log file plus the str()/repr() of every exception raised are scanned for the
actual secret strings (and their base64 forms, as sent in Basic headers).
"""
from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.logger import LogFormat, LogLevel
from PureCloudPlatformClientV2.rest import ApiConnectionError, ApiException, ApiTLSError

from .reliability_helpers import FaultServer, TlsMaterial, free_port, new_client

REDIRECT = "https://app.example/callback"
CLIENT_SECRET = "client-secret-Zq8vR3"
PROXY_PASSWORD = "proxy-pass-Wm4kT9"
PROXY_USER = "proxy-user"
SAML_ASSERTION = base64.b64encode(
    b"<saml:Assertion><saml:NameID>nobody@example.com</saml:NameID><secret>Xy7SAML</secret></saml:Assertion>"
).decode()


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed_users=1, mode="subprocess") as emulator:
        yield emulator


def _variants(secret: str) -> set[str]:
    return {secret, base64.b64encode(secret.encode()).decode()}


class Flows:
    """Runs every secret-carrying flow on clients logging to one file; collects secrets and errors."""

    def __init__(self, emu: Emulator, log_file: Path, level: int, fmt: int) -> None:
        self.emu, self.log_file, self.level, self.fmt = emu, log_file, level, fmt
        self.secrets: set[str] = set()
        self.errors: list[BaseException] = []
        self.clients: list[sdk.ApiClient] = []

    def client(self, host: str | None = None, **settings: object) -> sdk.ApiClient:
        client = new_client(host or self.emu.base_url, token=None, **settings)
        client.configuration.retry = False
        logger = client.configuration.logger
        logger.log_to_console = False
        logger.log_request_body = logger.log_response_body = True
        logger.log_format = self.fmt
        logger.log_file_path = str(self.log_file)
        logger.log_level = self.level
        self.clients.append(client)
        return client

    def expect_error(self, fn: object, *args: object) -> None:
        try:
            fn(*args)  # type: ignore[operator]
        except ApiException as exc:
            self.errors.append(exc)
        else:
            raise AssertionError(f"{fn} did not fail")

    def remember_tokens(self, client: sdk.ApiClient) -> None:
        for token in (client.access_token, client.refresh_token):
            if token:
                self.secrets |= _variants(token)

    def run(self) -> None:
        emu = self.emu
        creds = emu.register_client(client_secret=CLIENT_SECRET,
                                    grants=["client_credentials", "authorization_code", "refresh_token",
                                            "urn:ietf:params:oauth:grant-type:saml2-bearer"],
                                    redirect_uris=[REDIRECT])
        cid = creds["client_id"]
        self.secrets |= _variants(CLIENT_SECRET) | _variants(f"{cid}:{CLIENT_SECRET}") | _variants(SAML_ASSERTION)
        self.secrets |= _variants(PROXY_PASSWORD) | _variants(f"{PROXY_USER}:{PROXY_PASSWORD}")

        # client credentials, a good call, a 404, a 401 after the token is revoked (no renewal)
        client = self.client()
        client.get_client_credentials_token(cid, CLIENT_SECRET)
        self.remember_tokens(client)
        users = sdk.UsersApi(client)
        users.get_users(page_size=1)
        self.expect_error(users.get_user, "no-such-user")
        client.configuration.should_refresh_access_token = False
        emu.revoke_token(client.access_token)
        self.expect_error(users.get_users_me)

        # a failed login (wrong secret), SAML2 bearer, authorization code + refresh
        self.expect_error(self.client().get_client_credentials_token, cid, CLIENT_SECRET + "-wrong")
        self.secrets |= _variants(CLIENT_SECRET + "-wrong")
        saml = self.client()
        saml.get_saml2bearer_token(cid, CLIENT_SECRET, "my-org", SAML_ASSERTION)
        self.remember_tokens(saml)
        self.expect_error(self.client().get_saml2bearer_token, cid, CLIENT_SECRET, "", SAML_ASSERTION)
        code_client = self.client()
        code = emu.issue_auth_code(cid, redirect_uri=REDIRECT)
        self.secrets |= _variants(code)
        _, info = code_client.get_code_authorization_token(cid, CLIENT_SECRET, code, REDIRECT)
        self.remember_tokens(code_client)
        code_client.refresh_code_authorization_token(cid, CLIENT_SECRET, info["refresh_token"])
        self.remember_tokens(code_client)
        self.expect_error(code_client.refresh_code_authorization_token, cid, CLIENT_SECRET, "bad-refresh-Hh3")

        # PKCE: a good exchange and a wrong verifier
        public = emu.register_client(public=True, grants=["authorization_code"], redirect_uris=[REDIRECT])
        pkce = self.client()
        verifier = pkce.generate_pkce_code_verifier(64)
        self.secrets |= _variants(verifier)
        code = emu.issue_auth_code(public["client_id"], redirect_uri=REDIRECT,
                                   code_challenge=pkce.compute_pkce_code_challenge(verifier),
                                   code_challenge_method="S256")
        pkce.get_pkce_token(public["client_id"], verifier, code, REDIRECT)
        self.remember_tokens(pkce)
        wrong = pkce.generate_pkce_code_verifier(64)
        self.secrets |= _variants(wrong)
        code = emu.issue_auth_code(public["client_id"], redirect_uri=REDIRECT,
                                   code_challenge=pkce.compute_pkce_code_challenge(verifier),
                                   code_challenge_method="S256")
        self.expect_error(pkce.get_pkce_token, public["client_id"], wrong, code, REDIRECT)

        # proxies that fail: credentials in settings and in the proxy URL
        dead = free_port()
        for settings in ({"proxy": f"http://127.0.0.1:{dead}", "proxy_username": PROXY_USER,
                          "proxy_password": PROXY_PASSWORD},
                         {"proxy": f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{dead}"}):
            proxied = self.client(**settings)
            self.expect_error(proxied.get_client_credentials_token, cid, CLIENT_SECRET)
            proxied.access_token = client.access_token
            self.expect_error(sdk.UsersApi(proxied).get_users_me)

    def close(self) -> None:
        for client in self.clients:
            client.configuration.logger.log_level = LogLevel.LNone  # closes the file handler
            if client.http_client is not None:
                client.http_client.reset()  # type: ignore[attr-defined]


def _scan(text: str, secrets: set[str], where: str) -> None:
    leaked = sorted(s for s in secrets if s and s in text)
    assert not leaked, f"secrets in {where}: {leaked}"


@pytest.mark.parametrize("fmt", [LogFormat.TEXT, LogFormat.JSON], ids=["text", "json"])
@pytest.mark.parametrize("level", [LogLevel.LTrace, LogLevel.LDebug, LogLevel.LError, LogLevel.LNone],
                         ids=["trace", "debug", "error", "none"])
def test_no_secret_in_logs_or_exceptions(emu: Emulator, tmp_path: Path, level: int, fmt: int,
                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(1)  # the standard logging tree too (urllib3, the shared SDK logger)
    flows = Flows(emu, tmp_path / "sdk.log", level, fmt)
    try:
        flows.run()
    finally:
        flows.close()
    log = flows.log_file.read_text() if flows.log_file.exists() else ""
    if level != LogLevel.LNone:
        assert "Authorization" in log and "[REDACTED]" in log  # the headers were logged, masked
    _scan(log, flows.secrets, "the SDK log")
    _scan("\n".join(r.getMessage() for r in caplog.records), flows.secrets, "standard logging")
    assert len(flows.errors) == 10
    for error in flows.errors:
        _scan(f"{error}\n{error!r}\n{error.args!r}", flows.secrets, f"{type(error).__name__}")
    assert any(isinstance(e, ApiConnectionError) for e in flows.errors)
    assert {e.status for e in flows.errors} >= {0, 400, 401, 404}
    for client in flows.clients:
        _scan(repr(client.configuration) + repr(client), flows.secrets, "reprs")


def test_redaction_of_a_header_logged_in_any_case(emu: Emulator, tmp_path: Path) -> None:
    """Custom-cased Authorization/Proxy-Authorization headers passed per call are masked too."""
    flows = Flows(emu, tmp_path / "case.log", LogLevel.LTrace, LogFormat.JSON)
    try:
        client = flows.client()
        client.get_client_credentials_token(emu.client_id, emu.client_secret)
        sdk.UsersApi(client).get_users(page_size=1, _headers={"proxy-AUTHORIZATION": "Basic c2VjcmV0LUhlYWRlcg=="})
    finally:
        flows.close()
    log = flows.log_file.read_text()
    assert "c2VjcmV0LUhlYWRlcg==" not in log and client.access_token not in log


# -- TLS verification is on by default -------------------------------------------------------------------
@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FaultServer, TlsMaterial]]:
    material = TlsMaterial(tmp_path_factory.mktemp("secrets-tls"))
    server = FaultServer(material)
    yield server, material
    server.stop()


def test_tls_verification_is_on_by_default(tls_server: tuple[FaultServer, TlsMaterial]) -> None:
    server, material = tls_server
    assert sdk.Configuration.new().verify_ssl is True
    client = new_client(server.url("good"), token="tls-default-token")
    with pytest.raises(ApiTLSError) as info:
        sdk.UsersApi(client).get_user("u1", _retry=False)
    assert "certificate verify failed" in str(info.value) and "tls-default-token" not in repr(info.value)
    trusting = new_client(server.url("good"), ssl_ca_cert=material.ca)
    assert sdk.UsersApi(trusting).get_user("u1").id == "u1"
    for c in (client, trusting):
        c.http_client.reset()  # type: ignore[union-attr]


def test_shared_sdk_logger_warnings_carry_no_secret(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    """A bad configuration file with a proxy password in it is reported without the password."""
    caplog.set_level(logging.WARNING, logger="PureCloudPlatformClientV2")
    path = tmp_path / "config"
    path.write_text(f'{{"gateway": {{"host": "gw.example", "password": "{PROXY_PASSWORD}", "port": "not-a-port"}},'
                    f' "general": {{"live_reload_config": "perhaps"}}}}')
    config = sdk.Configuration.new(live_reload_config=False)
    config.config_file_path = str(path)
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert "invalid configuration file" in messages and PROXY_PASSWORD not in messages
