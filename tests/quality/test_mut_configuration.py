"""Configuration behaviour the first mutation run left unasserted: the mTLS helpers (which client
certificate reaches the server, which CA is trusted, no key material left on disk), the
configuration file's timeouts/limits/pacing and its checks, and the file's value parsing.

TLS cases run against tests/quality/tls_server.py (HTTPS on 127.0.0.1, trustme certificates),
which records the client certificate each request arrived with."""
from __future__ import annotations

import json
import logging
import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.rest import ApiTLSError, ResponseTooLargeError

from .scripted_server import USER, Reply, ScriptedServer
from .tls_server import Pki, TlsServer


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server(pki: Pki) -> Iterator[TlsServer]:
    with TlsServer(pki) as tls:
        yield tls


def _config(**settings: Any) -> sdk.Configuration:
    settings.setdefault("retry", False)
    return sdk.Configuration.new(live_reload_config=False, **settings)


def _call(config: sdk.Configuration) -> str:
    client = sdk.ApiClient(configuration=config)
    client.access_token = "t"
    return sdk.UsersApi(client).get_user("u1").id  # type: ignore[no-any-return]


def _identity_of_call(config: sdk.Configuration, server: TlsServer) -> str | None:
    before = len(server.seen)
    assert _call(config) == "u1"
    return server.seen[before].client_identity


# -- set_mtls_certificates -------------------------------------------------------------------------

def test_mtls_certificate_files_present_the_client_certificate(pki: Pki, server: TlsServer) -> None:
    config = _config(host=server.url)
    config.set_mtls_certificates(pki.paths["alice"], pki.paths["alice_key"], pki.paths["server_ca"])
    assert (config.cert_file, config.key_file, config.ssl_ca_cert) == (
        pki.paths["alice"], pki.paths["alice_key"], pki.paths["server_ca"])
    assert _identity_of_call(config, server) == "alice.clients.test"


def test_mtls_certificate_files_without_a_ca_keep_the_configured_one(pki: Pki, server: TlsServer) -> None:
    config = _config(host=server.url, ssl_ca_cert=pki.paths["server_ca"])
    config.set_mtls_certificates(pki.paths["bob"], pki.paths["bob_key"])
    assert config.ssl_ca_cert == pki.paths["server_ca"]
    assert _identity_of_call(config, server) == "bob.clients.test"


def test_mtls_certificate_files_replace_a_context_set_before(pki: Pki, server: TlsServer) -> None:
    config = _config(host=server.url)
    config.set_mtls_contents(pki.pem["alice"], pki.pem["alice_key"], pki.pem["server_ca"])
    config.set_mtls_certificates(pki.paths["bob"], pki.paths["bob_key"], pki.paths["server_ca"])
    assert config.ssl_context is None
    assert _identity_of_call(config, server) == "bob.clients.test"


@pytest.mark.parametrize("missing", ["certificate", "key"])
def test_mtls_certificate_files_must_exist(pki: Pki, tmp_path: Path, missing: str) -> None:
    cert = str(tmp_path / "absent.pem") if missing == "certificate" else pki.paths["alice"]
    key = str(tmp_path / "absent.pem") if missing == "key" else pki.paths["alice_key"]
    config = _config()
    with pytest.raises(FileNotFoundError, match=f"mTLS {missing} file not found"):
        config.set_mtls_certificates(cert, key)
    assert config.cert_file is None and config.key_file is None  # nothing half-set


# -- set_mtls_contents -------------------------------------------------------------------------------

def test_mtls_contents_present_the_certificate_and_trust_the_given_ca(pki: Pki, server: TlsServer) -> None:
    config = _config(host=server.url)
    config.set_mtls_contents(pki.pem["alice"], pki.pem["alice_key"], pki.pem["server_ca"])
    assert _identity_of_call(config, server) == "alice.clients.test"


def test_mtls_contents_without_a_ca_use_ssl_ca_cert(pki: Pki, server: TlsServer) -> None:
    config = _config(host=server.url, ssl_ca_cert=pki.paths["server_ca"])
    config.set_mtls_contents(pki.pem["bob"], pki.pem["bob_key"])
    assert _identity_of_call(config, server) == "bob.clients.test"


