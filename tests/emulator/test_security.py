"""The emulator is safe to leave running: the control API needs its secret and its own Host,
redirects go only to registered URIs, malformed input gets 400/413, never a 500 with internals."""
from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.emulator.security import CONTROL_HEADER, MAX_JSON_DEPTH

ROOT = Path(__file__).resolve().parents[2]


def _control(emu, name, body=b"{}", headers=None):
    hdrs = {**emu.control_headers, **(headers or {})}
    return requests.post(f"{emu.control_url}/{name}", data=body, headers=hdrs, timeout=10)


def test_control_api_requires_the_secret(emulator):
    assert emulator.control_secret and len(emulator.control_secret) >= 24
    ok = _control(emulator, "info")
    assert ok.status_code == 200 and ok.json()["result"]["admin_user_id"] == emulator.admin_user_id
    for bad in ({CONTROL_HEADER: ""}, {CONTROL_HEADER: "wrong"}):
        resp = _control(emulator, "info", headers=bad)
        assert resp.status_code == 401
        assert emulator.client_secret not in resp.text
        assert resp.json()["code"] == "authentication.required" and resp.json()["status"] == 401


def test_control_api_refuses_cross_site_and_rebinding(emulator):
    # A web page's "simple" request: text/plain, a foreign Origin (and no secret it could know).
    plain = _control(emulator, "reset", headers={"Content-Type": "text/plain", "Origin": "http://evil.example"})
    assert plain.status_code == 403
    # Even with the secret, a foreign Origin or a DNS-rebound Host name is refused.
    assert _control(emulator, "info", headers={"Origin": "https://evil.example"}).status_code == 403
    assert _control(emulator, "info", headers={"Host": f"evil.example:{emulator.port}"}).status_code == 403
    assert _control(emulator, "info", headers={"Content-Type": "text/plain"}).status_code == 415
    # Own names are fine.
    assert _control(emulator, "info", headers={"Host": f"localhost:{emulator.port}",
                                               "Origin": f"http://localhost:{emulator.port}"}).status_code == 200


def test_api_host_refuses_rebound_host_and_foreign_origin(api, emulator):
    assert api.get("/api/v2/users", headers={"Host": "attacker.example"}).status_code == 403
    assert api.get("/api/v2/users", headers={"Origin": "https://attacker.example"}).status_code == 403
    token = requests.post(emulator.login_url + "/oauth/token", data={"grant_type": "client_credentials"},
                          auth=(emulator.client_id, emulator.client_secret),
                          headers={"Host": "rebound.attacker.example"}, timeout=10)
    assert token.status_code == 403 and "access_token" not in token.text
    assert api.get("/api/v2/users", headers={"Origin": "http://localhost:3000"}).status_code == 200


def test_control_api_malformed_input_is_400(emulator):
    for body in (b"{not json", b"[1, 2]", b"[" * 100_000 + b"]" * 100_000):
        resp = _control(emulator, "entities", body=body)
        assert resp.status_code == 400, resp.text
        assert resp.json()["code"] == "bad.request" and "Error" not in resp.json()["message"]
    for name, kwargs in (("seed", {"collection": "users", "entities": ["not an object"]}),
                         ("advance_clock", {"seconds": "soon"}), ("entities", {"collection": 7}),
                         ("issue_token", {"bogus": 1})):
        resp = _control(emulator, name, body=json.dumps(kwargs).encode())
        assert resp.status_code == 400, (name, resp.text)
    unknown = _control(emulator, "no_such_call")
    assert unknown.status_code == 400 and "no_such_call" in unknown.json()["message"]


def test_deep_and_invalid_json_bodies_are_400(api):
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * (MAX_JSON_DEPTH + 5) + b"1" + b"}" * (MAX_JSON_DEPTH + 5),
                 b"{\"name\": "):
        resp = api.post("/api/v2/routing/queues", data=body, headers={"Content-Type": "application/json"})
        assert resp.status_code == 400, resp.text[:200]
        assert set(resp.json()) >= {"message", "code", "status", "contextId"}
        assert "RecursionError" not in resp.text and "Traceback" not in resp.text


def test_oversize_body_is_413_in_platform_shape():
    with Emulator(max_body_size=1024) as emu:
        token = emu.issue_token()
        resp = requests.post(emu.base_url + "/api/v2/routing/queues", data=b'{"name": "' + b"x" * 4096 + b'"}',
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                             timeout=10)
        assert resp.status_code == 413
        body = resp.json()
        assert body["status"] == 413 and "1024" in body["message"] and "Retry-After" not in resp.headers

        def chunks():
            yield b'{"name": "'
            for _ in range(8):
                yield b"y" * 512
            yield b'"}'
        chunked = requests.post(emu.base_url + "/api/v2/routing/queues", data=chunks(),
                                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                                timeout=10)
        assert chunked.status_code == 413
        form = requests.post(emu.login_url + "/oauth/token", data={"grant_type": "client_credentials",
                                                                   "pad": "z" * 4096},
                             auth=(emu.client_id, emu.client_secret), timeout=10)
        assert form.status_code == 413


