"""Behaviour that planted bugs used to survive, each checked over real HTTP on 127.0.0.1.

Every test counts on the server side what the client did (requests, token requests,
bodies on the wire), through public APIs only, so the tests hold whatever module the
request pipeline, auth and retry code lives in.
"""
from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2._pipeline import MAX_RENEWALS
from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync
from PureCloudPlatformClientV2.logger import LogLevel
from PureCloudPlatformClientV2.rest import ApiConnectionError, ApiException

from .conftest import fast_retry, sync_client
from .scripted_server import USER, Reply, ScriptedServer, Seen, error_reply, token_reply

HOLD = 30.0  # generous limit for a held response (never reached when the client behaves)


# -- request bodies -----------------------------------------------------------------------------
def test_request_body_drops_none_fields_on_the_wire() -> None:
    with ScriptedServer(lambda seen: Reply(200, USER)) as server:
        client = sync_client(server.url)
        client.access_token = "t"
        body = sdk.UpdateUser(name="Ada", department=None, version=3,
                              addresses=[sdk.Contact(address="+3212345", media_type="PHONE", display=None)])
        body.title = sdk.ApiNullValue()  # an explicit JSON null
        sdk.UsersApi(client).patch_user("u1", body)
        sent = server.requests[-1]
    assert sent.method == "PATCH" and sent.path == "/api/v2/users/u1"
    assert sent.json() == {"name": "Ada", "version": 3, "title": None,
                           "addresses": [{"address": "+3212345", "mediaType": "PHONE"}]}


def test_dict_request_body_is_sent_as_given_with_models_inside_stripped() -> None:
    """As the official SDK: a plain dict keeps its None values (sent as null); models inside it drop theirs."""
    with ScriptedServer(lambda seen: Reply(200, USER)) as server:
        client = sync_client(server.url)
        client.access_token = "t"
        sdk.UsersApi(client).post_users({"name": "Bo", "department": None,
                                         "addresses": [sdk.Contact(address="a@example.com", display=None)]})
        sent = server.requests[-1]
    assert sent.json() == {"name": "Bo", "department": None, "addresses": [{"address": "a@example.com"}]}


# -- retries ------------------------------------------------------------------------------------
@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_exactly_the_configured_number_of_retries_on_503(max_retries: int) -> None:
    with ScriptedServer(lambda seen: error_reply(503)) as server:
        client = sync_client(server.url, retry=fast_retry(max_retries=max_retries))
        client.access_token = "t"
        with pytest.raises(ApiException) as info:
            sdk.UsersApi(client).get_user("u1")
        assert info.value.status == 503
        assert server.count("/api/v2/users/u1") == 1 + max_retries


def test_exactly_the_configured_number_of_retries_on_429() -> None:
    with ScriptedServer(lambda seen: error_reply(429, headers={"Retry-After": "0"})) as server:
        client = sync_client(server.url, retry=fast_retry(max_retries=2))
        client.access_token = "t"
        with pytest.raises(sdk.RateLimitError):
            sdk.UsersApi(client).get_user("u1")
        assert server.count("/api/v2/users/u1") == 3


def test_exactly_the_configured_number_of_retries_on_connection_errors() -> None:
    with ScriptedServer(lambda seen: Reply(drop=True)) as server:
        client = sync_client(server.url, retry=fast_retry(max_retries=2))
        client.access_token = "t"
        with pytest.raises(ApiConnectionError):
            sdk.UsersApi(client).get_user("u1")
        assert server.count("/api/v2/users/u1") == 3


def test_retries_then_success_returns_the_answer() -> None:
    def handler(seen: Seen) -> Reply:
        return error_reply(502) if server.count("/api/v2/users") <= 2 else Reply(200, USER)

    with ScriptedServer(handler) as server:
        client = sync_client(server.url, retry=fast_retry(max_retries=2))
        client.access_token = "t"
        assert sdk.UsersApi(client).get_user("u1").name == "Scripted User"
        assert server.count("/api/v2/users/u1") == 3


def test_connection_error_is_not_retried_on_post() -> None:
    """A POST whose connection broke may have been processed: sending it again could write twice."""
    with ScriptedServer(lambda seen: Reply(drop=True)) as server:
        client = sync_client(server.url, retry=fast_retry(max_retries=3))
        client.access_token = "t"
        with pytest.raises(ApiConnectionError):
            sdk.UsersApi(client).post_users(sdk.CreateUser(name="Once", email="once@example.com"))
        assert server.count("/api/v2/users", "POST") == 1


def test_5xx_is_not_retried_on_post_but_is_when_opted_in() -> None:
    with ScriptedServer(lambda seen: error_reply(503)) as server:
        client = sync_client(server.url, retry=fast_retry(max_retries=2))
        client.access_token = "t"
        with pytest.raises(ApiException):
            sdk.UsersApi(client).post_users({"name": "x"})
        assert server.count("/api/v2/users", "POST") == 1
        client.configuration.retry = fast_retry(max_retries=2, retry_non_idempotent=True)
        with pytest.raises(ApiException):
            sdk.UsersApi(client).post_users({"name": "x"})
        assert server.count("/api/v2/users", "POST") == 1 + 3


