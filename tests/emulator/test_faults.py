"""Fault injection from the Python API and the CLI syntax."""
from __future__ import annotations

import time

import pytest
import requests

from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.emulator.faults import parse_fault


def test_429_with_retry_after_then_recovers(api, emulator):
    emulator.add_fault(429, "/api/v2/users", times=2, retry_after=3)
    for _ in range(2):
        resp = api.get("/api/v2/users")
        assert resp.status_code == 429
        assert resp.headers["Retry-After"] == "3"
        assert resp.json()["code"] == "too.many.requests.retry.after"
        assert "[3] seconds" in resp.json()["message"]
        assert resp.headers["ININ-Correlation-Id"]
    assert api.get("/api/v2/users").status_code == 200
    assert emulator.faults() == []


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_global(api, emulator, status):
    fault_id = emulator.add_fault(status)
    assert api.get("/api/v2/users").status_code == status
    assert api.get("/api/v2/routing/queues").status_code == status
    assert emulator.remove_fault(fault_id)
    assert api.get("/api/v2/users").status_code == 200


def test_fault_by_operation_and_method(api, emulator):
    emulator.add_fault(503, operation="post_users")
    assert api.get("/api/v2/users").status_code == 200
    assert api.post("/api/v2/users", json={"name": "x", "email": "x@example.com"}).status_code == 503
    emulator.clear_faults()
    emulator.add_fault(502, "/api/v2/users", method="POST")
    assert api.get("/api/v2/users").status_code == 200
    assert api.post("/api/v2/users", json={"name": "x", "email": "x@example.com"}).status_code == 502


def test_fault_on_token_endpoint(emulator):
    emulator.add_fault(503, "/oauth/token", times=1)
    creds = (emulator.client_id, emulator.client_secret)
    first = requests.post(emulator.login_url + "/oauth/token", data={"grant_type": "client_credentials"},
                          auth=creds, timeout=10)
    assert first.status_code == 503
    second = requests.post(emulator.login_url + "/oauth/token", data={"grant_type": "client_credentials"},
                           auth=creds, timeout=10)
    assert second.status_code == 200
    assert emulator.token_requests("client_credentials") == 2  # counted on arrival, faulted or not


def test_latency(api, emulator):
    emulator.add_fault("latency", "/api/v2/users", delay=0.3, times=1)
    start = time.monotonic()
    assert api.get("/api/v2/users").status_code == 200
    assert time.monotonic() - start >= 0.3


def test_connection_reset(api, emulator):
    emulator.add_fault("reset", "/api/v2/users", times=1)
    with pytest.raises(requests.ConnectionError):
        api.get("/api/v2/users")
    assert api.get("/api/v2/users").status_code == 200


def test_truncated_body(api, emulator):
    emulator.add_fault("truncate", "/api/v2/users", times=1)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        api.get("/api/v2/users")
    assert api.get("/api/v2/users").status_code == 200


def test_stall_until_client_timeout(api, emulator):
    emulator.add_fault("stall", "/api/v2/users", times=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.session.get(emulator.base_url + "/api/v2/users", timeout=0.3)
    assert api.get("/api/v2/users").status_code == 200


def test_expire_tokens_fault(api, emulator):
    emulator.add_fault("expire_tokens", "/api/v2/users")
    resp = api.get("/api/v2/users")
    assert resp.status_code == 401
    assert emulator.faults() == []  # expire_tokens defaults to once


def test_parse_fault_cli_syntax():
    fault = parse_fault("429@GET /api/v2/users*,times=2,retry_after=5")
    assert (fault.kind, fault.status, fault.method, fault.route, fault.times, fault.retry_after) == \
        ("status", 429, "GET", "/api/v2/users*", 2, 5)
    assert parse_fault("latency@/api/v2/*,delay=0.25").delay == 0.25
    assert parse_fault("503").route is None
    assert parse_fault("reset,operation=get_users").operation == "get_users"
    with pytest.raises(ValueError):
        parse_fault("explode")
    with pytest.raises(ValueError):
        parse_fault("429,bogus=1")


def test_subprocess_mode_with_cli_fault():
    with Emulator(mode="subprocess", faults=["503@/api/v2/users,times=1"]) as emu:
        token = emu.issue_token()
        headers = {"Authorization": f"Bearer {token}"}
        assert requests.get(emu.base_url + "/api/v2/users", headers=headers, timeout=10).status_code == 503
        assert requests.get(emu.base_url + "/api/v2/users", headers=headers, timeout=10).status_code == 200
        emu.add_fault(429, "/api/v2/users", retry_after=2)
        assert requests.get(emu.base_url + "/api/v2/users", headers=headers, timeout=10).headers["Retry-After"] == "2"
        assert emu.request_count("get_users") == 3
