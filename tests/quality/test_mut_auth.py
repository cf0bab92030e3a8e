"""Token state and renewal (``_auth.TokenState``), unit by unit.

``TokenState`` builds each grant's token request and reads the answer; the facade sends it.
These tests give it a ``send`` of their own (recording the requests, answering what the
test says) and check what it sends, what it keeps, and that renewal happens once per
distinct expiry for threads and for asyncio tasks. Waits are bounded by events, never by
sleeps; the one clock-dependent decision (renew ahead of expiry) uses a fake clock.
"""
from __future__ import annotations

import asyncio
import base64
import threading
import types
from typing import Any
from urllib.parse import parse_qsl

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import _auth
from PureCloudPlatformClientV2._auth import RENEW_AHEAD, TokenState
from PureCloudPlatformClientV2._request import Request
from PureCloudPlatformClientV2.rest import ApiException, ApiResponseError, RESTResponse

RETRY = sdk.RetryConfiguration(max_retries=2)


class Clock:
    def __init__(self, now: float = 500.0) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now


def config(**values: Any) -> Any:
    defaults = {"should_refresh_access_token": True, "refresh_token_wait_time": 10, "retry": RETRY,
                "access_token": "configured"}
    return types.SimpleNamespace(**{**defaults, **values})


def token_response(token: str = "new", **extra: Any) -> RESTResponse:
    import json
    return RESTResponse(200, "OK", {}, json.dumps({"access_token": token, **extra}).encode())


def form(request: Request) -> dict[str, str]:
    assert request.encoded is not None
    return dict(parse_qsl(request.encoded.decode()))


def basic(request: Request) -> str:
    auth = request.headers["Authorization"]
    assert auth.startswith("Basic ")
    return base64.b64decode(auth[len("Basic "):]).decode()


# -- grant requests ----------------------------------------------------------------------------------
def test_client_credentials_request() -> None:
    tokens = TokenState()
    request = tokens.grant_request("client_credentials", "cid", "sec", retry=RETRY)
    assert (request.method, request.path, request.auth, request.name, request.kind) == (
        "POST", "/oauth/token", False, "oauth_token", "login")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["Accept"] == "application/json"
    assert form(request) == {"grant_type": "client_credentials"} and basic(request) == "cid:sec"
    assert request.retry is not None and request.retry.retry_non_idempotent is True
    assert request.retry.max_retries == 2 and RETRY.retry_non_idempotent is False
    assert (tokens.client_id, tokens.client_secret, tokens.grant) == ("cid", "sec", "client_credentials")


def test_saml2bearer_and_authorization_code_requests() -> None:
    tokens = TokenState()
    request = tokens.grant_request("saml2bearer", "cid", "sec", retry=RETRY, org_name="org", assertion="QUJD")
    assert form(request) == {"grant_type": "urn:ietf:params:oauth:grant-type:saml2-bearer", "orgName": "org",
                             "assertion": "QUJD"}
    assert basic(request) == "cid:sec" and tokens.grant == "saml2bearer"
    request = tokens.grant_request("authorization_code", "cid2", "sec2", retry=RETRY, code="c",
                                   redirect_uri="https://r")
    assert form(request) == {"grant_type": "authorization_code", "code": "c", "redirect_uri": "https://r"}
    assert basic(request) == "cid2:sec2" and tokens.grant == "authorization_code"
    assert (tokens.client_id, tokens.client_secret) == ("cid2", "sec2")


def test_pkce_request_has_no_secret_and_sends_the_verifier() -> None:
    tokens = TokenState()
    tokens.client_secret = "kept"
    request = tokens.grant_request("pkce", "cid", retry=RETRY, code="c", code_verifier="v" * 43,
                                   redirect_uri="https://r")
    assert "Authorization" not in request.headers
    assert form(request) == {"grant_type": "authorization_code", "code": "c", "code_verifier": "v" * 43,
                             "client_id": "cid", "redirect_uri": "https://r"}
    assert tokens.grant == "pkce" and tokens.client_id == "cid" and tokens.client_secret == "kept"


def test_refresh_token_request_keeps_the_original_grant() -> None:
    tokens = TokenState()
    tokens.grant_request("authorization_code", "cid", "sec", retry=RETRY, code="c", redirect_uri="r")
    request = tokens.grant_request("refresh_token", "cid", "sec", retry=RETRY, refresh_token="rt")
    assert form(request) == {"grant_type": "refresh_token", "refresh_token": "rt"}
    assert tokens.grant == "authorization_code"


