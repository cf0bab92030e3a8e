"""Transport settings over real HTTP(S): TLS contexts never shared or mutated, what a custom
transport receives (final seconds), and safe downloads."""
from __future__ import annotations

import asyncio
import os
import ssl
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
import urllib3

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import AbstractHttpClient
from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.rest import ApiTLSError, RESTResponse

from .conftest import HostileServer, config_for


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """An HTTPS emulator whose certificate comes from a CA nobody trusts (trustme)."""
    directory = tmp_path_factory.mktemp("self-signed")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(directory / "cert.pem"))
    cert.private_key_pem.write_to_path(str(directory / "key.pem"))
    with Emulator(cert_file=directory / "cert.pem", key_file=directory / "key.pem", seed_users=1) as emulator:
        yield emulator


def _sync_login(config: sdk.Configuration, emu: Emulator) -> None:
    sdk.ApiClient(configuration=config).get_client_credentials_token(emu.client_id, emu.client_secret)


def _async_login(config: sdk.Configuration, emu: Emulator) -> None:
    async def main() -> None:
        async with AsyncApiClient(configuration=config) as client:
            await client.get_client_credentials_token(emu.client_id, emu.client_secret)
            await UsersApiAsync(client).get_users(page_size=1)
    asyncio.run(main())


@pytest.mark.parametrize("login", [_sync_login, _async_login], ids=["sync", "asyncio"])
def test_verify_ssl_off_then_on_verifies_again(self_signed: Emulator, login: Any) -> None:
    config = config_for(self_signed.base_url, verify_ssl=False)
    with pytest.warns(urllib3.exceptions.InsecureRequestWarning) if login is _sync_login else _nothing():
        login(config, self_signed)  # accepted: verification is off
    config.verify_ssl = True
    with pytest.raises(ApiTLSError):
        login(config, self_signed)  # a new client verifies again: nothing was left switched off


@pytest.mark.parametrize("login", [_sync_login, _async_login], ids=["sync", "asyncio"])
def test_a_supplied_ssl_context_is_used_as_given_and_never_modified(self_signed: Emulator, login: Any) -> None:
    context = ssl.create_default_context()
    config = config_for(self_signed.base_url, verify_ssl=False)
    config.ssl_context = context
    with pytest.raises(ApiTLSError):
        login(config, self_signed)  # the context verifies; verify_ssl=False does not switch it off
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname is True


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


class Recording(AbstractHttpClient):
    """A custom transport as docs/custom-http-clients.md shows, recording what it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.pool = urllib3.PoolManager()
        self.seen: list[Any] = []

    def request(self, options: Any) -> Any:
        self.seen.append((options["timeout"], options.timeouts, options.timeout, options.deadline))
        kwargs = dict(options)
        return self.pool.request(kwargs["method"], kwargs["url"], fields=None, headers=kwargs["headers"],
                                 timeout=urllib3.Timeout(*kwargs["timeout"]), retries=False)


def test_a_custom_transport_receives_final_seconds(hostile: HostileServer) -> None:
    client = sdk.ApiClient(configuration=config_for(hostile.base_url))
    client.access_token = "token"
    transport = Recording()
    client.set_http_client(transport)
    users = sdk.UsersApi(client)
    users.get_user("ok")  # the configuration's (10, 60)
    users.get_user("ok", _request_timeout=(1, 3))  # the call's
    transport.set_timeout(2000)
    users.get_user("ok")  # the client's set_timeout (milliseconds)
    users.get_user("ok", _deadline=0.5)  # cut to the deadline
    first, per_call, per_client, short = transport.seen
    assert first == ((10.0, 60.0), (10.0, 60.0), 60000.0, 120.0)
    assert per_call[0] == (1.0, 3.0) and per_client[0] == (2.0, 2.0)
    assert max(short[0]) <= 0.5 and short[3] == 0.5


def test_download_lands_in_a_private_folder_and_never_follows_a_link(hostile: HostileServer, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "report.txt").symlink_to(victim)  # planted where the old code wrote
    client = sdk.ApiClient(configuration=config_for(hostile.base_url, temp_folder_path=str(tmp_path)))
    client.access_token = "token"
    path = Path(client.call_api("/api/v2/users/download-report.txt", "GET", response_type="file"))
    assert victim.read_text() == "keep me"
    assert path.name == "report.txt" and path.parent.parent == tmp_path and not path.is_symlink()
    assert path.read_bytes() == b"file body"
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


@pytest.mark.parametrize("name, expected", [("..%2F..%2Fescape.sh", "escape.sh"), ("..", "download"),
                                            ("a%01b%3Cc%3E.txt", "a_b_c_.txt")])
def test_download_names_are_sanitised(hostile: HostileServer, tmp_path: Path, name: str, expected: str) -> None:
    async def main() -> str:
        config = config_for(hostile.base_url, temp_folder_path=str(tmp_path))
        async with AsyncApiClient(configuration=config) as client:
            client.access_token = "token"
            return await client.call_api(f"/api/v2/users/download-{name}", "GET", response_type="file")  # type: ignore[no-any-return]
    path = Path(asyncio.run(main()))
    assert path.name == expected and path.parent.parent == tmp_path


def test_a_custom_transports_body_is_checked_against_the_limit(hostile: HostileServer) -> None:
    class Canned(AbstractHttpClient):
        def request(self, options: Any) -> Any:
            return RESTResponse(200, "OK", {"Content-Type": "application/json"}, b'{"id": "x"}' * 200)

    client = sdk.ApiClient(configuration=config_for(hostile.base_url, max_response_bytes=1000))
    client.access_token = "token"
    client.set_http_client(Canned())
    with pytest.raises(sdk.ResponseTooLargeError):  # a custom transport's body is checked after the fact
        sdk.UsersApi(client).get_user("x")
