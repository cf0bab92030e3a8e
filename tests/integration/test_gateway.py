"""Gateway URL shapes, with requests flowing through the emulator's login and API path prefixes."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.rest import ApiException

from .conftest import new_client


@pytest.fixture(scope="module")
def gateway_emu() -> Iterator[Emulator]:
    with Emulator(prefix_login="/myadditionalpathforlogin", prefix_api="myadditionalpathforapi",
                  seed_users=2) as emulator:
        yield emulator


def _roundtrip(client: sdk.ApiClient, emu: Emulator) -> None:
    emu.reset()
    client.get_client_credentials_token(emu.client_id, emu.client_secret)
    assert emu.token_requests("client_credentials") == 1
    page = sdk.UsersApi(client).get_users(page_size=1)
    assert page.entities
    assert emu.request_count("get_users") == 1


def test_set_gateway_positional(gateway_emu):
    # The host is deliberately unreachable: everything must go through the gateway.
    client = new_client("http://api.invalid")
    returned = client.set_gateway("127.0.0.1", "http", gateway_emu.port, "myadditionalpathforlogin",
                                  "myadditionalpathforapi")
    assert returned is client
    assert client.get_conf_url("login", client.host) == \
        f"http://127.0.0.1:{gateway_emu.port}/myadditionalpathforlogin"
    assert client.get_conf_url("api", client.host) == f"http://127.0.0.1:{gateway_emu.port}/myadditionalpathforapi"
    _roundtrip(client, gateway_emu)


def test_set_gateway_readme_keywords(gateway_emu):
    client = new_client("http://api.invalid")
    client.set_gateway(hostname="127.0.0.1", scheme="http", port=gateway_emu.port,
                       login_path="/myadditionalpathforlogin", api_path="/myadditionalpathforapi")
    _roundtrip(client, gateway_emu)


def test_gateway_configuration_on_the_configuration(gateway_emu):
    gateway_configuration = sdk.GatewayConfiguration()
    assert (gateway_configuration.protocol, gateway_configuration.port) == ("https", -1)
    assert gateway_configuration.path_params_login is None and gateway_configuration.path_params_api is None
    gateway_configuration.host = "127.0.0.1"
    gateway_configuration.protocol = "http"
    gateway_configuration.port = gateway_emu.port
    gateway_configuration.path_params_login = "myadditionalpathforlogin"
    gateway_configuration.path_params_api = "myadditionalpathforapi"
    configuration = sdk.Configuration.new(host="http://api.invalid", live_reload_config=False)
    configuration.gateway_configuration = gateway_configuration
    client = sdk.ApiClient(configuration=configuration)
    _roundtrip(client, gateway_emu)


def test_none_means_default(gateway_emu):
    client = new_client("http://api.invalid")
    client.set_gateway("gw.example", None, None, None, None)
    assert client.get_conf_url("login", client.host) == "https://gw.example"
    assert client.get_conf_url("api", client.host) == "https://gw.example"
    client.set_gateway("gw.example", "", -1, "", "")
    assert client.get_conf_url("api", client.host) == "https://gw.example"
    client.set_gateway("gw.example", "https", 1443, "login", "/api")
    assert client.get_conf_url("login", client.host) == "https://gw.example:1443/login"
    assert client.get_conf_url("api", client.host) == "https://gw.example:1443/api"


def test_missing_prefix_reaches_nothing(gateway_emu):
    # Without the API prefix the request hits an unknown path: proof that the prefix is really used.
    client = new_client("http://api.invalid")
    client.set_gateway("127.0.0.1", "http", gateway_emu.port, "myadditionalpathforlogin", None)
    client.get_client_credentials_token(gateway_emu.client_id, gateway_emu.client_secret)
    with pytest.raises(ApiException) as info:
        sdk.UsersApi(client).get_users(page_size=1)
    assert info.value.status == 404
