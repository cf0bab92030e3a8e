"""The configuration file (INI and JSON): values applied, live reload on change, malformed files ignored."""
from __future__ import annotations

import json
import logging
import os
import time

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.logger import LogFormat, LogLevel

INI = """[logging]
log_level = trace
log_format = json
log_to_console = false
log_file_path = {log}
log_response_body = true
log_request_body = true
[reauthentication]
refresh_access_token = false
refresh_token_wait_max = 7
[general]
live_reload_config = true
host = {host}
[gateway]
host = 127.0.0.1
protocol = http
port = {port}
path_params_login = login
path_params_api = api
username = username
password = password
"""


def _json_config(host: str, log: str, level: str = "debug") -> str:
    return json.dumps({
        "logging": {"log_level": level, "log_format": "text", "log_to_console": False, "log_file_path": log,
                    "log_response_body": False, "log_request_body": False},
        "reauthentication": {"refresh_access_token": True, "refresh_token_wait_max": 3},
        "general": {"live_reload_config": True, "host": host},
    })


def _wait_until(predicate, deadline: float = 10.0) -> bool:
    """Poll a condition with a deadline (the watcher thread applies changes asynchronously)."""
    end = time.monotonic() + deadline
    while not predicate():
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


def _write(path, text: str) -> None:
    # Write to a sibling and rename: an editor's save, and no half-written file for the watcher.
    tmp = f"{path}.tmp"
    with open(tmp, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


@pytest.fixture
def configuration():
    config = sdk.Configuration.new()
    yield config
    config.stop_config_watcher()
    config.logger.log_level = LogLevel.LNone


def test_ini_values_are_applied(configuration, tmp_path, emu):
    path = tmp_path / "config"
    path.write_text(INI.format(log=tmp_path / "sdk.log", host="https://api.mypurecloud.ie", port=emu.port))
    configuration.config_file_path = str(path)
    logger = configuration.logger
    assert (logger.log_level, logger.log_format, logger.log_to_console) == (LogLevel.LTrace, LogFormat.JSON, False)
    assert logger.log_file_path == str(tmp_path / "sdk.log")
    assert logger.log_request_body is True and logger.log_response_body is True
    assert configuration.should_refresh_access_token is False
    assert configuration.refresh_token_wait_time == 7
    assert configuration.host == "https://api.mypurecloud.ie"
    gateway = configuration.gateway_configuration
    assert (gateway.host, gateway.protocol, gateway.port, gateway.path_params_login, gateway.path_params_api) == \
        ("127.0.0.1", "http", emu.port, "login", "api")


def test_json_values_are_applied_and_used_for_requests(configuration, tmp_path, fresh_emu):
    path = tmp_path / "config.json"
    log = tmp_path / "sdk.log"
    path.write_text(_json_config(fresh_emu.base_url, str(log)))
    configuration.config_file_path = str(path)
    assert configuration.host == fresh_emu.base_url
    assert configuration.logger.log_level == LogLevel.LDebug
    assert configuration.refresh_token_wait_time == 3
    client = sdk.ApiClient(configuration=configuration)
    client.get_client_credentials_token(fresh_emu.client_id, fresh_emu.client_secret)
    sdk.UsersApi(client).get_users(page_size=1)
    assert f"URL: {fresh_emu.base_url}/api/v2/users" in log.read_text()


def test_live_reload_on_change(configuration, tmp_path, fresh_emu):
    path = tmp_path / "config"
    _write(path, _json_config("https://api.one.example", str(tmp_path / "a.log")))
    configuration.config_file_path = str(path)
    sdk.ApiClient(configuration=configuration)  # starts the watcher
    assert configuration.host == "https://api.one.example"

    _write(path, INI.format(log=tmp_path / "b.log", host="https://api.two.example", port=fresh_emu.port))
    assert _wait_until(lambda: configuration.host == "https://api.two.example")
    assert _wait_until(lambda: configuration.logger.log_level == LogLevel.LTrace)
    assert configuration.should_refresh_access_token is False


def test_file_created_after_start_is_picked_up(configuration, tmp_path):
    path = tmp_path / "later" / "config"
    configuration.config_file_path = str(path)
    configuration.start_config_watcher()
    assert configuration.host == "https://api.mypurecloud.com"
    assert not path.parent.exists()  # the SDK creates no folders; it watches the nearest one
    path.parent.mkdir()
    _write(path, _json_config("https://api.created.example", str(tmp_path / "c.log")))
    assert _wait_until(lambda: configuration.host == "https://api.created.example")


def test_live_reload_disabled(tmp_path):
    path = tmp_path / "config"
    _write(path, json.dumps({"general": {"host": "https://api.one.example"}}))
    configuration = sdk.Configuration.new(live_reload_config=False)
    configuration.config_file_path = str(path)
    sdk.ApiClient(configuration=configuration)
    assert configuration.host == "https://api.one.example"
    assert configuration._watcher is None  # no watcher thread at all
    # The file itself can switch live reload off too.
    other = sdk.Configuration.new()
    _write(path, json.dumps({"general": {"host": "https://api.two.example", "live_reload_config": False}}))
    other.config_file_path = str(path)
    sdk.ApiClient(configuration=other)
    assert other._watcher is None and other.host == "https://api.two.example"


def test_malformed_file_keeps_last_good_settings_with_one_warning(configuration, tmp_path, caplog):
    path = tmp_path / "config"
    _write(path, _json_config("https://api.good.example", str(tmp_path / "a.log")))
    configuration.config_file_path = str(path)
    configuration.start_config_watcher()
    caplog.set_level(logging.WARNING, logger="PureCloudPlatformClientV2")

    def warnings_seen() -> list[str]:
        return [r.getMessage() for r in caplog.records if "invalid configuration file" in r.getMessage()]

    with open(path, "w") as handle:  # in place, several write events for one bad version
        handle.write('{"general": {"host": "https://api.bad.example"')
        handle.flush()
        handle.write("   ")
    assert _wait_until(lambda: len(warnings_seen()) >= 1)
    assert configuration.host == "https://api.good.example"
    # A bad value in valid syntax is rejected as a whole: nothing of it is applied.
    _write(path, json.dumps({"general": {"host": "https://api.half.example"},
                             "reauthentication": {"refresh_access_token": "maybe"}}))
    assert _wait_until(lambda: len(warnings_seen()) >= 2)
    assert configuration.host == "https://api.good.example"
    # The next good file applies.
    _write(path, _json_config("https://api.fixed.example", str(tmp_path / "a.log")))
    assert _wait_until(lambda: configuration.host == "https://api.fixed.example")
    assert len(warnings_seen()) == 2  # one per bad version, however many events it caused


def test_json_file_created_after_the_path_is_set_is_applied_and_watched_without_a_client(configuration, tmp_path):
    path = tmp_path / "config.json"
    configuration.config_file_path = str(path)  # no file yet, no ApiClient at all
    assert configuration.host == "https://api.mypurecloud.com"
    _write(path, _json_config("https://api.created.example", str(tmp_path / "c.log"), level="error"))
    assert _wait_until(lambda: configuration.host == "https://api.created.example")
    assert configuration.logger.log_level == LogLevel.LError
    # and it is watched from then on
    _write(path, _json_config("https://api.changed.example", str(tmp_path / "c.log"), level="debug"))
    assert _wait_until(lambda: configuration.host == "https://api.changed.example")
    assert configuration.logger.log_level == LogLevel.LDebug


def test_ini_file_created_after_the_path_is_set_is_applied(configuration, tmp_path, emu):
    path = tmp_path / "config"
    configuration.config_file_path = str(path)
    _write(path, INI.format(log=tmp_path / "sdk.log", host="https://api.ini.example", port=emu.port))
    assert _wait_until(lambda: configuration.host == "https://api.ini.example")
    assert configuration.should_refresh_access_token is False


def test_bad_file_is_an_error_naming_the_file_and_the_last_good_settings_stay(configuration, tmp_path, caplog):
    path = tmp_path / "config.json"
    caplog.set_level(logging.ERROR, logger="PureCloudPlatformClientV2")
    _write(path, '{"general": {"host": "https://api.first.example"}}')
    configuration.config_file_path = str(path)
    assert configuration.host == "https://api.first.example"
    _write(path, '{"general": {"host": ')
    assert _wait_until(lambda: any(r.levelname == "ERROR" for r in caplog.records))
    (record,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert str(path) in record.getMessage() and "last good settings" in record.getMessage()
    assert configuration.host == "https://api.first.example"


def test_official_event_handler_applies_the_file(configuration, tmp_path):
    from watchdog.events import FileModifiedEvent, FileSystemEventHandler

    from PureCloudPlatformClientV2.configuration import ConfigFileEventHandler

    path = tmp_path / "config.json"
    configuration.live_reload_config = False  # only the handler applies changes here
    configuration.config_file_path = str(path)
    handler = ConfigFileEventHandler(configuration)
    assert isinstance(handler, FileSystemEventHandler) and handler.config_file_path == str(path)
    path.write_text('{"general": {"host": "https://api.handler.example"}}')
    handler.on_modified(FileModifiedEvent(str(tmp_path / "other")))
    assert configuration.host == "https://api.mypurecloud.com"
    handler.on_modified(FileModifiedEvent(str(path)))
    assert configuration.host == "https://api.handler.example"
