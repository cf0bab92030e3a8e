"""The official core helpers that scripts call directly behave as the official ones, over real HTTP."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
import urllib3

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.api_null_value import ApiNullValue, singleton
from PureCloudPlatformClientV2.default_http_client import DefaultHttpClient
from PureCloudPlatformClientV2.rest import ApiException, RESTClientObject, RESTResponse
from PureCloudPlatformClientV2.utils import string_types

from .conftest import new_client


def _rest_client(emu) -> RESTClientObject:
    http = DefaultHttpClient(configuration=sdk.Configuration.new(host=emu.base_url, live_reload_config=False))
    return http.rest_client


def test_rest_client_object_verbs_over_real_http(fresh_emu):
    rest = _rest_client(fresh_emu)
    token = fresh_emu.issue_token()
    auth = {"Authorization": f"Bearer {token}"}
    listing = rest.GET(fresh_emu.base_url + "/api/v2/users", headers=auth, query_params={"pageSize": 1})
    assert listing.status == 200 and isinstance(listing.data, str)
    assert len(json.loads(listing.data)["entities"]) == 1
    created = rest.POST(fresh_emu.base_url + "/api/v2/users", headers=auth,
                        body={"name": "Rest Client", "email": "rest@example.com"})
    user_id = json.loads(created.data)["id"]
    assert rest.request("get", f"{fresh_emu.base_url}/api/v2/users/{user_id}", headers=auth).status == 200
    with pytest.raises(ApiException) as missing:
        rest.GET(fresh_emu.base_url + "/api/v2/users/nobody", headers=auth)
    assert missing.value.status == 404
    # form bodies: the token endpoint
    form = rest.POST(fresh_emu.login_url + "/oauth/token", post_params={"grant_type": "client_credentials"},
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              **urllib3.make_headers(basic_auth=f"{fresh_emu.client_id}:{fresh_emu.client_secret}")})
    assert "access_token" in json.loads(form.data)
    with pytest.raises(ValueError):
        rest.POST(fresh_emu.base_url + "/api/v2/users", body={"a": 1}, post_params={"b": 2})


def test_rest_response_takes_a_urllib3_response_or_parts(fresh_emu):
    raw = urllib3.PoolManager().request("GET", fresh_emu.base_url + "/api/v2/users")
    wrapped = RESTResponse(raw)
    assert (wrapped.status, wrapped.reason, wrapped.urllib3_response) == (401, raw.reason, raw)
    assert wrapped.getheader("content-type") == raw.headers["Content-Type"]
    parts = RESTResponse(200, "OK", {"X-A": "1"}, b'{"a": 1}')
    assert (parts.status, parts.data, parts.getheader("x-a")) == (200, '{"a": 1}', "1")


def test_to_rest_client_config_and_default_timeout():
    http = DefaultHttpClient(timeout=5)
    config = http.to_rest_client_config(sdk.HttpRequestOptions("https://h.example/x", "post", body={"a": 1}))
    assert config == {"url": "https://h.example/x", "method": "POST", "headers": {}, "query_params": {},
                      "post_params": {}, "body": {"a": 1}, "timeout": 5}


def test_api_client_official_helpers(tmp_path):
    client = new_client("https://api.example")
    assert client.to_path_value(["a", "b"]) == "a,b" and client.to_path_value(True) == "true"
    assert client.to_path_value(5) == "5"
    user = sdk.User()
    user.name, user.state = "Ann", "active"
    assert client.sanitize_params_for_serialization(
        {"a": None, "d": date(2026, 1, 2), "t": datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc),
         "ym": sdk.YearMonth(2026, 3), "u": user, "n": [1, None]}) == \
        {"d": "2026-01-02", "t": "2026-01-02T03:04:00+00:00", "ym": "2026-03", "u": {"name": "Ann", "state": "active"},
         "n": [1, None]}
    upload = tmp_path / "notes.txt"
    upload.write_bytes(b"hello")
    assert client.prepare_post_parameters([("x", "1")], {"file": str(upload), "skip": None}) == \
        [("x", "1"), ("file", ("notes.txt", b"hello", "text/plain"))]
    client.access_token = "tok"
    headers: dict = {}
    query: dict = {}
    client.update_params_for_auth(headers, query, ["PureCloud OAuth"])
    assert headers == {"Authorization": "Bearer tok"} and query == {}
    with client.refresh_token_lock:
        assert client.refresh_token_lock.locked()


def test_api_null_value_and_utils():
    null = ApiNullValue()
    assert (null.swagger_types, null.attribute_map, null.to_dict(), null.to_json()) == ({}, {}, None, None)
    assert string_types == (bytes, str)

    class Thing:
        made = 0

        def __init__(self) -> None:
            Thing.made += 1

    get = singleton(Thing)
    assert get() is get() and Thing.made == 1


def test_logger_official_methods_write_official_statements(tmp_path):
    from PureCloudPlatformClientV2.logger import LogFormat, Logger, LogLevel, LogStatement

    logger = Logger(private=True)
    logger.log_to_console = False
    logger.log_format = LogFormat.JSON
    logger.log_file_path = str(tmp_path / "x.log")
    logger.log_level = LogLevel.LTrace
    logger.log_request_body = True
    try:
        logger.debug("POST", "https://h/x", {"secret": "s", "a": 1}, 200, {"Authorization": "Bearer t"})
        logger.error("GET", "https://h/y", None, 500, {}, '{"code": "internal"}', {"X": "1"})
    finally:
        logger.log_level = LogLevel.LNone
    first, second = [json.loads(line) for line in (tmp_path / "x.log").read_text().splitlines()]
    assert first["requestBody"] == {"secret": "[REDACTED]", "a": 1}
    assert first["requestHeaders"] == {"Authorization": "[REDACTED]"}
    assert second["level"] == "error" and "responseBody" not in second  # log_response_body is off
    text = LogStatement("debug", "d", "GET", "https://h/z", None, 204, {"A": "1", "B": "2"}).string(
        LogFormat.TEXT, False, False)
    assert text == "\n=== REQUEST ===\nURL: https://h/z\nMethod: GET\nHeaders: \n\tA: 1\n\tB: 2" \
                   "\n=== RESPONSE ===\nStatus: 204"