def test_mtls_contents_without_any_ca_trust_only_public_cas(pki: Pki, server: TlsServer) -> None:
    config = _config(host=server.url)
    config.set_mtls_contents(pki.pem["bob"], pki.pem["bob_key"])
    with pytest.raises(ApiTLSError, match="certificate"):
        _call(config)


def test_mtls_contents_leave_no_key_material_on_disk(pki: Pki, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _config().set_mtls_contents(pki.pem["alice"], pki.pem["alice_key"], pki.pem["server_ca"])
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ssl.SSLError):  # a bad key: the file goes all the same
        _config().set_mtls_contents(pki.pem["alice"], pki.pem["bob_key"], pki.pem["server_ca"])
    assert list(tmp_path.iterdir()) == []


# -- create_mtls_or_ssl_context (official helper) ------------------------------------------------------

def _handshake_identity(context: ssl.SSLContext, server: TlsServer) -> str | None:
    pool = urllib3.HTTPSConnectionPool("127.0.0.1", int(server.url.rsplit(":", 1)[1]), ssl_context=context,
                                       retries=False)
    before = len(server.seen)
    assert pool.request("GET", "/api/v2/users/u1").status == 200
    pool.close()
    return server.seen[before].client_identity


def test_create_mtls_or_ssl_context(pki: Pki, server: TlsServer) -> None:
    assert _config().create_mtls_or_ssl_context() is None  # nothing set: urllib3 builds its own
    only_cert = _config(cert_file=pki.paths["alice"])
    assert only_cert.create_mtls_or_ssl_context() is None  # a certificate without its key is not enough
    config = _config(cert_file=pki.paths["alice"], key_file=pki.paths["alice_key"],
                     ssl_ca_cert=pki.paths["server_ca"])
    context = config.create_mtls_or_ssl_context()
    assert context is not None and config.create_mtls_or_ssl_context() is context  # made once
    assert _handshake_identity(context, server) == "alice.clients.test"
    supplied = ssl.create_default_context(cafile=pki.paths["server_ca"])
    assert _config(ssl_context=supplied, cert_file=pki.paths["alice"],
                   key_file=pki.paths["alice_key"]).create_mtls_or_ssl_context() is supplied


def test_create_mtls_or_ssl_context_without_a_ca_trusts_public_cas_only(pki: Pki, server: TlsServer) -> None:
    context = _config(cert_file=pki.paths["bob"], key_file=pki.paths["bob_key"]).create_mtls_or_ssl_context()
    assert context is not None and context.verify_mode == ssl.CERT_REQUIRED
    with pytest.raises(urllib3.exceptions.SSLError):
        _handshake_identity(context, server)


# -- configuration file: timeouts, limits, pacing --------------------------------------------------------

def _from_file(tmp_path: Path, data: dict[str, Any] | str, **settings: Any) -> sdk.Configuration:
    path = tmp_path / "config"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    config = _config(**settings)
    config.config_file_path = str(path)
    return config


def test_file_timeouts_limits_and_pacing_are_applied(tmp_path: Path) -> None:
    config = _from_file(tmp_path, {"timeouts": {"connect_timeout": "2.5", "read_timeout": 7, "deadline": "30"},
                                   "limits": {"max_response_bytes": "100"}, "rate_limit": {"pacing": "off"}})
    assert (config.connect_timeout, config.read_timeout, config.deadline) == (2.5, 7.0, 30.0)
    assert config.max_response_bytes == 100 and config.rate_limit_pacing is False
    with ScriptedServer(lambda seen: Reply(200, {**USER, "name": "x" * 200})) as scripted:
        config.host = scripted.url
        with pytest.raises(ResponseTooLargeError):  # the file's limit reaches real calls
            _call(config)


@pytest.mark.parametrize("section, value", [("timeouts", {"read_timeout": 0}), ("timeouts", {"deadline": "-1"}),
                                            ("timeouts", {"connect_timeout": "soon"}),
                                            ("limits", {"max_response_bytes": "0"}),
                                            ("limits", {"max_response_bytes": -5}),
                                            ("rate_limit", {"pacing": "sometimes"})])