def test_connection_error_is_retried_on_post_when_opted_in_and_on_put() -> None:
    with ScriptedServer(lambda seen: Reply(drop=True)) as server:
        client = sync_client(server.url, retry=fast_retry(max_retries=1, retry_non_idempotent=True))
        client.access_token = "t"
        with pytest.raises(ApiConnectionError):
            sdk.UsersApi(client).post_users({"name": "x"})
        assert server.count("/api/v2/users", "POST") == 2
        client.configuration.retry = fast_retry(max_retries=1)
        with pytest.raises(ApiConnectionError):
            client.call_api("/api/v2/users/u1", "PUT", body={"a": 1})
        assert server.count("/api/v2/users/u1", "PUT") == 2


def test_connection_errors_not_retried_when_switched_off() -> None:
    with ScriptedServer(lambda seen: Reply(drop=True)) as server:
        client = sync_client(server.url, retry=fast_retry(max_retries=3, retry_connection_errors=False))
        client.access_token = "t"
        with pytest.raises(ApiConnectionError):
            sdk.UsersApi(client).get_user("u1")
        assert server.count("/api/v2/users/u1") == 1


# -- token renewal ------------------------------------------------------------------------------
class RenewalScript:
    """Login answers token-1, later token requests token-2. API requests with token-1 are
    held until ``stale`` of them arrived; the first is then answered 401, the others only
    once the first renewed request (token-2) arrived, so they see their 401 after the
    renewal finished and must not renew again. Requests with token-2 get 200."""

    def __init__(self, stale: int) -> None:
        self.stale = stale
        self.server = ScriptedServer(self)
        self.first_released = False
        self.lock = threading.Lock()

    def __call__(self, seen: Seen) -> Reply:
        server = self.server
        if seen.path == "/oauth/token":
            return token_reply("token-1" if server.token_requests() == 1 else "token-2")
        if seen.token == "token-2":
            return Reply(200, USER)
        server.wait_for(lambda: sum(r.token == "token-1" for r in server.requests) >= self.stale, HOLD)
        with self.lock:
            first, self.first_released = not self.first_released, True
        if not first:
            server.wait_for(lambda: any(r.token == "token-2" for r in server.requests), HOLD)
        return error_reply(401, "token expired")


