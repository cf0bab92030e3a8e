"""The sync client's driver (``api_client.py``) with a scripted transport: the grants, renewal
ahead of expiry and on a 401, retries, pacing waits, ``with_http_info``, callback threads.

The transport is a custom ``AbstractHttpClient`` (the public extension point) that records what
it was asked to send and answers what the test says; threads are coordinated with events,
never with sleeps.
"""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.abstract_http_client import AbstractHttpClient
from PureCloudPlatformClientV2.api_client import CallbackThread, _takes_error
from PureCloudPlatformClientV2.rest import ApiConnectionError, ApiException, RESTResponse

HOST = "https://api.example.test"
USER = {"id": "u1", "name": "N"}


def reply(status: int = 200, body: Any = USER, **headers: str) -> RESTResponse:
    return RESTResponse(status, "R", {"Content-Type": "application/json", **headers},
                        b"" if body is None else json.dumps(body).encode())


def token(value: str, expires_in: int = 86400, **extra: Any) -> RESTResponse:
    return reply(200, {"access_token": value, "expires_in": expires_in, **extra})


class Transport(AbstractHttpClient):
    def __init__(self, answer: Callable[[Any], Any]) -> None:
        super().__init__()
        self.answer = answer
        self.seen: list[Any] = []
        self.tokens: list[str] = []

    def request(self, options: Any) -> Any:
        self.seen.append(options)
        self.tokens.append(options.headers.get("Authorization", ""))
        outcome = self.answer(options)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def paths(self) -> list[str]:
        return [o.url.split("example.test", 1)[1] for o in self.seen]


def client_with(transport: Transport, **settings: Any) -> sdk.ApiClient:
    settings.setdefault("live_reload_config", False)
    settings.setdefault("rate_limit_pacing", False)
    settings.setdefault("retry", sdk.RetryConfiguration(backoff_initial=0.001, backoff_max=0.001))
    client = sdk.ApiClient(configuration=sdk.Configuration.new(host=HOST, **settings))
    client.set_http_client(transport)
    return client


def form(options: Any) -> dict[str, str]:
    return dict(parse_qsl(options.encoded_body.decode()))


# -- grants ----------------------------------------------------------------------------------------------
def test_each_grant_returns_what_the_official_sdk_returns() -> None:
    answers = iter(token(f"t{n}", refresh_token=f"r{n}") for n in range(10))
    transport = Transport(lambda options: next(answers))
    client = client_with(transport)
    assert client.get_client_credentials_token("cid", "sec") is client
    assert client.get_saml2bearer_token("cid", "sec", "org", "QUJD") is client
    same, data = client.get_code_authorization_token("cid", "sec", "code", "https://r")
    assert same is client and data["access_token"] == "t2"
    same, data = client.refresh_code_authorization_token("cid", "sec", "r2")
    assert same is client and data["access_token"] == "t3"
    same, data = client.get_pkce_token("cid", "v" * 43, "code", "https://r")
    assert same is client and data == {"access_token": "t4", "expires_in": 86400, "refresh_token": "r4"}
    assert client.access_token == "t4" and client.refresh_token == "r4"
    assert {o.url for o in transport.seen} == {"https://login.example.test/oauth/token"}
    assert [form(o)["grant_type"] for o in transport.seen] == [
        "client_credentials", "urn:ietf:params:oauth:grant-type:saml2-bearer", "authorization_code",
        "refresh_token", "authorization_code"]
    assert form(transport.seen[1])["assertion"] == "QUJD" and form(transport.seen[2])["code"] == "code"
    assert form(transport.seen[4])["code_verifier"] == "v" * 43


# -- renewal ------------------------------------------------------------------------------------------------
def test_a_token_close_to_expiry_is_renewed_before_the_call() -> None:
    count = [0]

    def answer(options: Any) -> RESTResponse:
        if options.url.endswith("/oauth/token"):
            count[0] += 1
            return token(f"t{count[0]}", expires_in=10 if count[0] == 1 else 86400)
        return reply()

    transport = Transport(answer)
    client = client_with(transport)
    client.get_client_credentials_token("cid", "sec")
    assert sdk.UsersApi(client).get_user("u1").id == "u1"
    client.call_api("/api/v2/open", "GET", auth_settings=[])
    assert sdk.UsersApi(client).get_user("u1").id == "u1"
    assert client.token_renewals == 1
    assert transport.paths() == ["/oauth/token", "/oauth/token", "/api/v2/users/u1", "/api/v2/open",
                                 "/api/v2/users/u1"]
    assert transport.tokens[2] == "Bearer t2" and transport.tokens[3] == ""


