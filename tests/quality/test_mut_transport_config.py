"""_transport_config: the SSL context, proxy, timeouts and Accept-Encoding every transport takes.

The SSL contexts are tried in real handshakes with tests/quality/tls_server.py (HTTPS on 127.0.0.1,
trustme certificates, the client certificate recorded server-side); the small pure functions
(resolve_timeouts, proxy_for, url_with_query) are called directly."""
from __future__ import annotations

import base64
import logging
import ssl
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import urllib3

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2._transport_config import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    Timeouts,
    accept_encoding_for,
    proxy_for,
    resolve_timeouts,
    ssl_context_for,
    url_with_query,
)

from .scripted_server import USER, Reply, ScriptedServer
from .tls_server import Pki, TlsServer


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server(pki: Pki) -> Iterator[TlsServer]:
    with TlsServer(pki) as tls:
        yield tls


def _config(**settings: Any) -> sdk.Configuration:
    return sdk.Configuration.new(live_reload_config=False, **settings)


def _handshake(context: ssl.SSLContext, server: TlsServer, host: str = "127.0.0.1") -> str | None:
    """One GET over a new connection with ``context``; the client certificate the server saw."""
    port = int(server.url.rsplit(":", 1)[1])
    pool = urllib3.HTTPSConnectionPool(host, port, ssl_context=context, retries=False)
    before = len(server.seen)
    try:
        assert pool.request("GET", "/api/v2/users/u1").status == 200
    finally:
        pool.close()
    return server.seen[before].client_identity


# -- ssl_context_for --------------------------------------------------------------------------------------

def test_ssl_ca_cert_is_trusted_and_a_new_context_is_made_per_call(pki: Pki, server: TlsServer) -> None:
    config = _config(ssl_ca_cert=pki.paths["server_ca"])
    first, second = ssl_context_for(config), ssl_context_for(config)
    assert first is not second  # never shared between pools/clients
    assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname is True
    assert _handshake(first, server) is None  # verified, no client certificate


def test_without_ssl_ca_cert_only_public_cas_are_trusted(server: TlsServer) -> None:
    with pytest.raises(urllib3.exceptions.SSLError, match="certificate verify failed"):
        _handshake(ssl_context_for(_config()), server)


def test_verify_ssl_false_accepts_any_certificate_and_host(pki: Pki, server: TlsServer) -> None:
    context = ssl_context_for(_config(verify_ssl=False))
    assert context.verify_mode == ssl.CERT_NONE and context.check_hostname is False
    with pytest.warns(urllib3.exceptions.InsecureRequestWarning):
        assert _handshake(context, server) is None
    # A name the certificate does not carry: verified it fails, unverified it passes.
    strict = ssl_context_for(_config(ssl_ca_cert=pki.paths["server_ca"]))
    strict.check_hostname = True
    with pytest.raises(urllib3.exceptions.SSLError):
        pool = urllib3.HTTPSConnectionPool("127.0.0.1", int(server.url.rsplit(":", 1)[1]), ssl_context=strict,
                                           retries=False, assert_hostname="other.test")
        pool.request("GET", "/")


@pytest.mark.parametrize("verify", [True, False])
def test_client_certificate_from_separate_files(pki: Pki, server: TlsServer, verify: bool) -> None:
    config = _config(verify_ssl=verify, ssl_ca_cert=pki.paths["server_ca"], cert_file=pki.paths["alice"],
                     key_file=pki.paths["alice_key"])
    with pytest.warns(urllib3.exceptions.InsecureRequestWarning) if not verify else _no_warning():
        assert _handshake(ssl_context_for(config), server) == "alice.clients.test"


def test_client_certificate_and_key_in_one_file(pki: Pki, server: TlsServer, tmp_path: Path) -> None:
    both = tmp_path / "bob-both.pem"
    both.write_text(pki.pem["bob"] + pki.pem["bob_key"])
    config = _config(ssl_ca_cert=pki.paths["server_ca"], cert_file=str(both), key_file="")
    assert _handshake(ssl_context_for(config), server) == "bob.clients.test"


