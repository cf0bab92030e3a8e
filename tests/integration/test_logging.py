"""Request logging per LogLevel and LogFormat, written to a file and the console; secrets never appear."""
from __future__ import annotations

import json
import re

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
    by_url: dict = {}
    for r in records:
        by_url.setdefault((r["method"], r["url"].split("?")[0]), []).append(r)
    # as in the official SDK: a success gives a trace record (with the response headers), then a debug one
    trace, debug = by_url[("GET", fresh_emu.base_url + "/api/v2/users")]
    assert trace["level"] == "trace" and trace["statusCode"] == 200
    assert trace["url"] == fresh_emu.base_url + "/api/v2/users?pageSize=1"
    assert {"level", "date", "method", "url", "statusCode", "requestHeaders", "responseHeaders"} <= set(trace)
    assert trace["requestHeaders"]["Authorization"] == "[REDACTED]"
    assert debug["level"] == "debug" and "responseHeaders" not in debug
    (failed,) = by_url[("GET", fresh_emu.base_url + "/api/v2/users/no-such-user")]
    assert failed["level"] == "error" and failed["statusCode"] == 404 and "responseBody" in failed
    login = by_url[("POST", fresh_emu.login_url + "/oauth/token")][0]
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
    assert record["responseHeaders"]["ININ-Correlation-Id"]
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


# -- the official layouts, field by field --------------------------------------------------
JSON_KEYS = ["level", "date", "method", "url", "requestBody", "responseBody", "statusCode", "requestHeaders",
             "responseHeaders"]


def test_json_layout_keys_in_the_official_order(fresh_emu, tmp_path):
    client, path = _logged_client(fresh_emu, tmp_path, LogLevel.LTrace)
    client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
    body = sdk.CreateUser()
    body.name, body.email, body.password = "Ann Example", "ann@example.com", "s3cret-pass"
    sdk.UsersApi(client).post_users(body)
    records = [r for r in _records(path) if r["url"].endswith("/api/v2/users")]
    assert [r["level"] for r in records] == ["trace", "debug"]
    for record in records:
        keys = list(record)
        assert keys == [k for k in JSON_KEYS if k in keys]  # the official order
        assert re.fullmatch(r"\d\d-\d\d-\d{4}, \d\d:\d\d:\d\d", record["date"])
        # the request body is an object, as the official SDK logs it; the password is masked
        assert record["requestBody"] == {"name": "Ann Example", "email": "ann@example.com", "password": "[REDACTED]"}


def test_text_layout_line_by_line(fresh_emu, tmp_path):
    client, path = _logged_client(fresh_emu, tmp_path, LogLevel.LTrace, LogFormat.TEXT)
    client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
    sdk.UsersApi(client).get_users(page_size=1)
    text = path.read_text()
    blocks = re.split(r"^(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ )", text, flags=re.M)
    trace = next(b for b in blocks if " TRACE \n" in b and "/api/v2/users" in b)
    lines = trace.splitlines()
    assert lines[0].endswith(" TRACE ")
    assert lines[1:5] == ["=== REQUEST ===", f"URL: {fresh_emu.base_url}/api/v2/users?pageSize=1", "Method: GET",
                          "Headers: "]
    request_headers = lines[5:lines.index("=== RESPONSE ===")]
    assert request_headers and all(re.fullmatch(r"\t[\w-]+: .+", h) for h in request_headers)
    assert "\tAuthorization: [REDACTED]" in request_headers
    rest = lines[lines.index("=== RESPONSE ===") + 1:]
    assert rest[:2] == ["Status: 200", "Headers: "]
    assert all(h.startswith("\t") for h in rest[2:-1])
    assert rest[-1].startswith("CorrelationId: ") and rest[-1].split(": ")[1] in trace.split("ININ-Correlation-Id: ")[1]
    debug = next(b for b in blocks if " DEBUG \n" in b and "/api/v2/users" in b)
    assert debug.rstrip().endswith("=== RESPONSE ===\nStatus: 200")  # no response headers at debug


def test_secret_fields_masked_by_exact_name_and_error_codes_stay_readable(fresh_emu, tmp_path):
    client, path = _logged_client(fresh_emu, tmp_path, LogLevel.LTrace, LogFormat.TEXT)
    client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
    credential = sdk.Credential()
    credential.name = "crm"
    credential.type = sdk.CredentialType()
    credential.type.name = "userDefinedOAuth"
    credential.credential_fields = {"clientId": "visible-client-id", "clientSecret": "cs-VALUE-1",
                                    "secret": "s-VALUE-2", "apiKey": "ak-VALUE-3", "api_key": "ak-VALUE-4",
                                    "access_token": "at-VALUE-5", "refreshToken": "rt-VALUE-6",
                                    "password": "pw-VALUE-7", "secretQuestionHint": "hint-visible"}
    sdk.IntegrationsApi(client).post_integrations_credentials(body=credential)
    body = sdk.CreateUser()
    body.name, body.email, body.password = "Bo Example", "bo@example.com", "pw-VALUE-8"
    users = sdk.UsersApi(client)
    users.post_users(body)
    with pytest.raises(ApiException) as conflict:
        users.post_users(body)
    assert conflict.value.code == "general.conflict"
    client.call_api("/api/v2/users", "GET", query_params={"pageSize": 1, "apiKey": "ak-VALUE-9"},
                    response_type="UserEntityListing")
    text = path.read_text()
    for n in range(1, 10):
        assert f"VALUE-{n}" not in text
    # exact names only: similar names and error codes stay readable
    assert "visible-client-id" in text and "hint-visible" in text
    assert '"code":"general.conflict"' in text
    assert "apiKey=[REDACTED]" in text and "pageSize=1" in text


def test_redaction_rules_on_bodies_forms_and_urls():
    from PureCloudPlatformClientV2.logger import SECRET_FIELDS, redact_body, redact_url

    assert {"client_secret", "secret", "api_key", "access_token", "refresh_token", "password"} <= SECRET_FIELDS
    assert "code" not in SECRET_FIELDS
    masked = json.loads(redact_body(b'{"a": {"Client_Secret": "x", "CLIENTSECRET": "y", "secrets": "keep"},'
                                    b' "list": [{"Password": "p"}], "code": "bad.request", "passwordHint": "h"}'))
    assert masked == {"a": {"Client_Secret": "[REDACTED]", "CLIENTSECRET": "[REDACTED]", "secrets": "keep"},
                      "list": [{"Password": "[REDACTED]"}], "code": "bad.request", "passwordHint": "h"}
    assert redact_body("grant_type=password&username=u&password=p%20w&client_secret=c") == \
        "grant_type=password&username=u&password=[REDACTED]&client_secret=[REDACTED]"
    assert redact_url("https://h/x?access_token=t&next=1") == "https://h/x?access_token=[REDACTED]&next=1"
    assert redact_body('{"code": "general.conflict"}') == '{"code": "general.conflict"}'  # unchanged text
    assert redact_body("plain text with password=1 inside") == "plain text with password=1 inside"
    # a truncated JSON body (cut by a proxy, a size limit) is still masked pair by pair
    assert redact_body('{"code": "x.y", "apiKey": "k-123", "password": "p-unterminated') == \
        '{"code": "x.y", "apiKey": "[REDACTED]", "password": "[REDACTED]"'