def test_a_401_renews_and_replays_and_renewal_is_visible_while_it_runs() -> None:
    count = [0]
    during: list[bool] = []

    def answer(options: Any) -> RESTResponse:
        if options.url.endswith("/oauth/token"):
            count[0] += 1
            during.append(client.refresh_in_progress)
            return token(f"t{count[0]}")
        return reply() if options.headers["Authorization"] == "Bearer t2" else reply(401, {"message": "expired"})

    transport = Transport(answer)
    client = client_with(transport)
    client.get_client_credentials_token("cid", "sec")
    assert client.refresh_in_progress is False
    assert sdk.UsersApi(client).get_user("u1").id == "u1"
    assert client.token_renewals == 1 and during == [False, True] and client.refresh_in_progress is False
    client.handle_expired_access_token("t1")  # stale: nothing sent
    assert client.token_renewals == 1
    client.handle_expired_access_token()  # the current token
    assert client.token_renewals == 2 and client.access_token == "t3"
    assert transport.tokens[1] == "Bearer t1" and transport.tokens[3] == "Bearer t2"


def test_transport_errors_retry_renew_or_fail() -> None:
    outcomes: list[Any] = [ApiConnectionError("reset"), reply(), ApiException(status=401, reason="custom"),
                           token("t2"), reply(), reply(418, {"message": "teapot"})]
    transport = Transport(lambda options: outcomes.pop(0))
    client = client_with(transport)
    client.client_id, client.client_secret, client.access_token = "cid", "sec", "t1"
    client._tokens.grant = "client_credentials"
    users = sdk.UsersApi(client)
    assert users.get_user("u1").id == "u1"
    assert users.get_user("u1").id == "u1"
    assert client.access_token == "t2"
    with pytest.raises(ApiException) as caught:
        users.get_user("u1")
    assert caught.value.status == 418 and not outcomes
    assert transport.tokens[-2:] == ["Bearer t2", "Bearer t2"]