def test_file_rejects_non_positive_timeouts_and_limits(tmp_path: Path, section: str, value: dict[str, Any]) -> None:
    config = _from_file(tmp_path, {"general": {"host": "https://api.from-file.test"}, section: value},
                        host="https://api.kept.test")
    assert config.host == "https://api.kept.test"  # nothing of a bad file is applied
    assert (config.connect_timeout, config.read_timeout, config.deadline) == (10.0, 60.0, 120.0)
    assert config.max_response_bytes == 256 * 1024 * 1024 and config.rate_limit_pacing is True


def test_file_retry_keys_are_checked_and_converted(tmp_path: Path) -> None:
    bad = _from_file(tmp_path, {"retry": {"max_retries": 1, "max_retires": 2}})
    assert bad.retry.max_retries == 0  # unchanged (retry=False in _config)
    good = _from_file(tmp_path, "[retry]\nmax_retries = 3\nbackoff_initial = 0.5\nretry_non_idempotent = yes\n")
    assert good.retry.max_retries == 3 and isinstance(good.retry.max_retries, int)
    assert good.retry.backoff_initial == 0.5 and good.retry.retry_non_idempotent is True


@pytest.mark.parametrize("text, expected", [("true", True), ("1", True), ("Yes", True), ("on", True),
                                            ("false", False), ("0", False), ("NO", False), (" off ", False)])
def test_file_booleans(tmp_path: Path, text: str, expected: bool) -> None:
    config = _from_file(tmp_path, {"reauthentication": {"refresh_access_token": text}})
    assert config.should_refresh_access_token is expected
    json_config = _from_file(tmp_path, {"rate_limit": {"pacing": expected}})
    assert json_config.rate_limit_pacing is expected


@pytest.mark.parametrize("value, expected", [("12", 12), (" 2.5 ", 2.5), (3, 3), (0.25, 0.25)])
def test_file_numbers(tmp_path: Path, value: Any, expected: float) -> None:
    config = _from_file(tmp_path, {"reauthentication": {"refresh_token_wait_max": value}})
    assert config.refresh_token_wait_time == expected and type(config.refresh_token_wait_time) is type(expected)


@pytest.mark.parametrize("value", [True, "ten", None])
def test_file_numbers_reject_non_numbers(tmp_path: Path, value: Any) -> None:
    config = _from_file(tmp_path, {"reauthentication": {"refresh_token_wait_max": value}})
    assert config.refresh_token_wait_time == 10


def test_file_gateway_is_built_from_its_section(tmp_path: Path) -> None:
    config = _from_file(tmp_path, {"gateway": {"host": "gw.example.test", "protocol": "https", "port": 8443,
                                               "path_params_login": "login", "path_params_api": "api",
                                               "username": "gw-user", "password": "gw-pass"}})
    gw = config.gateway_configuration
    assert gw is not None and (gw.host, gw.protocol, gw.port) == ("gw.example.test", "https", 8443)
    assert (gw.path_params_login, gw.path_params_api, gw.username, gw.password) == ("login", "api", "gw-user",
                                                                                      "gw-pass")


def test_file_logging_section(tmp_path: Path) -> None:
    log = tmp_path / "sdk.log"
    config = _from_file(tmp_path, {"logging": {"log_level": "debug", "log_format": "json", "log_to_console": "false",
                                               "log_file_path": str(log), "log_response_body": "true",
                                               "log_request_body": "false"}})
    try:
        assert config.logger.log_level == sdk.logger.LogLevel.LDebug
        assert config.logger.log_format == sdk.logger.LogFormat.JSON
        assert config.logger.log_to_console is False and config.logger.log_file_path == str(log)
        assert config.logger.log_response_body is True and config.logger.log_request_body is False
    finally:
        config.logger.log_level = sdk.logger.LogLevel.LNone


