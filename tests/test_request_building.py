"""Requests built for a sample of operations, checked against the spec: method, URL,
query encoding, headers and body."""
from __future__ import annotations

import json
import random
import warnings
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import quote

import pytest

import PureCloudPlatformClientV2 as sdk

UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def _value(param: dict[str, Any], rng: random.Random) -> tuple[Any, str | None]:
    """An argument for ``param`` and the text expected on the wire (None for bodies)."""
    kind = param["type"]
    if "pattern" in param:
        return UUID, UUID
    if kind in ("int", "str") and ("maximum" in param or "minimum" in param):
        number = max(param.get("minimum", 1), min(param.get("maximum", 25), 25))
        return (number if kind == "int" else str(number)), str(number)
    if kind == "int":
        low = param.get("minimum", 1)
        value = max(low, min(param.get("maximum", 50), 25))
        return value, str(value)
    if kind == "bool":
        flag = rng.random() < 0.5
        return flag, "true" if flag else "false"
    if kind == "float":
        return 2.5, "2.5"
    if kind == "list[str]":
        return ["a b", "c/d"], "a b,c/d"
    if kind == "date":
        return date(2024, 2, 29), "2024-02-29"
    if kind == "datetime":
        when = datetime(2024, 2, 29, 12, 30, tzinfo=timezone.utc)
        return when, when.isoformat()
    if kind == "str":
        text = f"{param['name']}-é/?#"
        return text, text
    return {"anything": [1, None, "x"]}, None


def _sample(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    ops = [(api["class"], op) for api in spec["apis"] for op in api["operations"]]
    rng = random.Random(2692)
    picked = rng.sample(ops, 400)
    # and every operation with header parameters, local validations or non-JSON media
    picked += [(c, o) for c, o in ops if any(p["in"] == "header" or "pattern" in p or "maximum" in p
                                             for p in o["params"]) or o["accepts"] != ["application/json"]]
    return picked


def test_requests_match_the_spec(spec: dict[str, Any], capture: Any) -> None:
    client, transport = capture
    rng = random.Random(7)
    checked = 0
    for class_name, op in _sample(spec):
        api = getattr(sdk, class_name)(client)
        required, optional, expected_query, expected_headers = [], {}, [], {}
        path = op["path"]
        body = None
        for param in op["params"]:
            value, text = _value(param, rng)
            if param.get("required"):
                required.append(value)
            else:
                optional[param["name"]] = value
            if param["in"] == "path":
                encoded = quote(text, safe="")
                path = path.replace("{" + param["wire"] + "}", encoded)
            elif param["in"] == "query":
                expected_query.append((param["wire"], text))
            elif param["in"] == "header":
                expected_headers[param["wire"]] = text
            elif param["in"] == "body":
                body = value
        transport.requests.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            getattr(api, op["name"])(*required, **optional)
        (sent,) = transport.requests
        assert sent.method == op["method"], op["name"]
        assert sent.url == "https://api.example.test" + path, op["name"]
        assert "{" not in sent.url
        assert list(sent.query_params) == expected_query, op["name"]
        for name, text in expected_headers.items():
            assert sent.headers[name] == text
        accept = "application/json" if "application/json" in op["accepts"] else ", ".join(op["accepts"])
        assert sent.headers["Accept"] == accept
        assert sent.headers["purecloud-sdk"] == "269.0.0"
        assert ("Authorization" in sent.headers) is op["auth"], op["name"]
        if op["auth"]:
            assert sent.headers["Authorization"] == "Bearer test-token"
        if body is not None:
            assert json.loads(sent["data"]) == body, op["name"]
        else:
            assert sent["data"] is None
        checked += 1
    assert checked >= 400


def test_model_body_strips_none_and_sends_api_null(capture: Any) -> None:
    client, transport = capture
    update = sdk.WorktypeUpdate()
    update.name = "abcd"
    update.default_queue_id = sdk.ApiNullValue()
    sdk.TaskManagementApi(client).patch_taskmanagement_worktype(UUID, update)
    (sent,) = transport.requests
    assert sent.method == "PATCH"
    assert json.loads(sent["data"]) == {"name": "abcd", "defaultQueueId": None}


def test_path_parameters_cannot_change_the_path(capture: Any) -> None:
    client, transport = capture
    users = sdk.UsersApi(client)
    for hostile in ["../../oauth/token", "..", ".", "a/b?c=d#e", "x\r\nHost: evil", "\u00e9\u4e2d" * 50, "%2e%2e"]:
        transport.requests.clear()
        users.get_user(hostile)
        url = transport.requests[0].url
        assert url.startswith("https://api.example.test/api/v2/users/")
        segment = url[len("https://api.example.test/api/v2/users/"):]
        assert "/" not in segment and "?" not in segment and "#" not in segment and segment not in (".", "..")
        assert "\r" not in url and "\n" not in url


def test_header_injection_is_rejected(capture: Any) -> None:
    client, _ = capture
    with pytest.raises(ValueError, match="CR, LF"):
        sdk.OAuthApi(client).get_oauth_scopes(accept_language="en\r\nX-Evil: 1")
    with pytest.raises(ValueError, match="CR, LF"):
        sdk.UsersApi(client).get_users_me(_headers={"X-Trace": "a\nb"})


def test_local_validation_and_required_parameters(capture: Any) -> None:
    client, transport = capture
    with pytest.raises(ValueError, match="Missing the required parameter `user_id`"):
        sdk.UsersApi(client).get_user(None)
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        sdk.UsersApi(client).get_users(bogus=1)
    assert transport.requests == []


def test_query_lists_dates_and_booleans(capture: Any) -> None:
    client, transport = capture
    sdk.UsersApi(client).get_users(page_size=25, page_number=2, id=["a", "b"], expand=["presence"],
                                   sort_order="ASC")
    (sent,) = transport.requests
    assert sent["params"] == [("pageSize", "25"), ("pageNumber", "2"), ("id", "a,b"), ("sortOrder", "ASC"),
                              ("expand", "presence")]


def test_default_client_encodes_the_query_string() -> None:
    from PureCloudPlatformClientV2.http_request_options import HttpRequestOptions
    options = HttpRequestOptions(url="https://x.test/api", method="get", query_params=[("q", "a b&c")])
    assert options.method == "GET"
    assert dict(options)["params"] == [("q", "a b&c")]
    assert options["timeout"] == 16.0


def test_custom_clients_receive_the_json_ready_body(capture: Any) -> None:
    client, transport = capture
    sdk.UsersApi(client).post_users(sdk.CreateUser(name="Ann", email="a@example.com"))
    (sent,) = transport.requests
    assert sent.body == {"name": "Ann", "email": "a@example.com"}
    assert json.loads(sent["data"]) == sent.body
