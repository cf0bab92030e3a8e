"""Request logging per LogLevel and LogFormat, written to a file and the console; secrets never appear."""
from __future__ import annotations

import json

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.logger import LogFormat, LogLevel
from PureCloudPlatformClientV2.rest import ApiException

from .conftest import new_client

REDIRECT = "https://app.example/callback"
_opened: list[sdk.ApiClient] = []


def _logged_client(emu, tmp_path, level, fmt=LogFormat.JSON, bodies=True, name="sdk.log"):
    client = new_client(emu.base_url)
    logger = client.configuration.logger
    logger.log_to_console = False
    logger.log_format = fmt
    logger.log_request_body = bodies
    logger.log_response_body = bodies
    logger.log_file_path = str(tmp_path / name)
    logger.log_level = level
    _opened.append(client)
    return client, tmp_path / name


def _exercise(emu, client):
    """A login, a successful call with a body, and a failing call; returns the secrets in play."""
    client.get_client_credentials_token(emu.client_id, emu.client_secret)
    users = sdk.UsersApi(client)
    users.get_users(page_size=1)
    with pytest.raises(ApiException):
        users.get_user("no-such-user")
    return [emu.client_secret, client.access_token]


def _records(path):
    text = path.read_text() if path.exists() else ""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _assert_no_secrets(text, secrets):
    for secret in secrets:
        assert secret and secret not in text


@pytest.fixture(autouse=True)
def _close_handlers():
    yield
    while _opened:  # logging off closes the file handlers
        _opened.pop().configuration.logger.log_level = LogLevel.LNone


def test_trace_logs_every_exchange_with_both_header_sets(fresh_emu, tmp_path):
    client, path = _logged_client(fresh_emu, tmp_path, LogLevel.LTrace)
    secrets = _exercise(fresh_emu, client)
    records = _records(path)
    by_url = {(r["method"], r["url"].split("?")[0]): r for r in records}
    ok = by_url[("GET", fresh_emu.base_url + "/api/v2/users")]
    assert ok["level"] == "trace" and ok["statusCode"] == 200
    assert {"method", "url", "statusCode", "requestHeaders", "responseHeaders"} <= set(ok)
    assert ok["requestHeaders"]["Authorization"] == "[REDACTED]"
    failed = by_url[("GET", fresh_emu.base_url + "/api/v2/users/no-such-user")]
    assert failed["level"] == "error" and failed["statusCode"] == 404 and "responseBody" in failed
    login = by_url[("POST", fresh_emu.login_url + "/oauth/token")]
    assert login["requestHeaders"]["Authorization"] == "[REDACTED]"
    _assert_no_secrets(path.read_text(), secrets)


def test_debug_logs_request_side_only(fresh_emu, tmp_path):
    client, path = _logged_client(fresh_emu, tmp_path, LogLevel.LDebug)
    secrets = _exercise(fresh_emu, client)
    ok = [r for r in _records(path) if r["statusCode"] == 200 and "/api/v2/users" in r["url"]]
    assert ok and ok[0]["level"] == "debug"
    assert {"method", "url", "statusCode", "requestHeaders"} <= set(ok[0])
    assert "responseHeaders" not in ok[0] and "responseBody" not in ok[0]
    _assert_no_secrets(path.read_text(), secrets)


def test_error_logs_only_failures_with_everything(fresh_emu, tmp_path):
    client, path = _logged_client(fresh_emu, tmp_path, LogLevel.LError)
    secrets = _exercise(fresh_emu, client)
    records = _records(path)
    assert [r["statusCode"] for r in records] == [404]
    record = records[0]
    assert {"method", "url", "statusCode", "requestHeaders", "responseHeaders", "responseBody"} <= set(record)
    assert record["correlationId"]
    _assert_no_secrets(path.read_text(), secrets)


def test_none_logs_nothing(fresh_emu, tmp_path):
    client, path = _logged_client(fresh_emu, tmp_path, LogLevel.LNone)
    _exercise(fresh_emu, client)
    assert not path.exists() or path.read_text() == ""


def test_text_format(fresh_emu, tmp_path):
    client, path = _logged_client(fresh_emu, tmp_path, LogLevel.LTrace, LogFormat.TEXT)
    secrets = _exercise(fresh_emu, client)
    text = path.read_text()
    for field in ("=== REQUEST ===", "URL: " + fresh_emu.base_url + "/api/v2/users", "Method: GET", "Headers: ",
                  "=== RESPONSE ===", "Status: 200", "Status: 404"):
        assert field in text
    _assert_no_secrets(text, secrets)


def test_failed_login_and_refresh_never_leak_secrets(fresh_emu, tmp_path):
    creds = fresh_emu.register_client(grants=["authorization_code", "refresh_token"], redirect_uris=[REDIRECT])
    client, path = _logged_client(fresh_emu, tmp_path, LogLevel.LTrace)
    with pytest.raises(ApiException):
        client.get_client_credentials_token(fresh_emu.client_id, "the-wrong-secret-value")
    code = fresh_emu.issue_auth_code(creds["client_id"], redirect_uri=REDIRECT)
    _, info = client.get_code_authorization_token(creds["client_id"], creds["client_secret"], code, REDIRECT)
    first_token = client.access_token
    fresh_emu.expire_tokens()
    sdk.UsersApi(client).get_users_me()  # 401, refresh, replay
    text = path.read_text()
    assert "401" in text
    _assert_no_secrets(text, ["the-wrong-secret-value", creds["client_secret"], code, first_token,
                              info["refresh_token"], client.access_token])


def test_console_output(fresh_emu, capsys):
    client = new_client(fresh_emu.base_url)
    logger = client.configuration.logger
    logger.log_format = LogFormat.JSON
    logger.log_to_console = True
    logger.log_level = LogLevel.LDebug
    try:
        client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
        sdk.UsersApi(client).get_users(page_size=1)
    finally:
        logger.log_level = LogLevel.LNone
    err = capsys.readouterr().err
    assert '"url": "' + fresh_emu.base_url + '/api/v2/users' in err
    _assert_no_secrets(err, [fresh_emu.client_secret, client.access_token])


def test_two_clients_log_to_their_own_files(fresh_emu, tmp_path):
    client_a, path_a = _logged_client(fresh_emu, tmp_path, LogLevel.LDebug, name="a.log")
    client_b, path_b = _logged_client(fresh_emu, tmp_path, LogLevel.LDebug, name="b.log")
    client_a.access_token = client_b.access_token = fresh_emu.issue_token()
    sdk.UsersApi(client_a).get_users(page_size=1)
    sdk.UsersApi(client_b).get_users(page_size=2)
    # Each configuration has its own log outputs: nothing of one client lands in the other's file.
    assert len(_records(path_a)) == 1 and len(_records(path_b)) == 1
    assert sdk.configuration.logger.log_level == LogLevel.LNone