def test_a_bad_version_is_reported_once_even_when_it_comes_back(tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "config"
    config = _config()
    bad, good = '{"general": {"live_reload_config": "maybe"}}', '{"general": {"host": "https://api.good.test"}}'
    with caplog.at_level(logging.ERROR, logger="PureCloudPlatformClientV2"):
        for text in (bad, good, bad, bad):
            path.write_text(text)
            config.config_file_path = str(path)
    errors = [r for r in caplog.records if "invalid configuration file" in r.getMessage()]
    assert len(errors) == 1 and str(path) in errors[0].getMessage()
    assert config.host == "https://api.good.test"


def test_apply_config_file_reports_whether_it_applied(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text('{"general": {"host": "https://api.one.test"}}')
    config = _config()
    config.config_file_path = str(path)
    assert config.apply_config_file() is False  # unchanged
    path.write_text('{"general": {"host": "https://api.two.test"}}')
    assert config.apply_config_file() is True and config.host == "https://api.two.test"
    path.write_text('{"general": {"host": 5')
    assert config.apply_config_file() is False and config.host == "https://api.two.test"


def test_shared_configuration_is_one_instance() -> None:
    assert sdk.Configuration() is sdk.Configuration() is sdk.configuration
    assert isinstance(sdk.configuration, sdk.Configuration) and sdk.configuration.host.startswith("http")
    assert sdk.Configuration.new(live_reload_config=False) is not sdk.Configuration()


def test_file_gateway_without_a_port_puts_none_in_the_url(tmp_path: Path) -> None:
    config = _from_file(tmp_path, "[gateway]\nhost = gw.example.test\npath_params_api = /api\n")
    gw = config.gateway_configuration
    assert gw is not None and gw.port == -1 and gw.base_url("api") == "https://gw.example.test/api"


def test_file_timeouts_below_one_second_are_fine(tmp_path: Path) -> None:
    config = _from_file(tmp_path, {"timeouts": {"connect_timeout": "0.5", "read_timeout": 0.25, "deadline": 0.75}})
    assert (config.connect_timeout, config.read_timeout, config.deadline) == (0.5, 0.25, 0.75)


@pytest.mark.parametrize("env, expected", [({"HOME": "/home/h", "USERPROFILE": "C:/u"}, "/home/h"),
                                           ({"USERPROFILE": "/profile/u"}, "/profile/u"), ({}, None)])
def test_default_configuration_file_location(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                             expected: str | None) -> None:
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("USERPROFILE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    home = expected if expected is not None else __import__("os").path.expanduser("~")
    assert _config().config_file_path == str(Path(home) / ".genesyscloudpython" / "config")


def test_defaults() -> None:
    config = sdk.Configuration.new(live_reload_config=False)
    assert config.host == "https://api.mypurecloud.com" and config.access_token == ""
    assert config.should_refresh_access_token is True and config.refresh_token_wait_time == 10
    assert config.verify_ssl is True and config.ssl_ca_cert is None and config.ssl_context is None
    assert config.proxy is None and config.gateway_configuration is None
    assert (config.connect_timeout, config.read_timeout, config.deadline) == (10.0, 60.0, 120.0)
    assert config.pool_maxsize == 32 and config.max_response_bytes == 256 * 1024 * 1024
    assert config.rate_limit_pacing is True
    assert sdk.Configuration.new().live_reload_config is True


def test_json_sections_must_all_be_objects(tmp_path: Path) -> None:
    config = _from_file(tmp_path, '{"general": "x", "rate_limit": {"pacing": "off"}}')
    assert config.rate_limit_pacing is True  # the whole file is rejected, its good section too
    assert config.apply_config_file() is False


def test_ini_file_with_a_syntax_error_names_the_first_line_of_the_problem(tmp_path: Path,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="PureCloudPlatformClientV2"):
        config = _from_file(tmp_path, "[general]\nhost\n")
    assert config.host == "https://api.mypurecloud.com"
    (record,) = [r for r in caplog.records if "invalid configuration file" in r.getMessage()]
    assert "Source contains parsing errors" in record.getMessage() and "\n" not in record.getMessage()


def test_new_takes_keyword_settings_only() -> None:
    with pytest.raises(TypeError):
        sdk.Configuration.new(True)  # type: ignore[misc]


def test_new_reads_the_default_file_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = tmp_path / ".genesyscloudpython"
    folder.mkdir()
    (folder / "config").write_text('{"general": {"host": "https://api.from-home.test"}}')
    assert sdk.Configuration.new(live_reload_config=False).host == "https://api.mypurecloud.com"
    assert sdk.Configuration.new(read_config_file=True, live_reload_config=False).host == "https://api.from-home.test"


def _log_to(config: sdk.Configuration, path: Path) -> None:
    config.logger.log_to_console = False
    config.logger.log_file_path = str(path)
    config.logger.log_level = sdk.logger.LogLevel.LDebug


def test_configurations_made_with_new_never_write_into_each_others_logs(tmp_path: Path,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    with ScriptedServer(lambda seen: Reply(200, USER)) as scripted:
        first, second = _config(host=scripted.url), _config(host=scripted.url)
        _log_to(first, tmp_path / "first.log")
        _log_to(second, tmp_path / "second.log")
        try:
            with caplog.at_level(logging.DEBUG, logger="PureCloudPlatformClientV2"):
                for config, user in ((first, "first-user"), (second, "second-user")):
                    client = sdk.ApiClient(configuration=config)
                    client.access_token = "t"
                    sdk.UsersApi(client).get_user(user)
        finally:
            for config in (first, second):
                config.logger.log_level = sdk.logger.LogLevel.LNone
    first_log, second_log = (tmp_path / "first.log").read_text(), (tmp_path / "second.log").read_text()
    assert "first-user" in first_log and "second-user" not in first_log
    assert "second-user" in second_log and "first-user" not in second_log
    assert not [r for r in caplog.records if "-user" in r.getMessage()]  # nothing reaches the shared logger


SHARED_PROBE = """
import logging, sys
import PureCloudPlatformClientV2 as sdk
print(sdk.configuration.host)
seen = []
class Keep(logging.Handler):
    def emit(self, record):
        seen.append(record.getMessage())
logging.getLogger("PureCloudPlatformClientV2").addHandler(Keep())
client = sdk.ApiClient()
client.access_token = "t"
sdk.UsersApi(client).get_user("shared-user")
print(any("shared-user" in message for message in seen))
"""


def test_the_shared_configuration_reads_the_home_file_and_logs_through_the_named_logger(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    with ScriptedServer(lambda seen: Reply(200, USER)) as scripted:
        folder = tmp_path / ".genesyscloudpython"
        folder.mkdir()
        (folder / "config").write_text(json.dumps({
            "general": {"host": scripted.url, "live_reload_config": False},
            "logging": {"log_level": "debug", "log_to_console": False}}))
        env = {**os.environ, "HOME": str(tmp_path)}
        done = subprocess.run([sys.executable, "-c", SHARED_PROBE], env=env, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [scripted.url, "True"]


def test_debug_report_names_the_platform_and_python() -> None:
    import platform
    report = _config().to_debug_report()
    assert f"OS: {platform.system()}\n" in report and f"Python Version: {platform.python_version()}\n" in report


def test_the_default_file_is_watched_only_when_its_folder_exists(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    config = sdk.Configuration.new()
    try:
        config.start_config_watcher()
        assert config._watcher is None  # no ~/.genesyscloudpython: nothing watched, no folder created
        assert not (tmp_path / ".genesyscloudpython").exists()
        (tmp_path / ".genesyscloudpython").mkdir()
        config.start_config_watcher()
        assert config._watcher is not None
    finally:
        config.stop_config_watcher()


def test_apply_config_file_without_a_file_applies_nothing(tmp_path: Path) -> None:
    config = _config(host="https://api.kept.test")
    config.config_file_path = str(tmp_path / "absent")
    assert config.apply_config_file() is False and config.host == "https://api.kept.test"


def test_file_response_limit_of_one_byte_is_allowed(tmp_path: Path) -> None:
    assert _from_file(tmp_path, {"limits": {"max_response_bytes": 1}}).max_response_bytes == 1
