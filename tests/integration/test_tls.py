"""TLS verification and mutual TLS against the emulator serving HTTPS (certificates made with trustme)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
import urllib3

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.rest import ApiConnectionError, ApiTLSError

from .conftest import new_client


@pytest.fixture(scope="module")
def tls_emu() -> Iterator[Emulator]:
    with Emulator(tls=True, seed_users=1) as emulator:
        yield emulator


class MtlsFiles:
    def __init__(self, directory: Path) -> None:
        server_ca, self.client_ca = trustme.CA(), trustme.CA()
        server = server_ca.issue_cert("127.0.0.1", "localhost")
        self.client = self.client_ca.issue_cert("client@example.com")
        self.paths = {name: str(directory / f"{name}.pem") for name in
                      ("server", "server_key", "server_ca", "client_ca", "client", "client_key")}
        server.cert_chain_pems[0].write_to_path(self.paths["server"])
        server.private_key_pem.write_to_path(self.paths["server_key"])
        server_ca.cert_pem.write_to_path(self.paths["server_ca"])
        self.client_ca.cert_pem.write_to_path(self.paths["client_ca"])
        self.client.cert_chain_pems[0].write_to_path(self.paths["client"])
        self.client.private_key_pem.write_to_path(self.paths["client_key"])
        self.server_ca_pem = server_ca.cert_pem.bytes().decode()
        self.client_pem = self.client.cert_chain_pems[0].bytes().decode()
        self.client_key_pem = self.client.private_key_pem.bytes().decode()


@pytest.fixture(scope="module")
def mtls(tmp_path_factory) -> Iterator[tuple[Emulator, MtlsFiles]]:
    files = MtlsFiles(tmp_path_factory.mktemp("mtls"))
    with Emulator(cert_file=files.paths["server"], key_file=files.paths["server_key"],
                  client_ca=files.paths["client_ca"], seed_users=1) as emulator:
        yield emulator, files


def _login_and_call(client: sdk.ApiClient, emu: Emulator) -> None:
    client.get_client_credentials_token(emu.client_id, emu.client_secret)
    assert sdk.UsersApi(client).get_users(page_size=1).entities


def test_default_verification_rejects_an_unknown_ca(tls_emu):
    client = new_client(tls_emu.base_url)
    client.configuration.retry = False
    assert client.configuration.verify_ssl is True
    with pytest.raises(ApiTLSError) as info:
        client.get_client_credentials_token(tls_emu.client_id, tls_emu.client_secret)
    assert "certificate" in str(info.value).lower()
    assert tls_emu.client_secret not in str(info.value)


def test_ssl_ca_cert_accepts(tls_emu):
    _login_and_call(new_client(tls_emu.base_url, ssl_ca_cert=tls_emu.ca_file), tls_emu)


def test_verify_ssl_false_accepts(tls_emu):
    # urllib3 warns on every unverified request, as with the official SDK.
    with pytest.warns(urllib3.exceptions.InsecureRequestWarning):
        _login_and_call(new_client(tls_emu.base_url, verify_ssl=False), tls_emu)


def test_mtls_without_client_certificate_fails_typed(mtls):
    emu, files = mtls
    client = new_client(emu.base_url, ssl_ca_cert=files.paths["server_ca"])
    client.configuration.retry = False
    # TLS 1.3 reports a missing client certificate after the handshake: TLS error or connection reset.
    with pytest.raises(ApiConnectionError) as info:
        client.get_client_credentials_token(emu.client_id, emu.client_secret)
    assert info.value.status == 0


def test_mtls_with_certificate_files(mtls):
    emu, files = mtls
    configuration = sdk.Configuration.new(host=emu.base_url, live_reload_config=False)
    configuration.set_mtls_certificates(files.paths["client"], files.paths["client_key"], files.paths["server_ca"])
    _login_and_call(sdk.ApiClient(configuration=configuration), emu)


def test_mtls_with_pem_contents(mtls):
    emu, files = mtls
    configuration = sdk.Configuration.new(host=emu.base_url, live_reload_config=False)
    configuration.set_mtls_contents(files.client_pem, files.client_key_pem, files.server_ca_pem)
    _login_and_call(sdk.ApiClient(configuration=configuration), emu)


def test_mtls_through_the_readme_gateway_form(mtls):
    emu, files = mtls
    configuration = sdk.Configuration.new(host="https://api.invalid", live_reload_config=False)
    configuration.set_mtls_certificates(files.paths["client"], files.paths["client_key"], files.paths["server_ca"])
    apiclient_mtls = sdk.api_client.ApiClient(configuration=configuration)
    apiclient_mtls.set_gateway(hostname="127.0.0.1", scheme="https", port=emu.port, login_path="", api_path="")
    _login_and_call(apiclient_mtls, emu)


def test_mtls_with_a_certificate_from_another_ca_is_rejected(mtls, tmp_path):
    emu, files = mtls
    stranger = trustme.CA().issue_cert("stranger@example.com")
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    stranger.cert_chain_pems[0].write_to_path(str(cert))
    stranger.private_key_pem.write_to_path(str(key))
    configuration = sdk.Configuration.new(host=emu.base_url, live_reload_config=False)
    configuration.retry = False
    configuration.set_mtls_certificates(str(cert), str(key), files.paths["server_ca"])
    with pytest.raises(ApiConnectionError):
        sdk.ApiClient(configuration=configuration).get_client_credentials_token(emu.client_id, emu.client_secret)
