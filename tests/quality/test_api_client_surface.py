"""The ApiClient's official helpers and less common call shapes, over real HTTP against a
scripted server: call_api with path/header/form arguments, cookies, raw bodies, text and file
responses, callbacks, and the errors for misuse."""
from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
import urllib3

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.api_client import ApiClient
from PureCloudPlatformClientV2.rest import ApiException, ApiResponseError

from .conftest import sync_client
from .scripted_server import USER, Reply, ScriptedServer, Seen


def _echo(seen: Seen) -> Reply:
    if seen.path.endswith("/text"):
        return Reply(200, "plain words", {"Content-Type": "text/plain"})
    if seen.path.endswith("/notjson"):
        return Reply(200, b"<html>oops</html>", {"Content-Type": "text/html"})
    if seen.path.endswith("/file"):
        return Reply(200, b"\x00binary", {"Content-Type": "application/octet-stream",
                                         "Content-Disposition": 'attachment; filename="../../report.bin"'})
    if seen.path.endswith("/anonymous-file"):
        return Reply(200, b"anon", {"Content-Type": "application/octet-stream"})
    if seen.path.endswith("/empty"):
        return Reply(204)
    return Reply(200, USER)


@pytest.fixture
def server() -> Any:
    with ScriptedServer(_echo) as running:
        yield running


@pytest.fixture
def client(server: ScriptedServer) -> ApiClient:
    api_client = sync_client(server.url)
    api_client.access_token = "t"
    return api_client


def test_call_api_encodes_path_query_and_headers(client: ApiClient, server: ScriptedServer) -> None:
    user = client.call_api("/api/v2/users/{userId}", "GET", path_params={"userId": "a/b", "unused": None},
                           query_params={"expand": ["groups", "skills"], "flag": True, "skip": None},
                           header_params={"X-Custom": 7, "X-None": None}, response_type="User")
    seen = server.requests[-1]
    assert isinstance(user, sdk.User) and user.id == "u1"
    assert seen.path == "/api/v2/users/a%2Fb"
    assert seen.query == [("expand", "groups,skills"), ("flag", "true")]
    assert seen.headers["x-custom"] == "7" and "x-none" not in seen.headers


def test_call_api_form_and_explicit_content_type(client: ApiClient, server: ScriptedServer) -> None:
    client.call_api("/api/v2/things", "POST", post_params={"a": "1"})
    assert server.requests[-1].headers["content-type"] == "application/x-www-form-urlencoded"
    assert server.requests[-1].body == b"a=1"
    client.call_api("/api/v2/things", "POST", post_params={"a": "1"}, header_params={"Content-Type": "text/plain"})
    assert server.requests[-1].headers["content-type"] == "text/plain"


def test_call_api_uploads_a_file_from_a_path(client: ApiClient, server: ScriptedServer, tmp_path: Path) -> None:
    upload = tmp_path / "hello.txt"
    upload.write_bytes(b"hello upload")
    client.call_api("/api/v2/uploads", "POST", files={"file": str(upload)}, post_params={"kind": "doc"})
    seen = server.requests[-1]
    assert seen.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'filename="hello.txt"' in seen.body and b"hello upload" in seen.body and b"doc" in seen.body


def test_raw_bytes_and_text_bodies_are_sent_as_given(client: ApiClient, server: ScriptedServer) -> None:
    client.call_api("/api/v2/raw", "PUT", body=b"\x01\x02", header_params={"Content-Type": "application/octet-stream"})
    assert server.requests[-1].body == b"\x01\x02"
    client.call_api("/api/v2/raw", "PUT", body="plain text é", header_params={"Content-Type": "text/plain"})
    assert server.requests[-1].body == "plain text é".encode()
    client.call_api("/api/v2/raw", "PUT", body="a json string")  # JSON content type: encoded as JSON
    assert json.loads(server.requests[-1].body) == "a json string"


def test_cookie_and_default_headers_reach_the_wire(server: ScriptedServer) -> None:
    client = ApiClient(host=server.url, header_name="X-Team", header_value="blue", cookie="session=abc",
                       configuration=sdk.Configuration.new(live_reload_config=False))
    client.access_token = "t"
    client.set_default_header("X-Other", "1")
    sdk.UsersApi(client).get_user("u1")
    seen = server.requests[-1]
    assert seen.headers["x-team"] == "blue" and seen.headers["x-other"] == "1"
    assert seen.headers["cookie"] == "session=abc"
    assert seen.headers["purecloud-sdk"] == "269.0.0" and seen.token == "t"
    client.cookie = "bad\r\nInjected: 1"
    with pytest.raises(ValueError, match="CR, LF"):
        sdk.UsersApi(client).get_user("u1")


def test_text_empty_and_non_json_responses(client: ApiClient) -> None:
    assert client.call_api("/api/v2/x/text", "GET", response_type="str") == "plain words"
    assert client.call_api("/api/v2/x/notjson", "GET", response_type="str") == "<html>oops</html>"
    assert client.call_api("/api/v2/x/empty", "GET", response_type="User") is None
    with pytest.raises(ApiResponseError, match="not valid JSON"):
        client.call_api("/api/v2/x/notjson", "GET", response_type="User")


