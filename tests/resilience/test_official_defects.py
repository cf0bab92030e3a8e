"""Each defect of the official SDK 269.0.0 that we fix, with a test that would fail on it."""
from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

import PureCloudPlatformClientV2 as gc
from PureCloudPlatformClientV2._serde import decode
from PureCloudPlatformClientV2.abstract_http_client import AbstractHttpClient
from PureCloudPlatformClientV2.default_http_client import DefaultHttpClient
from PureCloudPlatformClientV2.rest import ApiException
from tests.conftest import CapturingClient


def _client(transport: AbstractHttpClient) -> gc.ApiClient:
    client = gc.ApiClient(host="https://api.example.test", configuration=gc.Configuration.new())
    client.access_token = "t"
    client.set_http_client(transport)
    return client


def test_hooks_accept_bound_methods_and_callable_objects() -> None:
    class Auditor:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def before(self, options: Any) -> None:
            self.seen.append(options.method)

        def __call__(self, response: Any) -> Any:
            self.seen.append("after")
            return response

    auditor = Auditor()
    http = DefaultHttpClient()
    http.set_pre_request_hook(auditor.before)   # the official SDK rejects bound methods
    http.set_post_request_hook(auditor)
    with pytest.raises(ValueError, match="one positional argument"):
        http.set_pre_request_hook(lambda a, b: None)
    with pytest.raises(ValueError, match="callable"):
        http.set_post_request_hook("not callable")  # type: ignore[arg-type]


def test_callback_gets_errors_or_they_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    client = _client(CapturingClient(status=404, body={"message": "nope", "code": "not.found"}))
    users = gc.UsersApi(client)
    done = threading.Event()
    received: list[Any] = []

    def two_args(result: Any, error: BaseException | None) -> None:
        received.append((result, error))
        done.set()

    thread = users.get_user("x", callback=two_args)
    assert done.wait(10)
    thread.join(10)
    assert received[0][0] is None and isinstance(received[0][1], ApiException)
    assert isinstance(thread.exception, ApiException) and thread.exception.status == 404

    with caplog.at_level(logging.ERROR, logger="PureCloudPlatformClientV2"):
        thread = users.get_user("x", callback=lambda result: None)
        thread.join(10)
    assert isinstance(thread.exception, ApiException)
    assert any("get_user failed in its callback thread" in r.getMessage() for r in caplog.records)


def test_callback_receives_the_result_on_success() -> None:
    client = _client(CapturingClient(body={"id": "u1", "name": "Ann"}))
    got: list[Any] = []
    thread = gc.UsersApi(client).get_user("u1", callback=got.append)
    thread.join(10)
    assert got[0].name == "Ann" and thread.result is got[0] and thread.exception is None


def test_null_in_an_enum_field_is_none() -> None:
    assert decode({"state": None, "name": "x"}, "User").state is None


def test_pkce_verifier_comes_from_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    import random
    import secrets
    calls = {"secrets": 0}
    original = secrets.choice

    def counting_choice(seq: Any) -> Any:
        calls["secrets"] += 1
        return original(seq)

    monkeypatch.setattr(secrets, "choice", counting_choice)
    monkeypatch.setattr(random, "choice", lambda seq: pytest.fail("random.choice used for a PKCE verifier"))
    verifier = gc.ApiClient(configuration=gc.Configuration.new()).generate_pkce_code_verifier(64)
    assert len(verifier) == 64 and calls["secrets"] == 64
    assert set(verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    with pytest.raises(ValueError):
        gc.ApiClient(configuration=gc.Configuration.new()).generate_pkce_code_verifier(42)


def test_pkce_challenge_is_rfc7636_s256() -> None:
    # RFC 7636 appendix B example
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    client = gc.ApiClient(configuration=gc.Configuration.new())
    assert client.compute_pkce_code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_connection_pool_is_sized_for_concurrency() -> None:
    config = gc.Configuration.new()
    assert config.pool_maxsize >= 16
    config.pool_maxsize = 64
    pool = DefaultHttpClient(configuration=config).pool()
    assert pool.connection_pool_kw["maxsize"] == 64


def test_206_and_every_2xx_is_success() -> None:
    for status in (200, 201, 202, 204, 206):
        client = _client(CapturingClient(status=status, body={"id": "u1"}))
        assert gc.UsersApi(client).get_user("u1").id == "u1"


def test_request_timeout_is_applied_by_default() -> None:
    config = gc.Configuration.new()
    http = DefaultHttpClient(configuration=config)
    options = gc.HttpRequestOptions(url="https://x.test", method="GET")
    assert http.timeouts_for(options, config) == (config.connect_timeout, config.read_timeout)
    http.set_timeout(2500)  # milliseconds, as AbstractHttpClient documents
    assert http.timeouts_for(options, config) == (2.5, 2.5)


def test_importing_does_not_silence_other_loggers() -> None:
    import subprocess
    import sys
    code = ("import logging; import PureCloudPlatformClientV2 as g; g.UsersApi; "
            "print(logging.getLogger('urllib3').level, logging.getLogger('urllib3').propagate, "
            "logging.getLogger('watchdog').propagate)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "True", "True"]
