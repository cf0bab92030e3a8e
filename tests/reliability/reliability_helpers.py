"""Shared helpers of the reliability suite: resource counting, the fault server, TLS material, polling."""
from __future__ import annotations

import datetime
import gc
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import RetryConfiguration

HERE = Path(__file__).resolve().parent


# -- resources -------------------------------------------------------------------------
@dataclass(frozen=True)
class Resources:
    threads: int
    fds: int
    sockets: int

    def __str__(self) -> str:
        return f"threads={self.threads} fds={self.fds} sockets={self.sockets}"


def resources() -> Resources:
    """Threads, open file descriptors and sockets of this process (Linux /proc)."""
    gc.collect()  # dropped-but-unclosed connections count until collected; a leak survives this
    fds = sockets = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # the listing's own descriptor, already closed
        fds += 1
        sockets += target.startswith("socket:")
    return Resources(threading.active_count(), fds, sockets)


def rss_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def wait_until(predicate: Callable[[], Any], deadline: float = 10.0, interval: float = 0.01) -> bool:
    """Poll ``predicate`` until true or ``deadline`` seconds passed (for effects of other threads)."""
    end = time.monotonic() + deadline
    while not predicate():
        if time.monotonic() > end:
            return False
        time.sleep(interval)
    return True


def assert_no_leak(before: Resources, client: sdk.ApiClient | None = None) -> None:
    """After a call: at most the pooled keep-alive connection is left; none once the pool is dropped.

    Threads of finished calls may take a moment to exit, so the thread count is polled."""
    during = resources()
    assert during.sockets <= before.sockets + 1, f"sockets before: {before}, after the call: {during}"
    if client is not None and client.http_client is not None:
        client.http_client.reset()  # type: ignore[attr-defined]
        # ``last_response.urllib3_response`` keeps its socket object alive (urllib3 holds a bound
        # ``sock.shutdown``) after the pool closed the connection: bounded, one per client.
        client.last_response = None
    assert wait_until(lambda: resources().threads <= before.threads, 5), f"threads: {before} -> {resources()}"
    after = resources()
    assert after.sockets <= before.sockets and after.fds <= before.fds, f"before: {before}, after: {after}"


# -- clients -------------------------------------------------------------------------------
def fast_retry(**changes: Any) -> RetryConfiguration:
    """The default policy with short backoff, so retried faults finish quickly."""
    settings: dict[str, Any] = {"backoff_initial": 0.02, "backoff_max": 0.1, "max_retry_time": 10.0}
    settings.update(changes)
    return RetryConfiguration(**settings)


def new_client(host: str, token: str | None = "test-token", **settings: Any) -> sdk.ApiClient:
    """An ApiClient on its own Configuration (no config-file watcher thread)."""
    settings.setdefault("live_reload_config", False)
    settings.setdefault("connect_timeout", 2.0)
    settings.setdefault("read_timeout", 2.0)
    config = sdk.Configuration.new(host=host, **settings)
    config.retry = fast_retry()
    client = sdk.ApiClient(configuration=config)
    if token:
        client.access_token = token
    return client


# -- TLS material (trustme) --------------------------------------------------------------------
class TlsMaterial:
    """Certificates for the fault server, written to ``directory``.

    ``ca.pem`` signs ``good`` (127.0.0.1), ``expired`` and ``wrong_host`` (other.example);
    ``untrusted`` comes from a CA the client is never told about; ``client_ca.pem`` signs ``client``.
    """

    def __init__(self, directory: Path) -> None:
        import trustme
        self.directory = directory
        ca, stranger, client_ca = trustme.CA(), trustme.CA(), trustme.CA()
        now = datetime.datetime.now(datetime.timezone.utc)
        leaves = {
            "good": ca.issue_cert("127.0.0.1", "localhost"),
            "expired": ca.issue_cert("127.0.0.1", not_before=now - datetime.timedelta(days=30),
                                     not_after=now - datetime.timedelta(days=1)),
            "wrong_host": ca.issue_cert("other.example"),
            "untrusted": stranger.issue_cert("127.0.0.1"),
            "client": client_ca.issue_cert("client@example.com"),
        }
        for name, leaf in leaves.items():
            leaf.cert_chain_pems[0].write_to_path(str(directory / f"{name}.pem"))
            leaf.private_key_pem.write_to_path(str(directory / f"{name}.key"))
        ca.cert_pem.write_to_path(str(directory / "ca.pem"))
        client_ca.cert_pem.write_to_path(str(directory / "client_ca.pem"))
        self.ca = str(directory / "ca.pem")
        self.client_cert = str(directory / "client.pem")
        self.client_key = str(directory / "client.key")


class FaultServer:
    """``fault_server.py`` in a subprocess; ``url(port_name)`` is a host for ``Configuration.host``."""

    def __init__(self, tls: TlsMaterial) -> None:
        self.proc = subprocess.Popen([sys.executable, str(HERE / "fault_server.py"), str(tls.directory)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"fault server exited with {self.proc.wait()}")
        self.ports: dict[str, int] = json.loads(line)

    def url(self, name: str = "plain") -> str:
        scheme = "http" if name in ("plain", "other") else "https"
        return f"{scheme}://127.0.0.1:{self.ports[name]}"

    def other_hits(self) -> list[dict[str, str]]:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.url("plain") + "/__hits", timeout=10) as resp:
            return json.loads(resp.read())  # type: ignore[no-any-return]

    def seen(self, behaviour: str) -> int:
        """How many requests for ``behaviour`` reached the plain port so far."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.url("plain") + "/__seen", timeout=10) as resp:
            return int(json.loads(resp.read()).get(behaviour, 0))

    def stop(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