def test_sync_threads_hit_by_401_together_renew_once() -> None:
    script = RenewalScript(stale=4)
    with script.server as server:
        client = sync_client(server.url)
        client.get_client_credentials_token("cid", "secret")
        users = sdk.UsersApi(client)
        results: list[Any] = []
        threads = [threading.Thread(target=lambda: results.append(users.get_user("u1"))) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(2 * HOLD)
        assert [u.id for u in results] == ["u1"] * 4
        assert server.token_requests() == 2  # the login and one renewal


def test_asyncio_tasks_hit_by_401_together_renew_once() -> None:
    """The asyncio client's "another task already renewed" check: tasks whose 401 arrives after
    the renewal finished replay with the new token instead of renewing again."""
    script = RenewalScript(stale=4)

    async def main() -> list[Any]:
        async with AsyncApiClient(configuration=sdk.Configuration.new(
                host=script.server.url, live_reload_config=False), pool_limit=16) as client:
            await client.get_client_credentials_token("cid", "secret")
            users = UsersApiAsync(client)
            return list(await asyncio.gather(*(users.get_user("u1") for _ in range(4))))

    with script.server as server:
        results = asyncio.run(main())
        assert [u.id for u in results] == ["u1"] * 4
        assert server.token_requests() == 2  # the login and one renewal


def _persistent_401(seen: Seen, server_box: list[ScriptedServer]) -> Reply:
    server = server_box[0]
    if seen.path == "/oauth/token":
        return token_reply(f"token-{server.token_requests()}")
    # Bounded: a client that renews without limit gets a 200 after 12 attempts (and fails the counts).
    return error_reply(401, "still unauthorized") if server.count("/api/v2/") <= 12 else Reply(200, USER)


def test_persistent_401_renews_a_bounded_number_of_times_per_call_then_raises() -> None:
    """A call renews once per distinct token that got a 401, at most MAX_RENEWALS times, then raises."""
    box: list[ScriptedServer] = []
    with ScriptedServer(lambda seen: _persistent_401(seen, box)) as server:
        box.append(server)
        client = sync_client(server.url)
        client.get_client_credentials_token("cid", "secret")
        with pytest.raises(ApiException) as info:
            sdk.UsersApi(client).get_user("u1")
        assert info.value.status == 401
        assert server.token_requests() == 1 + MAX_RENEWALS  # login + one renewal per distinct token
        assert server.count("/api/v2/users/u1") == 1 + MAX_RENEWALS  # the call and one replay per renewal
        with pytest.raises(ApiException):
            sdk.UsersApi(client).get_user("u1")  # a new call has its own bound
        assert server.token_requests() == 1 + 2 * MAX_RENEWALS


def test_persistent_401_asyncio_renews_a_bounded_number_of_times_per_call_then_raises() -> None:
    box: list[ScriptedServer] = []

    async def main(url: str) -> None:
        async with AsyncApiClient(configuration=sdk.Configuration.new(host=url, live_reload_config=False)) as client:
            await client.get_client_credentials_token("cid", "secret")
            with pytest.raises(ApiException) as info:
                await UsersApiAsync(client).get_user("u1")
            assert info.value.status == 401

    with ScriptedServer(lambda seen: _persistent_401(seen, box)) as server:
        box.append(server)
        asyncio.run(main(server.url))
        assert server.token_requests() == 1 + MAX_RENEWALS
        assert server.count("/api/v2/users/u1") == 1 + MAX_RENEWALS


def test_401_without_renewal_enabled_is_raised_without_a_token_request() -> None:
    box: list[ScriptedServer] = []
    with ScriptedServer(lambda seen: _persistent_401(seen, box)) as server:
        box.append(server)
        client = sync_client(server.url, should_refresh_access_token=False)
        client.get_client_credentials_token("cid", "secret")
        with pytest.raises(ApiException) as info:
            sdk.UsersApi(client).get_user("u1")
        assert info.value.status == 401
        assert server.token_requests() == 1 and server.count("/api/v2/users/u1") == 1


# -- secrets in logged bodies ---------------------------------------------------------------------
SECRET_IN_REQUEST = "req-secret-0d6f"
SECRET_IN_RESPONSE = "resp-secret-91ab"


def _leaky_endpoint(seen: Seen) -> Reply:
    # A non-token endpoint whose bodies carry token fields (an integration's credentials, say).
    return Reply(400, {"message": "bad credentials", "access_token": SECRET_IN_RESPONSE,
                       "refresh_token": SECRET_IN_RESPONSE, "visibleField": "kept-in-log"})


def _call_leaky(client: sdk.ApiClient) -> None:
    with pytest.raises(ApiException):
        client.call_api("/api/v2/integrations/credentials", "POST",
                        body={"access_token": SECRET_IN_REQUEST, "client_secret": SECRET_IN_REQUEST,
                              "name": "visible-request-field"}, response_type="object")


def _configure_logger(logger: Any, path: Path) -> None:
    logger.log_to_console = False
    logger.log_file_path = str(path)
    logger.log_request_body = True
    logger.log_response_body = True
    logger.log_level = LogLevel.LTrace


def test_access_token_masked_in_logged_bodies_of_non_token_endpoints(tmp_path: Path) -> None:
    log = tmp_path / "sdk.log"
    with ScriptedServer(_leaky_endpoint) as server:
        client = sync_client(server.url)
        client.access_token = "t"
        _configure_logger(client.configuration.logger, log)
        try:
            _call_leaky(client)
        finally:
            client.configuration.logger.log_level = LogLevel.LNone  # closes the file handler
    text = log.read_text()
    assert "visible-request-field" in text and "kept-in-log" in text  # the bodies were logged
    assert SECRET_IN_REQUEST not in text and SECRET_IN_RESPONSE not in text
    assert "[REDACTED]" in text


@pytest.fixture
def shared_configuration() -> Any:
    """The global ``PureCloudPlatformClientV2.configuration``, restored after the test."""
    config = sdk.configuration
    logger = config.logger
    saved = {name: getattr(config, name) for name in ("host", "live_reload_config", "retry")}
    saved_logger = {name: getattr(logger, name) for name in (
        "log_level", "log_format", "log_to_console", "log_file_path", "log_request_body", "log_response_body")}
    yield config
    for name, value in saved.items():
        setattr(config, name, value)
    logger.log_level = LogLevel.LNone
    for name, value in saved_logger.items():
        setattr(logger, name, value)


def test_logging_through_the_shared_global_configuration(shared_configuration: Any, tmp_path: Path) -> None:
    log = tmp_path / "shared.log"
    with ScriptedServer(_leaky_endpoint) as server:
        shared_configuration.live_reload_config = False
        shared_configuration.host = server.url
        _configure_logger(shared_configuration.logger, log)
        client = sdk.ApiClient()  # the shared configuration, as the official README does it
        assert client.configuration is sdk.configuration
        client.access_token = "shared-config-token"
        _call_leaky(client)
        shared_configuration.logger.log_level = LogLevel.LNone
    text = log.read_text()
    assert "/api/v2/integrations/credentials" in text and "visible-request-field" in text
    assert SECRET_IN_REQUEST not in text and SECRET_IN_RESPONSE not in text
    assert "shared-config-token" not in text  # the Authorization header is masked too