class Clock:
    """``time`` of the pipeline and of the sync driver replaced: ``sleep`` moves ``monotonic``."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_paced_call_sleeps_until_the_window_resets_then_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    from PureCloudPlatformClientV2 import _pipeline, api_client
    clock = Clock()
    monkeypatch.setattr(_pipeline, "time", clock)
    monkeypatch.setattr(api_client, "time", clock)
    limits = {"inin-ratelimit-allowed": "1", "inin-ratelimit-count": "1", "inin-ratelimit-reset": "5"}
    transport = Transport(lambda options: reply(200, USER, **limits))
    client = client_with(transport, rate_limit_pacing=True)
    client.access_token = "t"
    users = sdk.UsersApi(client)
    users.get_user("u1")  # the window: one call, resets in 5 s
    assert clock.slept == []
    users.get_user("u1")
    assert clock.slept == [5.0] and len(transport.seen) == 2
    stats = client.rate_limit_stats
    assert (stats.paced_calls, stats.waited_seconds, stats.responses_seen) == (1, 5.0, 2)


def test_a_retry_sleeps_what_the_pipeline_decided(monkeypatch: pytest.MonkeyPatch) -> None:
    from PureCloudPlatformClientV2 import _pipeline, api_client
    clock = Clock()
    monkeypatch.setattr(_pipeline, "time", clock)
    monkeypatch.setattr(api_client, "time", clock)
    answers = iter([reply(503, {"message": "busy"}, **{"Retry-After": "7"}), reply()])
    transport = Transport(lambda options: next(answers))
    client = client_with(transport)
    client.access_token = "t"
    assert sdk.UsersApi(client).get_user("u1").id == "u1"
    assert clock.slept == [7.0] and len(transport.seen) == 2


# -- with_http_info and decoding -------------------------------------------------------------------------------
def test_with_http_info_reports_the_last_response_of_the_call() -> None:
    answers = iter([reply(503, {"message": "busy"}, **{"Retry-After": "0"}), reply(200, USER, X_Seq="2")])
    transport = Transport(lambda options: next(answers))
    client = client_with(transport)
    client.access_token = "t"
    info = client.with_http_info(sdk.UsersApi(client).get_user, "u1")
    assert info.status == 200 and info.data.id == "u1" and info.headers["X_Seq"] == "2"
    with pytest.raises(RuntimeError, match="bound to this ApiClient"):
        client.with_http_info(lambda: None)
    transport.answer = lambda options: reply(204, None)
    assert client.call_api("/api/v2/thing", "DELETE") is None
    transport.answer = lambda options: reply(200, {"id": "x"})
    assert client.call_api("/api/v2/thing", "GET") is None  # no response type: nothing decoded
    assert client.call_api("/api/v2/thing", "GET", response_type="User").id == "x"
    assert client.last_response is not None and client.last_response.status == 200


# -- callbacks --------------------------------------------------------------------------------------------------
def test_callbacks_run_on_a_named_daemon_thread() -> None:
    transport = Transport(lambda options: reply())
    client = client_with(transport)
    client.access_token = "t"
    got: list[Any] = []
    thread = sdk.UsersApi(client).get_user("u1", callback=got.append)
    assert isinstance(thread, CallbackThread) and thread.daemon and thread.name == "genesys-get_user"
    thread.join(30)
    assert [u.id for u in got] == ["u1"] and thread.result.id == "u1" and thread.exception is None
    pairs: list[Any] = []
    thread = client.call_api("/api/v2/users/u1", "GET", response_type="User",
                             callback=lambda result, error: pairs.append((result, error)))
    thread.join(30)
    assert pairs[0][0].id == "u1" and pairs[0][1] is None


def test_callback_failures_go_to_two_argument_callbacks_or_the_log(caplog: pytest.LogCaptureFixture) -> None:
    transport = Transport(lambda options: reply(500, {"message": "boom"}))
    client = client_with(transport, retry=False)
    client.access_token = "t"
    pairs: list[Any] = []
    thread = sdk.UsersApi(client).get_user("u1", callback=lambda result, error: pairs.append((result, error)))
    thread.join(30)
    assert pairs[0][0] is None and isinstance(pairs[0][1], ApiException) and thread.exception is pairs[0][1]
    got: list[Any] = []
    with caplog.at_level(logging.ERROR, logger="PureCloudPlatformClientV2"):
        thread = sdk.UsersApi(client).get_user("u1", callback=got.append)
        thread.join(30)
    assert got == [] and isinstance(thread.exception, ApiException) and thread.result is None
    assert any("get_user failed in its callback thread" in r.getMessage() and r.levelno == logging.ERROR
               for r in caplog.records)


def test_which_callbacks_take_the_error() -> None:
    def one(result: Any) -> None: ...

    def two(result: Any, error: Any) -> None: ...

    def one_default(result: Any, error: Any = None) -> None: ...

    def star(*args: Any) -> None: ...

    def none() -> None: ...

    def three(a: Any, b: Any, c: Any) -> None: ...

    class Callable2:
        def __call__(self, result: Any, error: Any) -> None: ...

    assert _takes_error(two) and _takes_error(Callable2()) and _takes_error(functools.partial(three, 1))
    assert not any(_takes_error(f) for f in (one, one_default, star, none, three, functools.partial(two, 1)))
    assert _takes_error(print) is False  # builtins: one argument (or no signature at all)

    class NoSignature:
        __signature__ = "not a signature"

        def __call__(self, *args: Any) -> None: ...

    assert _takes_error(NoSignature()) is False


# -- the facade -----------------------------------------------------------------------------------------------------
def test_transport_setup_and_gateway() -> None:
    transport = Transport(lambda options: reply())
    client = client_with(transport)
    assert client.get_http_client() is transport
    with pytest.raises(ValueError, match="cannot be None"):
        client.set_http_client(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="AbstractHttpClient"):
        client.set_http_client(object())  # type: ignore[arg-type]
    assert client.set_gateway(hostname="gw.example.test", scheme="https", api_path="/api-gw") is client
    client.access_token = "t"
    sdk.UsersApi(client).get_user("u1")
    assert transport.seen[0].url == "https://gw.example.test/api-gw/api/v2/users/u1"
    default = sdk.ApiClient(configuration=sdk.Configuration.new(host=HOST, live_reload_config=False))
    made = default.get_http_client()
    assert type(made).__name__ == "DefaultHttpClient" and default.get_http_client() is made
