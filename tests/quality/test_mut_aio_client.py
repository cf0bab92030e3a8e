"""The asyncio client's driver (``aio/client.py``) with a scripted asyncio transport: the grants,
renewal ahead of expiry and on a 401, retries, the pool slot in front of the transport and its
deadline, ``with_http_info``, closing. The transport is a custom ``AbstractAsyncHttpClient``
(the public extension point) that records what it was asked to send and answers what the test
says; it never sleeps, so the tests run in milliseconds.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync
from PureCloudPlatformClientV2.aio.http_client import AbstractAsyncHttpClient
from PureCloudPlatformClientV2.rest import ApiDeadlineError, ApiException, RESTResponse

HOST = "https://api.example.test"
USER = {"id": "u1", "name": "N"}


def reply(status: int = 200, body: Any = USER, **headers: str) -> RESTResponse:
    return RESTResponse(status, "R", {"Content-Type": "application/json", **headers},
                        b"" if body is None else json.dumps(body).encode())


def token(value: str, expires_in: int = 86400, **extra: Any) -> RESTResponse:
    return reply(200, {"access_token": value, "expires_in": expires_in, **extra})


class Transport(AbstractAsyncHttpClient):
    """Answers ``answer(options)`` (a response, or an awaitable of one); records every request."""

    def __init__(self, answer: Callable[[Any], Any], pool_limit: int | None = None) -> None:
        super().__init__()
        self.answer = answer
        self.seen: list[Any] = []
        self.sent_tokens: list[str] = []
        self.in_flight = 0
        self.closed = 0
        if pool_limit is not None:
            self.pool_limit = pool_limit

    async def request(self, options: Any) -> Any:
        self.seen.append(options)
        self.sent_tokens.append(options.headers.get("Authorization", ""))  # the headers dict is the call's
        self.in_flight += 1
        try:
            result = self.answer(options)
            if asyncio.iscoroutine(result):
                result = await result
            return result
        finally:
            self.in_flight -= 1

    async def close(self) -> None:
        self.closed += 1

    def paths(self) -> list[str]:
        return [o.url.split("example.test", 1)[1] for o in self.seen]

    def tokens(self) -> list[str]:
        return self.sent_tokens


def client_with(transport: Transport, **settings: Any) -> AsyncApiClient:
    settings.setdefault("live_reload_config", False)
    settings.setdefault("rate_limit_pacing", False)  # no first-call probe: these answers carry no limits
    settings.setdefault("retry", sdk.RetryConfiguration(backoff_initial=0.001, backoff_max=0.001))
    return AsyncApiClient(configuration=sdk.Configuration.new(host=HOST, **settings), http_client=transport)


def form(options: Any) -> dict[str, str]:
    return dict(parse_qsl(options.encoded_body.decode()))


def run(coro: Any) -> Any:
    return asyncio.run(coro)


# -- grants ---------------------------------------------------------------------------------------------
def test_each_grant_posts_to_the_login_host_and_returns_what_the_official_sdk_returns() -> None:
    answers = iter(token(f"t{n}", refresh_token=f"r{n}") for n in range(10))
    transport = Transport(lambda options: next(answers))

    async def main() -> None:
        client = client_with(transport)
        assert await client.get_client_credentials_token("cid", "sec") is client
        assert await client.get_saml2bearer_token("cid", "sec", "org", "QUJD") is client
        same, data = await client.get_code_authorization_token("cid", "sec", "code", "https://r")
        assert same is client and data["access_token"] == "t2"
        same, data = await client.refresh_code_authorization_token("cid", "sec", "r2")
        assert same is client and data["access_token"] == "t3"
        same, data = await client.get_pkce_token("cid", "v" * 43, "code", "https://r")
        assert same is client and data == {"access_token": "t4", "expires_in": 86400, "refresh_token": "r4"}
        assert client.access_token == "t4" and client.refresh_token == "r4"

    run(main())
    assert {o.url for o in transport.seen} == {"https://login.example.test/oauth/token"}
    assert [form(o)["grant_type"] for o in transport.seen] == [
        "client_credentials", "urn:ietf:params:oauth:grant-type:saml2-bearer", "authorization_code",
        "refresh_token", "authorization_code"]
    assert form(transport.seen[1])["orgName"] == "org" and form(transport.seen[3])["refresh_token"] == "r2"
    assert form(transport.seen[4])["code_verifier"] == "v" * 43
    assert all(o.method == "POST" for o in transport.seen)


# -- renewal ---------------------------------------------------------------------------------------------
def test_a_token_close_to_expiry_is_renewed_before_the_call() -> None:
    answers = {"count": 0}

    def answer(options: Any) -> RESTResponse:
        if options.url.endswith("/oauth/token"):
            answers["count"] += 1
            return token(f"t{answers['count']}", expires_in=10 if answers["count"] == 1 else 86400)
        return reply()

    transport = Transport(answer)

    async def main() -> None:
        client = client_with(transport)
        await client.get_client_credentials_token("cid", "sec")
        assert (await UsersApiAsync(client).get_user("u1")).id == "u1"
        assert client.token_renewals == 1
        await client.call_api("/api/v2/open", "GET", auth_settings=[])  # no authentication: no renewal check
        assert (await UsersApiAsync(client).get_user("u1")).id == "u1"  # renewed: not due any more

    run(main())
    assert transport.paths() == ["/oauth/token", "/oauth/token", "/api/v2/users/u1", "/api/v2/open",
                                 "/api/v2/users/u1"]
    assert transport.tokens()[2] == "Bearer t2" and transport.tokens()[3] == ""


def test_a_401_renews_and_replays_and_handle_expired_access_token_defaults_to_the_current_token() -> None:
    state = {"tokens": 0}

    def answer(options: Any) -> RESTResponse:
        if options.url.endswith("/oauth/token"):
            state["tokens"] += 1
            return token(f"t{state['tokens']}")
        return reply() if options.headers["Authorization"] == "Bearer t2" else reply(401, {"message": "expired"})

    transport = Transport(answer)

    async def main() -> None:
        client = client_with(transport)
        await client.get_client_credentials_token("cid", "sec")
        assert client.refresh_in_progress is False
        assert (await UsersApiAsync(client).get_user("u1")).id == "u1"
        assert client.token_renewals == 1 and client.access_token == "t2"
        await client.handle_expired_access_token("t1")  # stale: already replaced, nothing sent
        assert client.token_renewals == 1
        await client.handle_expired_access_token()  # the current token
        assert client.token_renewals == 2 and client.access_token == "t3"

    run(main())
    assert [t.split(" ")[0] + (" " + t.split(" ")[1] if t.startswith("Bearer") else "") for t in
            transport.tokens()[1:4]] == ["Bearer t1", "Basic", "Bearer t2"]


# -- retries and failures ----------------------------------------------------------------------------------
def test_retries_then_the_answer_and_with_http_info_reports_the_last_response() -> None:
    answers = iter([reply(503, {"message": "busy"}, **{"Retry-After": "0"}), reply(200, USER, X_Seq="2")])
    transport = Transport(lambda options: next(answers))

    async def main() -> None:
        client = client_with(transport)
        client.access_token = "t"
        info = await client.with_http_info(UsersApiAsync(client).get_user, "u1")
        assert info.status == 200 and info.data.id == "u1" and info.headers["X_Seq"] == "2"

    run(main())
    assert len(transport.seen) == 2


def test_errors_are_raised_and_bodies_decoded_as_declared() -> None:
    def answer(options: Any) -> RESTResponse:
        if options.url.endswith("/missing"):
            return reply(404, {"message": "no such thing", "code": "not.found"})
        if options.method == "DELETE":
            return reply(204, None)
        return reply(200, {"id": "x"})

    transport = Transport(answer)

    async def main() -> None:
        client = client_with(transport)
        client.access_token = "t"
        with pytest.raises(ApiException) as caught:
            await client.call_api("/api/v2/missing", "GET", response_type="User")
        assert caught.value.status == 404 and caught.value.code == "not.found"
        assert await client.call_api("/api/v2/thing", "DELETE") is None
        assert await client.call_api("/api/v2/thing", "GET") is None  # no response type: nothing decoded
        user = await client.call_api("/api/v2/thing", "GET", response_type="User")
        assert isinstance(user, sdk.User) and user.id == "x"

    run(main())
    assert len(transport.seen) == 4


# -- the pool slot -----------------------------------------------------------------------------------------
def test_the_pool_limit_of_the_transport_the_client_or_the_configuration() -> None:
    async def peak(transport: Transport, client: AsyncApiClient, calls: int, expect: int) -> None:
        release = asyncio.Event()
        full = asyncio.Event()

        async def held(options: Any) -> RESTResponse:
            if transport.in_flight >= expect:
                full.set()
            await release.wait()
            return reply()

        transport.answer = held
        client.access_token = "t"
        tasks = [asyncio.ensure_future(UsersApiAsync(client).get_user("u1")) for _ in range(calls)]
        await asyncio.wait_for(full.wait(), 30)
        for _ in range(20):
            await asyncio.sleep(0)
        assert transport.in_flight == expect and client._limiter().waiting == calls - expect
        release.set()
        assert len(await asyncio.gather(*tasks)) == calls
        assert client._limiter().active == 0 and client._limiter().waiting == 0

    async def main() -> None:
        transport = Transport(lambda o: reply(), pool_limit=2)
        await peak(transport, client_with(transport, pool_maxsize=5), 4, 2)
        transport = Transport(lambda o: reply())
        client = client_with(transport, pool_maxsize=5)
        client.pool_limit = 3
        await peak(transport, client, 5, 3)
        transport = Transport(lambda o: reply())
        await peak(transport, client_with(transport, pool_maxsize=2), 3, 2)
        transport = Transport(lambda o: reply())
        await peak(transport, client_with(transport, pool_maxsize=0), 2, 1)

    run(main())


def test_each_event_loop_has_its_own_pool_slots() -> None:
    transport = Transport(lambda o: reply())
    client = client_with(transport)
    client.access_token = "t"

    async def limiter() -> Any:
        first = client._limiter()
        assert client._limiter() is first
        await UsersApiAsync(client).get_user("u1")
        return first

    one, two = run(limiter()), run(limiter())
    assert one is not two
    assert len(transport.seen) == 2


def test_a_call_that_cannot_get_a_pool_slot_before_its_deadline_fails_unsent() -> None:
    async def main() -> None:
        gate = asyncio.Event()

        async def held(options: Any) -> RESTResponse:
            await gate.wait()
            return reply()

        transport = Transport(held)
        client = client_with(transport, pool_maxsize=1, deadline=0.3)
        client.access_token = "t"
        users = UsersApiAsync(client)
        first = asyncio.ensure_future(users.get_user("u1"))
        await asyncio.sleep(0)
        with pytest.raises(ApiDeadlineError) as caught:
            await users.get_user("u1")  # queued behind the first, which holds the only slot
        assert caught.value.during == "waiting for a pooled connection" and caught.value.seconds == 0.3
        assert len(transport.seen) == 1
        gate.set()
        assert (await first).id == "u1"

    run(main())


# -- the facade ----------------------------------------------------------------------------------------------
def test_transport_setup_closing_and_gateway() -> None:
    transport = Transport(lambda o: reply())

    async def main() -> None:
        async with client_with(transport) as client:
            assert client.get_http_client() is transport
            assert client.set_gateway(hostname="gw.example.test", scheme="https", api_path="/api-gw") is client
            client.access_token = "t"
            await UsersApiAsync(client).get_user("u1")
        assert transport.closed == 1
        await AsyncApiClient(configuration=sdk.Configuration.new(host=HOST, live_reload_config=False)).close()
        with pytest.raises(ValueError, match="AbstractAsyncHttpClient"):
            client.set_http_client(object())  # type: ignore[arg-type]
        default = AsyncApiClient(configuration=sdk.Configuration.new(host=HOST, live_reload_config=False),
                                 pool_limit=7)
        made = default.get_http_client()
        assert type(made).__name__ == "DefaultAsyncHttpClient" and made.pool_limit == 7
        assert default.get_http_client() is made
        await default.close()

    run(main())
    assert transport.seen[0].url == "https://gw.example.test/api-gw/api/v2/users/u1"


def test_transport_errors_retry_or_renew() -> None:
    from PureCloudPlatformClientV2.rest import ApiConnectionError
    outcomes: list[Any] = [ApiConnectionError("reset"), reply(), ApiException(status=401, reason="custom 401"),
                           token("t2"), reply(), ApiException(status=418, reason="teapot")]

    def answer(options: Any) -> Any:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    transport = Transport(answer)

    async def main() -> None:
        client = client_with(transport)
        client.client_id, client.client_secret, client.access_token = "cid", "sec", "t1"
        client._tokens.grant = "client_credentials"
        users = UsersApiAsync(client)
        assert (await users.get_user("u1")).id == "u1"  # a connection error, retried
        assert (await users.get_user("u1")).id == "u1"  # a custom client's 401: renewed, replayed
        assert client.access_token == "t2" and client.token_renewals == 1
        with pytest.raises(ApiException) as caught:
            await users.get_user("u1")
        assert caught.value.status == 418

    run(main())
    assert transport.tokens() == ["Bearer t1", "Bearer t1", "Bearer t1", transport.tokens()[3], "Bearer t2",
                                  "Bearer t2"]
    assert not outcomes


def test_calls_wait_for_the_first_answer_while_pacing_probes() -> None:
    async def main() -> None:
        transport = Transport(lambda o: reply())
        client = client_with(transport, rate_limit_pacing=True)
        client.access_token = "t"

        async def first_answer(options: Any) -> RESTResponse:
            while client.rate_limit_stats.paced_calls == 0:  # until the other call was held back
                await asyncio.sleep(0)
            return reply(200, USER, **{"inin-ratelimit-allowed": "100", "inin-ratelimit-count": "1",
                                       "inin-ratelimit-reset": "60"})

        transport.answer = first_answer
        users = UsersApiAsync(client)
        results = await asyncio.wait_for(asyncio.gather(users.get_user("u1"), users.get_user("u1")), 30)
        assert [u.id for u in results] == ["u1", "u1"]
        stats = client.rate_limit_stats
        assert stats.paced_calls >= 1 and stats.responses_seen == 2 and stats.allowed == 100

    run(main())


def test_pool_slots_are_kept_per_loop_when_loops_alternate() -> None:
    transport = Transport(lambda o: reply())
    client = client_with(transport)
    client.access_token = "t"
    loops = [asyncio.new_event_loop(), asyncio.new_event_loop()]
    try:
        async def call() -> Any:
            await UsersApiAsync(client).get_user("u1")
            return client._limiter()

        seen = [loop.run_until_complete(call()) for loop in (loops[0], loops[1], loops[0])]
        assert seen[0] is seen[2] and seen[0] is not seen[1]
    finally:
        for loop in loops:
            loop.close()


def test_facade_checks() -> None:
    async def main() -> None:
        client = client_with(Transport(lambda o: reply()))
        assert repr(client) == f"<AsyncApiClient host={HOST!r}>"
        with pytest.raises(RuntimeError, match="bound to this client"):
            await client.with_http_info(asyncio.sleep, 0)
        with pytest.raises(TypeError, match="callback= belongs to the sync client"):
            await UsersApiAsync(client).get_user("u1", callback=print)

    run(main())


def test_deprecated_operation_warns_at_the_callers_line() -> None:
    import warnings

    async def main() -> None:
        client = client_with(Transport(lambda o: reply(200, {})))
        client.access_token = "t"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await UsersApiAsync(client).get_fieldconfig("person")
        assert [w.category for w in caught] == [DeprecationWarning]
        assert caught[0].filename == __file__

    run(main())


def test_with_http_info_reports_the_last_call_of_a_function_that_makes_several() -> None:
    answers = iter([reply(200, USER, X_Seq="1"), reply(200, USER, X_Seq="2")])
    transport = Transport(lambda options: next(answers))

    async def main() -> None:
        client = client_with(transport)
        client.access_token = "t"
        users = UsersApiAsync(client)

        async def two() -> Any:
            await users.get_user("u1")
            return await users.get_user("u2")

        info = await client.with_http_info(two)
        assert info.headers["X_Seq"] == "2"

    run(main())


def test_set_gateway_takes_the_official_arguments_by_keyword() -> None:
    transport = Transport(lambda o: reply())

    async def main() -> None:
        client = client_with(transport)
        client.access_token = "t"
        assert client.set_gateway(host="gw.example.test", protocol="https", port=8443, path_params_login="l",
                                  path_params_api="a") is client
        await UsersApiAsync(client).get_user("u1")

    run(main())
    assert transport.seen[0].url == "https://gw.example.test:8443/a/api/v2/users/u1"


def test_the_client_takes_the_official_arguments_by_keyword() -> None:
    transport = Transport(lambda o: reply())

    async def main() -> None:
        client = AsyncApiClient(host="https://api.other.test", header_name="X-Team", header_value="red",
                                cookie="c=1", configuration=sdk.Configuration.new(
                                    host=HOST, live_reload_config=False, rate_limit_pacing=False),
                                http_client=transport)
        client.access_token = "t"
        await UsersApiAsync(client).get_user("u1")

    run(main())
    options = transport.seen[0]
    assert options.url == "https://api.other.test/api/v2/users/u1"
    assert options.headers["X-Team"] == "red" and options.headers["Cookie"] == "c=1"