def test_unknown_grant_is_refused() -> None:
    tokens = TokenState()
    with pytest.raises(ValueError, match="unknown grant 'password'"):
        tokens.grant_request("password", "cid", "sec", retry=RETRY)
    assert tokens.grant is None


def test_renewal_request_uses_the_refresh_token_when_there_is_one() -> None:
    tokens = TokenState()
    tokens.client_id, tokens.client_secret, tokens.refresh_token = "cid", "sec", "rt"
    request = tokens.renewal_request(RETRY)
    assert form(request) == {"grant_type": "refresh_token", "refresh_token": "rt"} and basic(request) == "cid:sec"
    tokens.refresh_token = ""
    assert form(tokens.renewal_request(RETRY)) == {"grant_type": "client_credentials"}
    tokens.refresh_token, tokens.client_id = "rt", ""
    assert form(tokens.renewal_request(RETRY)) == {"grant_type": "client_credentials"}


# -- reading the answer ----------------------------------------------------------------------------
def test_store_keeps_token_refresh_token_and_expiry(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(500.0)
    monkeypatch.setattr(_auth, "time", clock)
    tokens = TokenState()
    data = tokens.store(token_response("a1", refresh_token="r1", expires_in=60))
    assert data == {"access_token": "a1", "refresh_token": "r1", "expires_in": 60}
    assert (tokens.access_token, tokens.refresh_token, tokens.expires_at) == ("a1", "r1", 560.0)
    tokens.store(token_response("a2", refresh_token="", expires_in=1.5))
    assert (tokens.access_token, tokens.refresh_token, tokens.expires_at) == ("a2", "r1", 501.5)
    tokens.store(token_response("a3", expires_in="60"))  # not a number: unknown expiry
    assert tokens.expires_at is None and tokens.refresh_token == "r1"
    tokens.store(token_response("a4"))
    assert tokens.expires_at is None and tokens.access_token == "a4"


@pytest.mark.parametrize("content", [b"not json", b'{"token": "x"}', b"[1, 2]", b"null"])
def test_store_rejects_an_answer_without_a_token(content: bytes) -> None:
    tokens = TokenState()
    tokens.access_token = "old"
    with pytest.raises(ApiResponseError) as caught:
        tokens.store(RESTResponse(200, "OK", {}, content))
    assert caught.value.status == 200 and caught.value.__cause__ is None
    assert tokens.access_token == "old"


# -- when renewal is possible and due ----------------------------------------------------------------
def test_can_renew() -> None:
    tokens = TokenState()
    assert tokens.can_renew(config()) is False
    tokens.client_id = "cid"
    assert tokens.can_renew(config()) is False  # no refresh token, no client credentials grant
    tokens.grant = "client_credentials"
    assert tokens.can_renew(config()) is True
    assert tokens.can_renew(config(should_refresh_access_token=False)) is False
    tokens.grant = "authorization_code"
    tokens.refresh_token = "rt"
    assert tokens.can_renew(config()) is True
    tokens.client_id = ""
    assert tokens.can_renew(config()) is False
    tokens.grant = "client_credentials"
    assert tokens.can_renew(config()) is False


def test_renewal_is_due_less_than_renew_ahead_seconds_before_expiry(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(500.0)
    monkeypatch.setattr(_auth, "time", clock)
    assert RENEW_AHEAD == 30.0
    tokens = TokenState()
    tokens.client_id, tokens.grant, tokens.access_token = "cid", "client_credentials", "t"
    assert tokens.renewal_due(config()) is False  # expiry unknown
    tokens.expires_at = 530.0
    assert tokens.renewal_due(config()) is False  # exactly 30 s left
    clock.now = 500.5
    assert tokens.renewal_due(config()) is True
    assert tokens.renewal_due(config(should_refresh_access_token=False)) is False
    tokens.access_token = ""
    assert tokens.renewal_due(config()) is False
    tokens.access_token = "t"
    tokens.expires_at = 400.0  # long expired
    assert tokens.renewal_due(config()) is True


def test_current_prefers_the_clients_token_over_the_configurations() -> None:
    tokens = TokenState()
    assert tokens.current(config()) == "configured"
    tokens.access_token = "mine"
    assert tokens.current(config()) == "mine"


def test_repr_never_shows_the_token() -> None:
    tokens = TokenState()
    assert repr(tokens) == "<TokenState grant=None token=none>"
    tokens.access_token, tokens.grant = "secret-value", "client_credentials"
    assert repr(tokens) == "<TokenState grant='client_credentials' token=set>"


# -- renewal, threads -------------------------------------------------------------------------------
def renewable(token: str = "stale") -> TokenState:
    tokens = TokenState()
    tokens.client_id, tokens.client_secret, tokens.grant, tokens.access_token = "cid", "sec", "client_credentials", token
    return tokens


def test_renew_sends_one_renewal_and_stores_it() -> None:
    tokens = renewable()
    sent: list[Request] = []

    def send(request: Request) -> RESTResponse:
        sent.append(request)
        assert tokens.refreshing is True
        return token_response("fresh")

    tokens.renew("stale", send, config())
    assert tokens.access_token == "fresh" and tokens.renewals == 1 and tokens.refreshing is False
    assert len(sent) == 1 and form(sent[0]) == {"grant_type": "client_credentials"}
    assert sent[0].retry is not None and sent[0].retry.max_retries == 2  # the configuration's policy
    tokens.renew("stale", send, config())  # already replaced: nothing sent
    assert len(sent) == 1 and tokens.renewals == 1


def test_a_failed_renewal_is_raised_and_releases_the_others() -> None:
    tokens = renewable()

    def send(request: Request) -> RESTResponse:
        raise ApiException(status=400, reason="invalid_client")

    with pytest.raises(ApiException) as caught:
        tokens.renew("stale", send, config())
    assert caught.value.status == 400
    assert tokens.refreshing is False and tokens.renewals == 1 and tokens.access_token == "stale"


def test_threads_with_the_same_stale_token_renew_once() -> None:
    tokens = renewable()
    entered, release = threading.Event(), threading.Event()
    sent: list[Request] = []

    def send(request: Request) -> RESTResponse:
        sent.append(request)
        entered.set()
        assert release.wait(30)
        return token_response("fresh")

    errors: list[BaseException] = []

    def renew() -> None:
        try:
            tokens.renew("stale", send, config(refresh_token_wait_time=60))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    first = threading.Thread(target=renew)
    first.start()
    assert entered.wait(30)
    others = [threading.Thread(target=renew) for _ in range(3)]
    for thread in others:
        thread.start()
    with tokens._cond:  # the others are waiting on the condition (not returned, not sending)
        assert tokens.refreshing is True
    release.set()
    for thread in [first, *others]:
        thread.join(30)
        assert not thread.is_alive()
    assert not errors and len(sent) == 1 and tokens.renewals == 1 and tokens.access_token == "fresh"


def test_a_thread_waiting_for_a_slow_renewal_gives_up_after_refresh_token_wait_time() -> None:
    tokens = renewable()
    tokens.refreshing = True  # a renewal in progress on another thread, which never ends
    with pytest.raises(ApiException, match="Token refresh took longer than 0.2 seconds") as caught:
        tokens.renew("stale", lambda request: token_response(), config(refresh_token_wait_time=0.2))
    assert caught.value.status == 0 and tokens.renewals == 0


def test_a_waiting_thread_returns_when_the_renewal_ends() -> None:
    tokens = renewable()
    tokens.refreshing = True
    done = threading.Event()

    def wait() -> None:
        tokens.renew("stale", lambda request: token_response(), config(refresh_token_wait_time=60))
        done.set()

    thread = threading.Thread(target=wait)
    thread.start()
    with tokens._cond:
        tokens.access_token = "fresh"
        tokens.refreshing = False
        tokens._cond.notify_all()
    thread.join(30)
    assert done.is_set() and tokens.renewals == 0


# -- renewal, asyncio -------------------------------------------------------------------------------
def test_tasks_with_the_same_stale_token_renew_once() -> None:
    tokens = renewable()
    sent: list[Request] = []

    async def main() -> None:
        gate = asyncio.Event()

        async def send(request: Request) -> RESTResponse:
            sent.append(request)
            await gate.wait()
            return token_response("fresh")

        first = asyncio.ensure_future(tokens.renew_async("stale", send, config()))
        await asyncio.sleep(0)
        assert tokens.renewing_async() is True
        others = [asyncio.ensure_future(tokens.renew_async("stale", send, config())) for _ in range(5)]
        await asyncio.sleep(0)
        gate.set()
        await asyncio.gather(first, *others)
        assert tokens.renewing_async() is False
        await tokens.renew_async("stale", send, config())  # already replaced: nothing sent

    asyncio.run(main())
    assert len(sent) == 1 and tokens.renewals == 1 and tokens.access_token == "fresh"
    assert form(sent[0]) == {"grant_type": "client_credentials"}


def test_a_failed_async_renewal_is_raised_by_the_starter_only() -> None:
    tokens = renewable()

    async def main() -> list[Any]:
        gate = asyncio.Event()

        async def send(request: Request) -> RESTResponse:
            await gate.wait()
            raise ApiException(status=400, reason="invalid_grant")

        first = asyncio.ensure_future(tokens.renew_async("stale", send, config()))
        await asyncio.sleep(0)
        other = asyncio.ensure_future(tokens.renew_async("stale", send, config()))
        await asyncio.sleep(0)
        gate.set()
        results = await asyncio.gather(first, other, return_exceptions=True)
        assert tokens.renewing_async() is False
        return results

    first, other = asyncio.run(main())
    assert isinstance(first, ApiException) and first.status == 400
    assert other is None
    assert tokens.renewals == 1 and tokens.access_token == "stale"


def test_an_async_waiter_gives_up_after_refresh_token_wait_time() -> None:
    tokens = renewable()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        never: asyncio.Future[None] = loop.create_future()
        tokens._async[loop] = never
        with pytest.raises(ApiException, match="Token refresh took longer than 0.1 seconds") as caught:
            await tokens.renew_async("stale", None, config(refresh_token_wait_time=0.1))  # type: ignore[arg-type]
        assert caught.value.status == 0 and caught.value.__suppress_context__
        assert not never.cancelled()  # the renewal itself is not cancelled by a waiter giving up
        never.cancel()

    asyncio.run(main())
    assert tokens.renewals == 0


def test_renewal_done_forgets_only_its_own_renewal() -> None:
    tokens = renewable()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        old: asyncio.Future[None] = loop.create_future()
        new: asyncio.Future[None] = loop.create_future()
        tokens._async[loop] = new
        old.set_result(None)
        tokens._renewal_done(loop, old)
        assert tokens._async == {loop: new}
        new.cancel()
        tokens._renewal_done(loop, new)  # a cancelled renewal: no exception to retrieve
        assert tokens._async == {}
        failed: asyncio.Future[None] = loop.create_future()
        failed.set_exception(ApiException(status=500))
        tokens._async[loop] = failed
        tokens._renewal_done(loop, failed)  # retrieved: no "exception never retrieved" warning
        assert tokens._async == {} and failed._log_traceback is False  # type: ignore[attr-defined]

    asyncio.run(main())


class ScriptedCondition(threading.Condition):
    """``TokenState._cond`` replaced: each ``wait(timeout)`` is recorded and moves the fake clock
    by the timeout (at least 1 ms), as a wait that nobody notified would; ``finish_after`` waits,
    the renewal in progress ends instead (as when the renewing thread notifies)."""

    def __init__(self, tokens: TokenState, clock: Clock, finish_after: int | None = None) -> None:
        super().__init__(threading.Lock())
        self.tokens, self.clock, self.finish_after = tokens, clock, finish_after
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.waits.append(timeout)
        if self.finish_after is not None and len(self.waits) >= self.finish_after:
            self.tokens.access_token, self.tokens.refreshing = "fresh", False
            return True
        self.clock.now += max(timeout, 0.001)
        return False


def test_a_waiting_thread_waits_exactly_refresh_token_wait_time(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(500.0)
    monkeypatch.setattr(_auth, "time", clock)
    tokens = renewable()
    tokens.refreshing = True
    cond = tokens._cond = ScriptedCondition(tokens, clock)
    with pytest.raises(ApiException, match="Token refresh took longer than 0.25 seconds"):
        tokens.renew("stale", lambda request: token_response(), config(refresh_token_wait_time=0.25))
    assert cond.waits == [0.25]  # one wait for the whole time, then it gives up
    # a renewal that ends while the thread waits: it returns, with the new token, sending nothing
    tokens.refreshing = True
    cond = tokens._cond = ScriptedCondition(tokens, clock, finish_after=1)
    tokens.renew("stale", lambda request: token_response(), config(refresh_token_wait_time=1))
    assert cond.waits == [1.0] and tokens.access_token == "fresh" and tokens.renewals == 0
