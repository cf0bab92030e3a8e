"""TLS with the generated CA, with a given certificate, mTLS, and gateway path prefixes."""
from __future__ import annotations

import ssl

import pytest
import requests
import trustme

from PureCloudPlatformClientV2.emulator import Emulator


def _token(emu, **kw):
    resp = requests.post(emu.login_url + "/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(emu.client_id, emu.client_secret), timeout=10, **kw)
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def test_generated_ca_is_written_and_trusted():
    with Emulator(tls=True) as emu:
        assert emu.base_url.startswith("https://") and emu.ca_file
        token = _token(emu, verify=emu.ca_file)
        resp = requests.get(emu.base_url + "/api/v2/users", headers={"Authorization": f"Bearer {token}"},
                            verify=emu.ca_file, timeout=10)
        assert resp.status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(emu.base_url + "/api/v2/users", timeout=10)  # system trust store does not know our CA


def test_given_certificate_and_key(tmp_path):
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    cert, key, ca_file = tmp_path / "server.pem", tmp_path / "server.key", tmp_path / "ca.pem"
    server.cert_chain_pems[0].write_to_path(str(cert))
    server.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_file))
    with Emulator(cert_file=cert, key_file=key) as emu:
        assert emu.ca_file is None  # the caller owns the CA
        assert _token(emu, verify=str(ca_file))


def test_mutual_tls_requires_client_certificate(tmp_path):
    server_ca, client_ca = trustme.CA(), trustme.CA()
    server = server_ca.issue_cert("127.0.0.1")
    client = client_ca.issue_cert("client@example.com")
    paths = {name: tmp_path / f"{name}.pem" for name in ("server", "server_key", "server_ca", "client_ca",
                                                          "client", "client_key")}
    server.cert_chain_pems[0].write_to_path(str(paths["server"]))
    server.private_key_pem.write_to_path(str(paths["server_key"]))
    server_ca.cert_pem.write_to_path(str(paths["server_ca"]))
    client_ca.cert_pem.write_to_path(str(paths["client_ca"]))
    client.cert_chain_pems[0].write_to_path(str(paths["client"]))
    client.private_key_pem.write_to_path(str(paths["client_key"]))
    with Emulator(cert_file=paths["server"], key_file=paths["server_key"], client_ca=paths["client_ca"]) as emu:
        verify = str(paths["server_ca"])
        with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
            _token(emu, verify=verify)
        token = _token(emu, verify=verify, cert=(str(paths["client"]), str(paths["client_key"])))
        resp = requests.get(emu.base_url + "/api/v2/users/me", headers={"Authorization": f"Bearer {token}"},
                            verify=verify, cert=(str(paths["client"]), str(paths["client_key"])), timeout=10)
        assert resp.status_code == 400  # reached the API: client credentials have no user context
        # A certificate from another CA is refused too.
        stranger = trustme.CA().issue_cert("x@example.com")
        stranger.cert_chain_pems[0].write_to_path(str(tmp_path / "s.pem"))
        stranger.private_key_pem.write_to_path(str(tmp_path / "s.key"))
        with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError, ssl.SSLError)):
            _token(emu, verify=verify, cert=(str(tmp_path / "s.pem"), str(tmp_path / "s.key")))


def test_gateway_path_prefixes():
    with Emulator(prefix_login="/gw/login", prefix_api="gw/api", seed_users=3) as emu:
        assert emu.login_url.endswith("/gw/login") and emu.base_url.endswith("/gw/api")
        token = _token(emu)
        headers = {"Authorization": f"Bearer {token}"}
        page = requests.get(emu.base_url + "/api/v2/users", params={"pageSize": 2}, headers=headers, timeout=10)
        assert page.status_code == 200
        # Paging links are relative to the configured host (which carries the prefix).
        assert page.json()["nextUri"].startswith("/api/v2/users?")
        assert requests.get(emu.base_url + page.json()["nextUri"], headers=headers, timeout=10).status_code == 200
        unprefixed = requests.get(emu.root_url + "/api/v2/users", headers=headers, timeout=10)
        assert unprefixed.status_code == 404 and unprefixed.json()["code"] == "not.found"
        assert requests.post(emu.root_url + "/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(emu.client_id, emu.client_secret), timeout=10).status_code == 404