def test_a_supplied_context_is_returned_as_given(caplog: pytest.LogCaptureFixture) -> None:
    supplied = ssl.create_default_context()
    with caplog.at_level(logging.WARNING, logger="PureCloudPlatformClientV2"):
        assert ssl_context_for(_config(ssl_context=supplied)) is supplied
        assert not caplog.records  # verify_ssl is on: nothing to warn about
        assert ssl_context_for(_config(ssl_context=supplied, verify_ssl=False)) is supplied
    assert [r.getMessage() for r in caplog.records] == [
        "verify_ssl=False does not apply to a supplied ssl_context; it is used as given"]
    assert supplied.verify_mode == ssl.CERT_REQUIRED and supplied.check_hostname is True


class _no_warning:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# -- proxy_for -----------------------------------------------------------------------------------------------

def _basic(pair: str) -> dict[str, str]:
    return {"Proxy-Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


def test_proxy_for() -> None:
    assert proxy_for(_config()) is None
    assert proxy_for(_config(proxy="")) is None
    assert proxy_for(SimpleNamespace()) is None  # a configuration-like object without proxy settings
    assert proxy_for(_config(proxy="http://127.0.0.1:3128")) == ("http://127.0.0.1:3128", None)
    assert proxy_for(_config(proxy="http://p:1", proxy_username="u", proxy_password="p w")) == (
        "http://p:1", _basic("u:p w"))
    assert proxy_for(_config(proxy="http://p:1", proxy_username="only-user")).headers == _basic("only-user:")
    assert proxy_for(_config(proxy="http://p:1", proxy_password="only-pw")).headers == _basic(":only-pw")


# -- resolve_timeouts ------------------------------------------------------------------------------------------

def test_resolve_timeouts_order() -> None:
    config = _config(connect_timeout=3, read_timeout=9, deadline=50)
    assert resolve_timeouts(None, None, None, None, config) == Timeouts(3.0, 9.0, 50.0)
    assert resolve_timeouts((1, 2), None, 7.0, None, config) == (1, 2, 50.0)  # the call's first
    assert resolve_timeouts(None, None, 7.0, None, config) == (7.0, 7.0, 50.0)  # then the transport's
    assert resolve_timeouts(None, 5, None, 30, config).deadline == 5.0  # the call's deadline first
    assert resolve_timeouts(None, None, None, 30, config).deadline == 30.0  # then the client's
    plain = SimpleNamespace(connect_timeout="4", read_timeout=8)  # no deadline setting at all
    assert resolve_timeouts(None, None, None, None, plain) == (4.0, 8.0, DEFAULT_DEADLINE)
    assert DEFAULT_DEADLINE == 120.0
    result = resolve_timeouts(None, 2, None, None, config)
    assert isinstance(result.deadline, float) and isinstance(result.connect, float)


def test_default_response_limit_is_256_mib() -> None:
    assert DEFAULT_MAX_RESPONSE_BYTES == 256 * 1024 * 1024 == 268_435_456


# -- url_with_query, accept_encoding_for ----------------------------------------------------------------------------

def test_url_with_query() -> None:
    assert url_with_query("http://h/p", None) == "http://h/p"
    assert url_with_query("http://h/p", {}) == "http://h/p"
    assert url_with_query("http://h/p", {"a": "1 2", "b": "x&y"}) == "http://h/p?a=1+2&b=x%26y"
    assert url_with_query("http://h/p?z=0", [("a", "1"), ("a", "2")]) == "http://h/p?z=0&a=1&a=2"


@pytest.mark.parametrize("url, expected", [("http://127.0.0.1:8080", "identity"), ("http://localhost", "identity"),
                                           ("https://[::1]:443", "identity"),
                                           ("https://api.mypurecloud.com", "gzip"),
                                           ("https://api.example.test/x?u=http://127.0.0.1", "gzip"),
                                           ("127.0.0.1", "identity")])
def test_accept_encoding_for(url: str, expected: str) -> None:
    assert accept_encoding_for(url) == expected


def test_accept_encoding_on_the_wire() -> None:
    with ScriptedServer(lambda seen: Reply(200, USER)) as scripted:
        direct = sdk.ApiClient(configuration=_config(host=scripted.url))
        proxied = sdk.ApiClient(configuration=_config(host="http://api.proxied.test", proxy=scripted.url))
        for client in (direct, proxied):
            client.access_token = "t"
            sdk.UsersApi(client).get_user("u1")
        loopback, remote = scripted.requests
    assert loopback.headers["accept-encoding"] == "identity"  # compression only costs CPU over loopback
    assert remote.headers["accept-encoding"] == "gzip"
