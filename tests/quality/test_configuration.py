"""Configuration: the official helpers, setting checks, and the configuration file's effect on
real calls (a scripted server counts what the client sent)."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.rest import ApiException

from .scripted_server import USER, Reply, ScriptedServer, error_reply


def _config(**settings: object) -> sdk.Configuration:
    return sdk.Configuration.new(live_reload_config=False, **settings)


def test_official_helpers() -> None:
    config = _config()
    config.api_key = {"k": "secret-key"}
    config.api_key_prefix = {"k": "Token"}
    assert config.get_api_key_with_prefix("k") == "Token secret-key"
    config.api_key_prefix = {}
    assert config.get_api_key_with_prefix("k") == "secret-key"
    assert config.get_api_key_with_prefix("missing") is None
    config.username, config.password = "user", "pa:ss"
    assert config.get_basic_auth_token() == "Basic " + base64.b64encode(b"user:pa:ss").decode()
    config.access_token = "tok"
    assert config.auth_settings()["PureCloud OAuth"]["value"] == "Bearer tok"
    assert config.auth_settings("other")["PureCloud OAuth"]["value"] == "Bearer other"
    report = config.to_debug_report()
    assert "SDK Package Version: 269.0.0" in report and "Python Version: " in report


def test_repr_never_shows_secrets() -> None:
    config = _config(host="https://api.example.test", proxy="http://127.0.0.1:3128", proxy_password="pw-secret")
    config.access_token = "token-secret"
    text = repr(config)
    assert "pw-secret" not in text and "token-secret" not in text
    assert text == "<Configuration host='https://api.example.test' proxy=set>"


def test_unknown_setting_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match="no setting 'hots'"):
        sdk.Configuration.new(hots="https://api.example.test")


@pytest.mark.parametrize("value", [False, None])
def test_retry_false_or_none_disables_retries(value: object) -> None:
    config = _config()
    config.retry = value  # type: ignore[assignment]
    assert config.retry.max_retries == 0
    with ScriptedServer(lambda seen: error_reply(503)) as server:
        config.host = server.url
        client = sdk.ApiClient(configuration=config)
        client.access_token = "t"
        with pytest.raises(ApiException):
            sdk.UsersApi(client).get_user("u1")
        assert server.count("/api/v2/users/u1") == 1


def test_retry_must_be_a_retry_configuration() -> None:
    with pytest.raises(TypeError, match="must be a RetryConfiguration"):
        _config().retry = 3  # type: ignore[assignment]


def test_mtls_files_must_exist(tmp_path: Path) -> None:
    present = tmp_path / "cert.pem"
    present.write_text("x")
    config = _config()
    with pytest.raises(FileNotFoundError, match="mTLS key file not found"):
        config.set_mtls_certificates(str(present), str(tmp_path / "missing.key"))
    with pytest.raises(FileNotFoundError, match="mTLS CA file not found"):
        config.set_mtls_certificates(str(present), str(present), str(tmp_path / "missing-ca.pem"))


def test_configuration_file_sets_host_retry_and_clears_the_gateway(tmp_path: Path) -> None:
    with ScriptedServer(lambda seen: error_reply(503) if len(server.requests) < 3 else Reply(200, USER)) as server:
        path = tmp_path / "config.json"
        path.write_text(json.dumps({"general": {"host": server.url},
                                    "retry": {"max_retries": 2, "retry_after_default": 0.01},
                                    "gateway": {"host": ""}}))
        config = _config()
        config.gateway_configuration = sdk.GatewayConfiguration(host="gateway.example.test")
        config.config_file_path = str(path)
        assert config.config_file_path == str(path)
        assert config.host == server.url and config.retry.max_retries == 2
        assert config.gateway_configuration is None
        config.retry = config.retry.copy(backoff_initial=0.01, backoff_max=0.02)
        client = sdk.ApiClient(configuration=config)
        client.access_token = "t"
        assert sdk.UsersApi(client).get_user("u1").id == "u1"
        assert server.count("/api/v2/users/u1") == 3


@pytest.mark.parametrize("text", ['{"reauthentication": {"refresh_token_wait_max": true}}',
                                  '{"general": {"live_reload_config": "maybe"}}',
                                  "[general\nhost = x", '["not", "sections"]'])
def test_a_bad_configuration_file_keeps_the_last_good_settings(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config"
    path.write_text(text)
    config = _config(host="https://api.kept.test")
    config.refresh_token_wait_time = 7
    config.config_file_path = str(path)
    assert config.host == "https://api.kept.test" and config.refresh_token_wait_time == 7
    assert config.live_reload_config is False


def test_a_missing_configuration_file_changes_nothing(tmp_path: Path) -> None:
    config = _config(host="https://api.kept.test")
    config.config_file_path = str(tmp_path / "absent")
    assert config.host == "https://api.kept.test"
