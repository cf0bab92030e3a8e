"""The small public pieces: request options as a custom client sees them, gateways (over real
HTTP), region hosts, hooks and timeouts, and the spec's local parameter checks."""
from __future__ import annotations

import json

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.purecloud_region_hosts import login_host_for

from .conftest import sync_client
from .scripted_server import USER, Reply, ScriptedServer, Seen, token_reply


# -- HttpRequestOptions: what a custom client receives ------------------------------------------------
def test_request_options_validate_url_and_method() -> None:
    with pytest.raises(ValueError, match="'url' property is required"):
        sdk.HttpRequestOptions(url="", method="GET")
    with pytest.raises(ValueError, match="'method' property is invalid"):
        sdk.HttpRequestOptions(url="http://127.0.0.1:9/", method="FETCH")
    assert sdk.HttpRequestOptions(url="http://127.0.0.1:9/", method="get").method == "GET"


def test_request_options_as_requests_keywords() -> None:
    options = sdk.HttpRequestOptions(url="http://127.0.0.1:9/x", method="POST", headers={"Authorization": "Bearer s"},
                                     query_params={"a": "1"}, body={"k": [1, None]}, timeout=2500)
    mapping = dict(options)
    assert set(mapping) == {"method", "url", "headers", "params", "data", "timeout"}
    assert mapping["params"] == [("a", "1")] and json.loads(mapping["data"]) == {"k": [1, None]}
    assert mapping["timeout"] == 2.5  # milliseconds in, seconds out
    with pytest.raises(KeyError):
        options["nope"]
    assert "Bearer s" not in repr(options) and "[REDACTED]" in repr(options)
    form = sdk.HttpRequestOptions(url="http://127.0.0.1:9/x", method="POST", post_params={"f": "v"},
                                  timeouts=(1.0, 2.0), timeout=None)
    assert form["data"] == {"f": "v"} and form["timeout"] == (1.0, 2.0) and len(form) == 6
    assert sdk.HttpRequestOptions(url="http://127.0.0.1:9/x", method="GET", timeout=None)["timeout"] is None
    assert sdk.HttpRequestOptions(url="http://127.0.0.1:9/x", method="GET")["data"] is None


# -- gateways -----------------------------------------------------------------------------------------
def test_gateway_prefixes_route_login_and_api_requests() -> None:
    def handler(seen: Seen) -> Reply:
        if seen.path == "/gw-login/oauth/token":
            return token_reply()
        return Reply(200, USER) if seen.path == "/gw-api/api/v2/users/u1" else Reply(404, {"message": seen.path})

    with ScriptedServer(handler) as server:
        port = int(server.url.rsplit(":", 1)[1])
        client = sync_client("https://api.not-used.test")
        client.set_gateway(hostname="127.0.0.1", scheme="http", port=port, login_path="gw-login", api_path="/gw-api")
        client.get_client_credentials_token("cid", "secret")
        assert sdk.UsersApi(client).get_user("u1").id == "u1"
        assert [r.path for r in server.requests] == ["/gw-login/oauth/token", "/gw-api/api/v2/users/u1"]


@pytest.mark.parametrize("port", ["abc", -2, 65536])
def test_gateway_port_is_checked(port: object) -> None:
    with pytest.raises(ValueError, match="gateway port must be"):
        sdk.GatewayConfiguration(host="gw.example.test", port=port)  # type: ignore[arg-type]


def test_gateway_defaults_and_repr() -> None:
    gateway = sdk.GatewayConfiguration(host="gw.example.test", port="", protocol=None)
    assert gateway.port == -1 and gateway.protocol == "https"
    assert gateway.base_url("api") == "https://gw.example.test"
    assert "gw.example.test" in repr(gateway)


# -- region hosts ---------------------------------------------------------------------------------------
def test_region_hosts_and_login_hosts() -> None:
    region = sdk.PureCloudRegionHosts.eu_west_1
    assert region.apihost == region.get_api_host() == region.value
    assert region.get_login_host() == region.value.replace("https://api.", "https://login.")
    assert login_host_for("api.example.test") == "login.example.test"
    assert login_host_for("http://127.0.0.1:8080") == "http://127.0.0.1:8080"


# -- hooks and timeouts -----------------------------------------------------------------------------------
def test_hooks_and_timeouts_are_checked() -> None:
    http = sdk.DefaultHttpClient()
    with pytest.raises(ValueError, match="must be callable"):
        http.set_pre_request_hook("not callable")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exactly one positional argument"):
        http.set_post_request_hook(lambda a, b: None)
    http.set_pre_request_hook(print)  # a builtin without a signature is trusted
    for bad in (0, -5, True, "10"):
        with pytest.raises(ValueError, match="positive number of milliseconds"):
            http.set_timeout(bad)  # type: ignore[arg-type]


def test_pre_hook_may_replace_the_options_and_post_hook_the_response() -> None:
    with ScriptedServer(lambda seen: Reply(200, USER)) as server:
        client = sync_client(server.url)
        client.access_token = "t"
        http = sdk.DefaultHttpClient(configuration=client.configuration)

        def pre(options: sdk.HttpRequestOptions) -> sdk.HttpRequestOptions:
            options.headers = {**options.headers, "X-Replaced": "yes"}
            return options

        def post(response: sdk.rest.RESTResponse) -> sdk.rest.RESTResponse:
            return sdk.rest.RESTResponse(200, "OK", response.headers, json.dumps({**USER, "name": "From Hook"}))

        http.set_pre_request_hook(pre)
        http.set_post_request_hook(post)
        client.set_http_client(http)
        assert sdk.UsersApi(client).get_user("u1").name == "From Hook"
        assert server.requests[-1].headers["x-replaced"] == "yes"


# -- the spec's local checks ----------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "message"), [("0", "must be at least 1"), ("101", "must be at most 100"),
                                                ("ten", "expected a number")])
def test_bounded_parameters_are_checked_before_sending(value: str, message: str) -> None:
    with ScriptedServer(lambda seen: Reply(200, {"entities": []})) as server:
        client = sync_client(server.url)
        client.access_token = "t"
        api = sdk.AgentAssistantsApi(client)
        with pytest.raises(ValueError, match=message):
            api.get_assistants_agentchecklists(page_size=value)
        assert server.requests == []
        api.get_assistants_agentchecklists(page_size="100")  # the bound itself is allowed
        assert dict(server.requests[-1].query)["pageSize"] == "100"


def test_pattern_checked_parameters_name_the_parameter() -> None:
    client = sync_client("http://127.0.0.1:9")
    client.access_token = "t"
    with pytest.raises(ValueError, match="parameter `summary_setting_id`.*must match the pattern"):
        sdk.AIStudioApi(client).delete_conversations_summaries_setting("not-a-uuid")