def test_file_responses_are_saved_under_a_safe_name(client: ApiClient, tmp_path: Path) -> None:
    client.configuration.temp_folder_path = str(tmp_path)
    saved = Path(client.call_api("/api/v2/x/file", "GET", response_type="file"))
    # in a private folder of its own under temp_folder_path, under its own name: no directory escape
    assert saved.name == "report.bin" and saved.parent.parent == tmp_path and saved.read_bytes() == b"\x00binary"
    assert saved.parent.stat().st_mode & 0o077 == 0
    anonymous = Path(client.call_api("/api/v2/x/anonymous-file", "GET", response_type="file"))
    assert anonymous.parent.parent == tmp_path and anonymous.read_bytes() == b"anon"


def test_with_http_info_and_its_misuse(client: ApiClient) -> None:
    response = client.with_http_info(sdk.UsersApi(client).get_user, "u1")
    assert response.status == 200 and response.data.id == "u1"
    assert repr(response).startswith("<ApiResponse 200")
    with pytest.raises(RuntimeError, match="bound to this ApiClient"):
        client.with_http_info(lambda: None)


def test_callbacks_get_results_and_errors(client: ApiClient, server: ScriptedServer) -> None:
    done = threading.Event()
    got: list[Any] = []

    def two_args(result: Any, error: Any) -> None:
        got.append((result, error))
        done.set()

    thread = sdk.UsersApi(client).get_user("u1", callback=two_args)
    assert done.wait(30)
    thread.join(30)
    assert got[0][0].id == "u1" and got[0][1] is None and thread.result.id == "u1"

    one_arg_results: list[Any] = []
    thread = client.call_api("/api/v2/x/notjson", "GET", response_type="User", callback=one_arg_results.append)
    thread.join(30)
    assert isinstance(thread.exception, ApiResponseError) and one_arg_results == []  # logged, kept on the thread


def test_deserialize_accepts_other_clients_responses(client: ApiClient, server: ScriptedServer) -> None:
    with requests.get(server.url + "/api/v2/users/u1", timeout=30) as raw:
        assert client.deserialize(raw, "User").id == "u1"
    pool = urllib3.PoolManager()
    raw3 = pool.request("GET", server.url + "/api/v2/users/u1")
    assert client.deserialize(raw3, "User").name == "Scripted User"
    pool.clear()
    with pytest.raises(TypeError, match="has no status"):
        client.deserialize(object(), "User")


def test_header_selection_helpers() -> None:
    client = sync_client("http://127.0.0.1:9")
    assert client.select_header_accept([]) is None
    assert client.select_header_accept(["text/plain", "Application/JSON"]) == "application/json"
    assert client.select_header_accept(["text/plain", "image/png"]) == "text/plain, image/png"
    assert client.select_header_content_type([]) == "application/json"
    assert client.select_header_content_type(["multipart/form-data"]) == "multipart/form-data"


def test_misuse_is_reported_clearly(client: ApiClient) -> None:
    with pytest.raises(ValueError, match="cannot be None"):
        client.set_http_client(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="AbstractHttpClient"):
        client.set_http_client(object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="_retry must be"):
        sdk.UsersApi(client).get_user("u1", _retry=3)
    with pytest.raises(ValueError, match="_request_timeout must be"):
        sdk.UsersApi(client).get_user("u1", _request_timeout=-1)
    with pytest.raises(ValueError, match="unknown grant"):
        client._grant_request("password", "cid")
    with pytest.raises(ValueError, match="between 43 and 128"):
        client.compute_pkce_code_challenge("short")
    with pytest.raises(ValueError, match="CR, LF"):
        client.set_default_header("X-Bad", "a\nb")


def test_a_token_response_without_a_token_is_a_response_error() -> None:
    with ScriptedServer(lambda seen: Reply(200, {"token_type": "bearer"})) as server:
        client = sync_client(server.url)
        with pytest.raises(ApiResponseError):
            client.get_client_credentials_token("cid", "secret")
        assert client.access_token == ""


def test_region_selects_the_host() -> None:
    client = ApiClient(region="eu_west_1", configuration=sdk.Configuration.new(live_reload_config=False))
    assert client.host == sdk.PureCloudRegionHosts.eu_west_1.value
    assert client.get_conf_url("login", client.host).startswith("https://login.")


def test_a_failed_call_is_an_api_exception_with_the_platform_error(client: ApiClient) -> None:
    def handler(seen: Seen) -> Reply:
        return Reply(400, {"message": "bad input", "code": "bad.request", "contextId": "ctx-1",
                           "details": [{"errorCode": "x"}]}, {"ININ-Correlation-Id": "cid-9"})

    with ScriptedServer(handler) as failing:
        bad = sync_client(failing.url)
        bad.access_token = "t"
        with pytest.raises(ApiException) as info:
            sdk.UsersApi(bad).get_user("u1")
    error = info.value
    assert (error.status, error.message, error.code, error.context_id, error.correlation_id) == (
        400, "bad input", "bad.request", "ctx-1", "cid-9")
    assert error.details == [{"errorCode": "x"}]
    assert str(error) == "(400) Bad Request: bad input [code=bad.request, contextId=ctx-1, correlationId=cid-9]"
