"""The aiohttp transport: TLS and mTLS, proxy, gateway, pool limit, hooks, and custom transports."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AbstractAsyncHttpClient, DefaultAsyncHttpClient, UsersApiAsync
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.rest import ApiConnectionError, ApiException, ApiTLSError, RESTResponse
from tests.quality.scripted_server import Reply, ScriptedServer, Seen, token_reply

from .helpers import new_client


async def _login_and_list(client: Any, emu: Emulator) -> None:
    async with client:
        await client.get_client_credentials_token(emu.client_id, emu.client_secret)
        assert (await UsersApiAsync(client).get_users(page_size=1)).entities


@pytest.fixture(scope="module")
def tls_emu() -> Iterator[Emulator]:
    with Emulator(tls=True, seed_users=1) as emulator:
        yield emulator


def test_unknown_ca_is_a_tls_error(tls_emu):
    async def main() -> None:
        async with new_client(tls_emu.base_url) as client:
            client.configuration.retry = False
            with pytest.raises(ApiTLSError) as info:
                await client.get_client_credentials_token(tls_emu.client_id, tls_emu.client_secret)
            assert "certificate" in str(info.value).lower()
            assert tls_emu.client_secret not in str(info.value)
    asyncio.run(main())


def test_emulator_ca_and_verify_ssl_false_are_accepted(tls_emu):
    asyncio.run(_login_and_list(new_client(tls_emu.base_url, ssl_ca_cert=tls_emu.ca_file), tls_emu))
    asyncio.run(_login_and_list(new_client(tls_emu.base_url, verify_ssl=False), tls_emu))


@pytest.fixture(scope="module")
def mtls(tmp_path_factory) -> Iterator[tuple[Emulator, dict[str, str]]]:
    directory = tmp_path_factory.mktemp("mtls")
    server_ca, client_ca = trustme.CA(), trustme.CA()
    paths = {name: str(directory / f"{name}.pem") for name in ("server", "server_key", "server_ca", "client_ca",
                                                               "client", "client_key")}
    server = server_ca.issue_cert("127.0.0.1")
    server.cert_chain_pems[0].write_to_path(paths["server"])
    server.private_key_pem.write_to_path(paths["server_key"])
    server_ca.cert_pem.write_to_path(paths["server_ca"])
    client_ca.cert_pem.write_to_path(paths["client_ca"])
    client = client_ca.issue_cert("client@example.com")
    client.cert_chain_pems[0].write_to_path(paths["client"])
    client.private_key_pem.write_to_path(paths["client_key"])
    with Emulator(cert_file=paths["server"], key_file=paths["server_key"], client_ca=paths["client_ca"],
                  seed_users=1) as emulator:
        yield emulator, paths


def test_mtls_with_certificate_files(mtls):
    emu, paths = mtls
    configuration = sdk.Configuration.new(host=emu.base_url, live_reload_config=False)
    configuration.set_mtls_certificates(paths["client"], paths["client_key"], paths["server_ca"])
    asyncio.run(_login_and_list(sdk.aio.AsyncApiClient(configuration=configuration), emu))


def test_mtls_without_a_client_certificate_fails_typed(mtls):
    emu, paths = mtls

    async def main() -> None:
        async with new_client(emu.base_url, ssl_ca_cert=paths["server_ca"]) as client:
            client.configuration.retry = False
            with pytest.raises(ApiConnectionError) as info:
                await client.get_client_credentials_token(emu.client_id, emu.client_secret)
            assert info.value.status == 0
    asyncio.run(main())


@pytest.fixture(scope="module")
def gateway_emu() -> Iterator[Emulator]:
    with Emulator(prefix_login="/gwlogin", prefix_api="gwapi", seed_users=1) as emulator:
        yield emulator


def test_gateway(gateway_emu):
    client = new_client("http://api.invalid").set_gateway(hostname="127.0.0.1", scheme="http",
                                                           port=gateway_emu.port, login_path="gwlogin",
                                                           api_path="gwapi")
    asyncio.run(_login_and_list(client, gateway_emu))
    assert gateway_emu.request_count("get_users") == 1


def test_hooks_may_be_coroutines_and_the_pool_limit_is_honoured():
    """40 concurrent calls through a pool of 4: the server counts the connections it sees.
    It holds each request until 4 are in flight, so a pool that opened more would show it."""
    seen: list[int] = []
    in_flight = peak = 0

    async def pre(options: sdk.HttpRequestOptions) -> None:
        nonlocal in_flight, peak
        options.headers["X-Hook"] = "1"
        in_flight += 1
        peak = max(peak, in_flight)

    def post(response: RESTResponse) -> RESTResponse:
        nonlocal in_flight
        in_flight -= 1
        seen.append(response.status)
        return response

    def handler(request: Seen) -> Reply:
        if request.path == "/oauth/token":
            return token_reply()
        server.wait_for(lambda: server.in_flight >= 4 or server.count("/api/v2/users") >= 40, 30)
        return Reply(200, {"entities": [{"id": "u1"}], "pageSize": 1})

    async def main() -> None:
        http = DefaultAsyncHttpClient(configuration=sdk.Configuration.new(live_reload_config=False), pool_limit=4)
        http.set_pre_request_hook(pre)
        http.set_post_request_hook(post)
        async with new_client(server.url) as client:
            client.set_http_client(http)
            await client.get_client_credentials_token("cid", "secret")
            await asyncio.gather(*(UsersApiAsync(client).get_users(page_size=1) for _ in range(40)))

    with ScriptedServer(handler) as server:
        asyncio.run(main())
    assert seen == [200] * 41
    assert all(r.headers.get("x-hook") == "1" for r in server.requests)
    assert server.peak_in_flight == 4  # reached (requests are held until 4 arrive) and never exceeded
    assert server.peak_open_connections <= 4 and server.connections_opened <= 4 + 1  # + the login's
    assert peak == 4  # a call holds its first-come-first-served slot for the whole transport request, hooks included


class _Scripted(AbstractAsyncHttpClient):
    """A transport without a network: a 401 first, then 200s (a token request renews in between)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, str]] = []

    async def request(self, options: Any) -> RESTResponse:
        self.requests.append((options.method, options.url))
        if options.url.endswith("/oauth/token"):
            return RESTResponse(200, "OK", {"Content-Type": "application/json"},
                                b'{"access_token": "t2", "expires_in": 3600}')
        if options.headers.get("Authorization") == "Bearer t1":
            return RESTResponse(401, "Unauthorized", {}, b'{"message": "expired"}')
        return RESTResponse(200, "OK", {"Content-Type": "application/json"}, b'{"id": "me", "name": "Me"}')


