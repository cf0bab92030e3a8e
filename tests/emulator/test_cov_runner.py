"""The Emulator runner: argument checks, start-up failures, and a subprocess emulator with every
command-line option the runner passes on (prefixes, TLS, allowed hosts, faults, rate limit)."""
from __future__ import annotations

import socket
import urllib.error

import pytest
import requests

from PureCloudPlatformClientV2.emulator.faults import make_fault, parse_fault
from PureCloudPlatformClientV2.emulator.runner import Emulator


def test_constructor_checks_mode_and_certificate_pair(tmp_path):
    with pytest.raises(ValueError, match="mode"):
        Emulator(mode="process")
    with pytest.raises(ValueError, match="cert_file and key_file"):
        Emulator(cert_file=tmp_path / "cert.pem")
    with pytest.raises(ValueError, match="cert_file and key_file"):
        Emulator(key_file=tmp_path / "key.pem")


def test_control_call_on_a_stopped_emulator_fails():
    emu = Emulator()
    with pytest.raises(RuntimeError, match="not running"):
        emu.stats()
    emu.stop()  # stopping what never started is harmless


def test_thread_mode_start_failure_is_reported_and_port_stays_free():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        emu = Emulator(port=port)
        with pytest.raises(RuntimeError, match="failed to start"):
            emu.start()
        with pytest.raises(RuntimeError, match="not running"):
            emu.stats()


def test_subprocess_start_failure_is_reported():
    emu = Emulator(mode="subprocess", faults=["not-a-fault-kind"])
    with pytest.raises(RuntimeError, match="exited with"):
        emu.start()
    with pytest.raises(RuntimeError, match="not running"):
        emu.stats()


def test_thread_mode_faults_at_start_and_control_helpers():
    with Emulator(faults=["503@/api/v2/users,times=1"]) as emu:
        assert emu.start() is emu  # starting again is a no-op
        token = emu.issue_token()
        headers = {"Authorization": f"Bearer {token}"}
        first = requests.get(emu.base_url + "/api/v2/users", headers=headers, timeout=10)
        second = requests.get(emu.base_url + "/api/v2/users", headers=headers, timeout=10)
        assert (first.status_code, second.status_code) == (503, 200)
        stats = emu.stats()
        assert stats["requests"]["get_users"] == 2 and stats["tokens"] == 1 and stats["channels"] == 0
        emu.reset_counters()
        assert emu.request_count() == 0 and emu.stats()["requests"] == {}
        group = emu.add_group("Support")
        assert group["type"] == "official" and emu.get_entity("groups", group["id"])["name"] == "Support"
        assert emu.channels() == []


def test_subprocess_with_prefixes_tls_allowed_host_faults_and_rate_limit():
    with Emulator(mode="subprocess", tls=True, prefix_login="/gw/login/", prefix_api="gw/api",
                  allowed_hosts=["emulator.test"], faults=["503@/api/v2/users,times=1"],
                  rate_limit=3, rate_limit_window=600) as emu:
        assert emu.ca_file and emu.base_url.startswith("https://") and emu.base_url.endswith("/gw/api")
        assert emu.login_url.endswith("/gw/login")
        resp = requests.post(emu.login_url + "/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(emu.client_id, emu.client_secret), verify=emu.ca_file, timeout=10)
        assert resp.status_code == 200, resp.text
        headers = {"Authorization": "Bearer " + resp.json()["access_token"]}
        url = emu.base_url + "/api/v2/users"
        statuses = []
        for _ in range(4):
            r = requests.get(url, headers=headers, verify=emu.ca_file, timeout=10)
            statuses.append(r.status_code)
            assert r.headers["inin-ratelimit-allowed"] == "3"
        assert statuses == [503, 200, 200, 429]  # the fault, two more calls, then over the allowance
        # A host name given with allowed_hosts is answered, others are refused (a fresh token: the
        # first one is over its allowance).
        other = {"Authorization": "Bearer " + emu.issue_token()}
        ok = requests.get(url, headers={**other, "Host": "emulator.test"}, verify=emu.ca_file, timeout=10)
        assert ok.status_code == 200 and ok.headers["inin-ratelimit-count"] == "1"
        bad = requests.get(url, headers={**other, "Host": "attacker.example"}, verify=emu.ca_file, timeout=10)
        assert bad.status_code == 403 and bad.json()["code"] == "forbidden"
        # Control calls go over HTTPS; a bad one raises ValueError as in-process.
        assert emu.request_count("get_users") >= 4
        with pytest.raises(ValueError, match="unknown collection"):
            emu.entities("no-such-collection-anywhere")
        # Other control API refusals are raised as they come (here: a wrong control secret).
        secret, emu.control_secret = emu.control_secret, "not-the-secret"
        with pytest.raises(urllib.error.HTTPError) as refused:
            emu.stats()
        assert refused.value.code == 401
        emu.control_secret = secret
        assert emu.stats()["tokens"] == 2
        emu.stop()
        emu.stop()  # twice is fine
    with pytest.raises(RuntimeError, match="not running"):
        emu.stats()


def test_fault_specs_are_checked():
    with pytest.raises(ValueError, match="needs a status code"):
        make_fault("status")
    with pytest.raises(ValueError, match="not key=value"):
        parse_fault("503@/api/v2/users,times")
    fault = parse_fault("429@GET /api/v2/users*,times=2,retry_after=3,delay=0.5,operation=get_users")
    assert (fault.kind, fault.status, fault.method, fault.route, fault.times, fault.retry_after, fault.delay) == (
        "status", 429, "GET", "/api/v2/users*", 2, 3, 0.5)


def test_subprocess_with_mutual_tls_starts_and_requires_client_certificates(tmp_path):
    trustme = pytest.importorskip("trustme")
    server_ca, client_ca = trustme.CA(), trustme.CA()
    server, client = server_ca.issue_cert("127.0.0.1"), client_ca.issue_cert("client@example.com")
    paths = {n: tmp_path / f"{n}.pem" for n in ("server", "server_key", "server_ca", "client_ca", "client",
                                                 "client_key")}
    server.cert_chain_pems[0].write_to_path(str(paths["server"]))
    server.private_key_pem.write_to_path(str(paths["server_key"]))
    server_ca.cert_pem.write_to_path(str(paths["server_ca"]))
    client_ca.cert_pem.write_to_path(str(paths["client_ca"]))
    client.cert_chain_pems[0].write_to_path(str(paths["client"]))
    client.private_key_pem.write_to_path(str(paths["client_key"]))
    # Before the fix the runner's own control calls had no client certificate: start() failed.
    with Emulator(mode="subprocess", cert_file=paths["server"], key_file=paths["server_key"],
                  client_ca=paths["client_ca"]) as emu:
        assert emu.admin_user_id and emu.stats()["tokens"] == 0  # control calls pass the handshake
        verify, cert = str(paths["server_ca"]), (str(paths["client"]), str(paths["client_key"]))
        url = emu.login_url + "/oauth/token"
        form, auth = {"grant_type": "client_credentials"}, (emu.client_id, emu.client_secret)
        with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
            requests.post(url, data=form, auth=auth, verify=verify, timeout=10)
        ok = requests.post(url, data=form, auth=auth, verify=verify, cert=cert, timeout=10)
        assert ok.status_code == 200 and emu.token_requests() == 1