def test_authorize_redirects_only_to_registered_or_default_loopback(emulator):
    def authorize(client_id, uri):
        return requests.get(emulator.login_url + "/oauth/authorize", params={
            "response_type": "code", "client_id": client_id, "redirect_uri": uri},
            allow_redirects=False, timeout=10)
    # Default client: the documented loopback URIs, on any port; nothing else.
    assert authorize(emulator.client_id, "http://127.0.0.1:53111/callback").status_code == 302
    assert authorize(emulator.client_id, "http://localhost/callback").status_code == 302
    for evil in ("https://evil.example/callback", "http://localhost.evil.example/callback",
                 "http://127.0.0.1:9/other", "https://localhost/callback"):
        resp = authorize(emulator.client_id, evil)
        assert resp.status_code == 400 and "Location" not in resp.headers, evil
    # A client registered without URIs gets the same defaults, not "anything".
    bare = emulator.register_client()
    assert authorize(bare["client_id"], "https://evil.example/cb").status_code == 400
    # A registered URI is matched exactly.
    reg = emulator.register_client(redirect_uris=["https://app.example/cb"])
    assert authorize(reg["client_id"], "https://app.example/cb").status_code == 302
    assert authorize(reg["client_id"], "https://app.example/cb2").status_code == 400


def test_injected_reset_logs_one_debug_line_and_no_traceback(api, emulator, caplog):
    caplog.set_level(logging.DEBUG, logger="PureCloudPlatformClientV2.emulator")
    emulator.add_fault("reset", "/api/v2/users", times=1)
    with pytest.raises(requests.ConnectionError):
        api.get("/api/v2/users")
    assert api.get("/api/v2/users").status_code == 200
    lines = [r for r in caplog.records if "reset" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.DEBUG and lines[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_cli_prints_control_secret_binds_loopback_and_resets_quietly(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "PureCloudPlatformClientV2.emulator", "--port", str(port),
                             "--fault", "reset@/api/v2/users,times=1"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
        control = next(line for line in lines if CONTROL_HEADER in line)
        secret = control.rsplit(" ", 1)[1].strip()
        assert "127.0.0.1" in lines[0]
        base = f"http://127.0.0.1:{port}"
        info = requests.post(f"{base}/__emulator/admin/issue_token", json={},
                             headers={CONTROL_HEADER: secret}, timeout=10)
        assert info.status_code == 200
        token = info.json()["result"]
        assert requests.post(f"{base}/__emulator/admin/issue_token", json={}, timeout=10).status_code == 401
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{base}/api/v2/users", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert requests.get(f"{base}/api/v2/users", headers={"Authorization": f"Bearer {token}"},
                            timeout=10).status_code == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err


def test_subprocess_emulator_sends_its_secret(tmp_path):
    with Emulator(mode="subprocess", control_secret="a-test-secret-of-enough-length") as emu:
        assert emu.control_secret == "a-test-secret-of-enough-length"
        assert emu.issue_token()  # goes through the HTTP control API with the header
        resp = requests.post(f"{emu.root_url}/__emulator/admin/info", data=json.dumps({}),
                             headers={"Content-Type": "application/json"}, timeout=10)
        assert resp.status_code == 401 and emu.client_secret not in resp.text


def test_bound_elsewhere_same_origin_is_accepted_but_control_api_keeps_its_names():
    # Unit-level (no socket on other interfaces in tests): the guard of an emulator told to bind 0.0.0.0.
    from aiohttp.test_utils import make_mocked_request

    from PureCloudPlatformClientV2.emulator.errors import ApiError
    from PureCloudPlatformClientV2.emulator.security import Guard

    guard = Guard("0.0.0.0", "s3cret-s3cret-s3cret")

    def req(path, **headers):
        return make_mocked_request("POST", path, headers={"Content-Type": "application/json", **headers})
    guard.check_request(req("/api/v2/users", Host="build-box:8443"))  # reachable by the machine's names
    guard.check_request(req("/api/v2/users", Host="build-box:8443", Origin="http://build-box:8443"))
    for bad in (req("/api/v2/users", Host="build-box:8443", Origin="http://evil.example"),):
        with pytest.raises(ApiError) as info:
            guard.check_request(bad)
        assert info.value.status == 403
    with pytest.raises(ApiError) as ctl:
        guard.check_control(req("/__emulator/admin/info", Host="build-box:8443",
                                **{CONTROL_HEADER: "s3cret-s3cret-s3cret"}))
    assert ctl.value.status == 403
    guard.check_control(req("/__emulator/admin/info", Host="127.0.0.1:8443", **{CONTROL_HEADER: "s3cret-s3cret-s3cret"}))