def test_a_custom_transport_gets_the_same_pipeline():
    async def main() -> None:
        transport = _Scripted()
        async with sdk.aio.AsyncApiClient(host="https://api.example", http_client=transport) as client:
            client.client_id, client.client_secret = "id", "secret"
            client._tokens.grant = "client_credentials"
            client.access_token = "t1"
            me = await UsersApiAsync(client).get_users_me()
            assert me.name == "Me" and client.access_token == "t2"
        assert [m for m, _ in transport.requests] == ["GET", "POST", "GET"]
        with pytest.raises(ValueError):
            client.set_http_client(object())  # type: ignore[arg-type]
    asyncio.run(main())


def test_one_client_in_two_event_loops_reconnects():
    client = new_client("http://127.0.0.1:9")

    async def session() -> Any:
        return client.get_http_client().session()  # type: ignore[attr-defined]

    first = asyncio.run(session())
    second = asyncio.run(session())
    assert second is not first  # the first loop is closed: its pool is replaced, not reused
    asyncio.run(client.close())


def _tinyproxy_helpers() -> Any:
    """tests/integration/test_proxy.py's tinyproxy starter (the tests are one package)."""
    from ..integration import test_proxy
    return test_proxy


@pytest.fixture(scope="module")
def proxy(tmp_path_factory, emu) -> Iterator[Any]:
    helpers = _tinyproxy_helpers()
    if helpers.TINYPROXY is None:
        pytest.skip("tinyproxy is not installed")
    tp = helpers._start_tinyproxy(Path(tmp_path_factory.mktemp("tinyproxy-aio")), basic_auth=True,
                                  connect_ports=[])
    tp.credentials = helpers.PROXY_USER, helpers.PROXY_PASSWORD
    yield tp
    tp.process.terminate()
    tp.process.wait(timeout=10)


def test_requests_pass_through_an_authenticating_proxy(proxy, fresh_emu):
    user, password = proxy.credentials
    client = new_client(fresh_emu.base_url, proxy=proxy.url, proxy_username=user, proxy_password=password)
    asyncio.run(_login_and_list(client, fresh_emu))
    assert proxy.wait_for(f"GET {fresh_emu.base_url}/api/v2/users", 1)
    assert proxy.wait_for(f"POST {fresh_emu.login_url}/oauth/token", 1)


def test_wrong_proxy_password_is_an_api_exception(proxy, fresh_emu):
    async def main() -> None:
        async with new_client(fresh_emu.base_url, proxy=proxy.url, proxy_username=proxy.credentials[0],
                              proxy_password="wrong") as client:
            client.configuration.retry = False
            client.access_token = fresh_emu.issue_token()
            with pytest.raises(ApiException) as info:
                await UsersApiAsync(client).get_users(page_size=1)
            assert info.value.status in (401, 407)
    asyncio.run(main())
    assert fresh_emu.request_count() == 0


@pytest.fixture(scope="module")
def connect_proxy(tmp_path_factory, tls_emu) -> Iterator[Any]:
    helpers = _tinyproxy_helpers()
    if helpers.TINYPROXY is None:
        pytest.skip("tinyproxy is not installed")
    tp = helpers._start_tinyproxy(Path(tmp_path_factory.mktemp("tinyproxy-aio-connect")), basic_auth=False,
                                  connect_ports=[tls_emu.port])
    yield tp
    tp.process.terminate()
    tp.process.wait(timeout=10)


def test_https_target_through_connect(connect_proxy, tls_emu):
    tls_emu.reset()
    client = new_client(tls_emu.base_url, proxy=connect_proxy.url, ssl_ca_cert=tls_emu.ca_file)
    asyncio.run(_login_and_list(client, tls_emu))
    assert connect_proxy.wait_for(f"CONNECT 127.0.0.1:{tls_emu.port}", 1)
    assert tls_emu.request_count("get_users") == 1
