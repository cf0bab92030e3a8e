"""Requests through a real forward proxy process (tinyproxy): plain HTTP, basic auth, and HTTPS via CONNECT."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.rest import ApiException

from .conftest import new_client

TINYPROXY = shutil.which("tinyproxy") or next(
    (p for p in ("/usr/bin/tinyproxy", "/usr/sbin/tinyproxy") if Path(p).exists()), None)
pytestmark = pytest.mark.skipif(TINYPROXY is None, reason="tinyproxy is not installed (apt-get install tinyproxy; "
                                                          ".ci/run installs it)")
PROXY_USER, PROXY_PASSWORD = "proxyuser", "proxy-Pa55-secret"


class Tinyproxy:
    def __init__(self, directory: Path, port: int, log: Path, process: subprocess.Popen[bytes]) -> None:
        self.directory, self.port, self.log, self.process = directory, port, log, process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests_seen(self, needle: str) -> list[str]:
        return [line for line in self.log.read_text(errors="replace").splitlines() if needle in line]

    def wait_for(self, needle: str, count: int, deadline: float = 5.0) -> list[str]:
        """tinyproxy writes its log line as it serves the request; poll with a deadline for the flush."""
        end = time.monotonic() + deadline
        while True:
            lines = self.requests_seen(needle)
            if len(lines) >= count or time.monotonic() > end:
                return lines
            time.sleep(0.02)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_tinyproxy(directory: Path, *, basic_auth: bool, connect_ports: list[int]) -> Tinyproxy:
    directory.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    log = directory / "tinyproxy.log"
    lines = [f"Port {port}", "Listen 127.0.0.1", "Timeout 30", f'LogFile "{log}"', "LogLevel Info",
             "MaxClients 100", "Allow 127.0.0.1", "DisableViaHeader Yes"]
    if basic_auth:
        lines.append(f"BasicAuth {PROXY_USER} {PROXY_PASSWORD}")
    lines += [f"ConnectPort {p}" for p in connect_ports]
    conf = directory / "tinyproxy.conf"
    conf.write_text("\n".join(lines) + "\n")
    process = subprocess.Popen([TINYPROXY, "-d", "-c", str(conf)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    end = time.monotonic() + 10
    while True:  # ready when it accepts connections
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > end:
                process.kill()
                raise RuntimeError(f"tinyproxy did not start: {log.read_text() if log.exists() else ''}") from None
            time.sleep(0.02)
    return Tinyproxy(directory, port, log, process)


@pytest.fixture(scope="module")
def tls_emu() -> Iterator[Emulator]:
    with Emulator(tls=True, seed_users=2) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def proxy(tmp_path_factory, emu, tls_emu) -> Iterator[Tinyproxy]:
    tp = _start_tinyproxy(tmp_path_factory.mktemp("tinyproxy"), basic_auth=False, connect_ports=[tls_emu.port])
    yield tp
    tp.process.terminate()
    tp.process.wait(timeout=10)


@pytest.fixture(scope="module")
def auth_proxy(tmp_path_factory, emu) -> Iterator[Tinyproxy]:
    tp = _start_tinyproxy(tmp_path_factory.mktemp("tinyproxy-auth"), basic_auth=True, connect_ports=[])
    yield tp
    tp.process.terminate()
    tp.process.wait(timeout=10)


def test_http_requests_pass_through_the_proxy(proxy, fresh_emu):
    client = new_client(fresh_emu.base_url, proxy=proxy.url)
    client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
    sdk.UsersApi(client).get_users(page_size=1)
    sdk.UsersApi(client).get_users(page_size=1)
    token_lines = proxy.wait_for(f"POST {fresh_emu.login_url}/oauth/token", 1)
    api_lines = proxy.wait_for(f"GET {fresh_emu.base_url}/api/v2/users", 2)
    assert len(token_lines) >= 1 and len(api_lines) >= 2
    assert fresh_emu.request_count("get_users") == 2


def test_proxy_basic_auth(auth_proxy, fresh_emu):
    client = new_client(fresh_emu.base_url, proxy=auth_proxy.url, proxy_username=PROXY_USER,
                        proxy_password=PROXY_PASSWORD)
    client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
    assert sdk.UsersApi(client).get_users(page_size=1).entities
    assert auth_proxy.wait_for(f"GET {fresh_emu.base_url}/api/v2/users", 1)
    assert PROXY_PASSWORD not in repr(client.configuration)


def test_proxy_wrong_password_is_a_407(auth_proxy, fresh_emu):
    client = new_client(fresh_emu.base_url, proxy=auth_proxy.url, proxy_username=PROXY_USER,
                        proxy_password="wrong")
    client.configuration.retry = False
    client.access_token = fresh_emu.issue_token()
    # A GET: tinyproxy answers 407 without reading a request body (a POST may see the connection reset).
    with pytest.raises(ApiException) as info:
        sdk.UsersApi(client).get_users(page_size=1)
    assert info.value.status in (401, 407)  # tinyproxy 1.11 answers 401 to bad proxy credentials
    assert "Unauthorized" in str(info.value) or "Proxy" in str(info.value)
    assert fresh_emu.request_count() == 0


def test_https_target_through_connect(proxy, tls_emu):
    tls_emu.reset()
    client = new_client(tls_emu.base_url, proxy=proxy.url, ssl_ca_cert=tls_emu.ca_file)
    client.get_client_credentials_token(tls_emu.client_id, tls_emu.client_secret)
    assert sdk.UsersApi(client).get_users(page_size=1).entities
    assert proxy.wait_for(f"CONNECT 127.0.0.1:{tls_emu.port}", 1)
    assert tls_emu.request_count("get_users") == 1


def test_unreachable_proxy_is_a_connection_error(fresh_emu):
    client = new_client(fresh_emu.base_url, proxy=f"http://127.0.0.1:{_free_port()}")
    client.configuration.retry = False
    with pytest.raises(sdk.rest.ApiConnectionError):
        client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
