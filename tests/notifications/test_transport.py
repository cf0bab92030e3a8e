"""The socket follows the ApiClient's Configuration: mTLS, and an HTTP proxy with basic auth."""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.notifications import NotificationHandler

from .conftest import client_for, wait_until

TOPIC = "v2.users.transport.presence"


def test_mtls_client_certificate_from_the_configuration(tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    server_ca, client_ca = trustme.CA(), trustme.CA()
    paths = {name: str(tmp_path / f"{name}.pem") for name in ("server", "server_key", "ca", "client_ca",
                                                              "client", "client_key")}
    server = server_ca.issue_cert("127.0.0.1")
    server.cert_chain_pems[0].write_to_path(paths["server"])
    server.private_key_pem.write_to_path(paths["server_key"])
    server_ca.cert_pem.write_to_path(paths["ca"])
    client_ca.cert_pem.write_to_path(paths["client_ca"])
    issued = client_ca.issue_cert("notifications@example.com")
    issued.cert_chain_pems[0].write_to_path(paths["client"])
    issued.private_key_pem.write_to_path(paths["client_key"])
    with Emulator(cert_file=paths["server"], key_file=paths["server_key"], client_ca=paths["client_ca"],
                  heartbeat_interval=0.2) as emu:
        from PureCloudPlatformClientV2 import ApiClient, Configuration
        configuration = Configuration.new(host=emu.base_url, live_reload_config=False)
        configuration.set_mtls_certificates(paths["client"], paths["client_key"], paths["ca"])
        client = ApiClient(configuration=configuration).get_client_credentials_token(emu.client_id,
                                                                                     emu.client_secret)
        with NotificationHandler(client) as handler:
            handler.subscribe(TOPIC)
            assert handler.channels[0].connect_uri.startswith("wss://")
            assert emu.publish(TOPIC, {"mtls": True}) == 1
            assert handler.next_event(timeout=30).event_body.mtls is True


TINYPROXY = shutil.which("tinyproxy")


@contextlib.contextmanager
def tinyproxy(directory: Path, connect_port: int) -> Iterator[tuple[str, Path]]:
    """A tinyproxy on 127.0.0.1 with basic auth, allowing CONNECT to one port."""
    assert TINYPROXY is not None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = directory / "proxy.log"
    conf = directory / "proxy.conf"
    conf.write_text("\n".join([f"Port {port}", "Listen 127.0.0.1", "Timeout 30", f'LogFile "{log}"',
                               "LogLevel Info", "Allow 127.0.0.1", "BasicAuth socks secret-pw",
                               f"ConnectPort {connect_port}"]) + "\n")
    process = subprocess.Popen([TINYPROXY, "-d", "-c", str(conf)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:  # ready when it accepts connections
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "tinyproxy did not start"
                time.sleep(0.02)
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.skipif(TINYPROXY is None, reason="tinyproxy is not installed")
def test_socket_goes_through_the_configured_proxy(tmp_path: Path) -> None:
    with Emulator(tls=True, heartbeat_interval=0.2) as emu, tinyproxy(tmp_path, emu.port) as (proxy_url, log):
        # REST calls go direct (the client's pool is built before the proxy is set); the socket,
        # opened later, takes the proxy settings from the same Configuration.
        client = client_for(emu, ssl_ca_cert=emu.ca_file)
        client.configuration.proxy = proxy_url
        client.configuration.proxy_username, client.configuration.proxy_password = "socks", "secret-pw"
        with NotificationHandler(client) as handler:
            handler.subscribe(TOPIC)
            assert emu.publish(TOPIC, {"proxied": True}) == 1
            assert handler.next_event(timeout=30).event_body.proxied is True
        assert wait_until(lambda: [line for line in log.read_text(errors="replace").splitlines()
                                   if "CONNECT" in line and f":{emu.port}" in line],
                          what="a CONNECT line in the proxy log")
