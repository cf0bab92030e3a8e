"""Logging redaction and levels, over real HTTP against a scripted server: what reaches the log
file for each level and format, and that token-like fields are masked in every body shape."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.logger import REDACTED, LogFormat, LogLevel, redact_headers, redact_text
from PureCloudPlatformClientV2.rest import ApiException

from .conftest import fast_retry, sync_client
from .scripted_server import USER, Reply, ScriptedServer, Seen, error_reply, token_reply

SECRETS = ["s3cr3t-access", "s3cr3t-refresh", "s3cr3t-id", "s3cr3t-client", "s3cr3t-assertion", "s3cr3t-verifier",
           "s3cr3t-password", "s3cr3t-proxy"]


@pytest.mark.parametrize("render", ["json", "form", "python"])
def test_every_token_like_field_is_masked_in_any_body_shape(render: str) -> None:
    fields = dict(zip(["access_token", "refresh_token", "id_token", "client_secret", "assertion", "code_verifier",
                       "password", "proxy_password"], SECRETS, strict=True))
    fields["name"] = "visible"
    fields["code"] = "general.conflict"  # the platform's error code: readable, never masked by substring
    if render == "json":
        body: Any = json.dumps(fields).encode()
    elif render == "form":
        body = "&".join(f"{k}={v}" for k, v in fields.items())
    else:
        body = fields  # a dict: rendered as JSON first
    text = redact_text(body)
    assert all(secret not in text for secret in SECRETS), text
    assert "visible" in text and "general.conflict" in text and text.count(REDACTED) == len(SECRETS)


def test_redaction_is_case_insensitive_and_leaves_other_fields() -> None:
    assert json.loads(redact_text('{"Access_Token": "abc", "accessTokenLength": 3}')) == \
        {"Access_Token": REDACTED, "accessTokenLength": 3}
    assert redact_text(None) is None
    assert redact_headers(None) == {}
    assert redact_headers({"Authorization": "Bearer x", "Cookie": "c", "Proxy-Authorization": "p",
                           "Set-Cookie": "s", "Accept": "json"}) == {
        "Authorization": REDACTED, "Cookie": REDACTED, "Proxy-Authorization": REDACTED, "Set-Cookie": REDACTED,
        "Accept": "json"}


@pytest.mark.parametrize(("text", "level"), [("trace", 5), ("DEBUG", 10), (" error ", 40), ("none", 51),
                                             ("bogus", 51)])
def test_log_level_names(text: str, level: int) -> None:
    assert LogLevel.from_string(text) == level


def test_log_format_names() -> None:
    assert LogFormat.from_string("JSON") == LogFormat.JSON
    assert LogFormat.from_string("text") == LogFormat.TEXT
    assert LogFormat.from_string("yaml") == LogFormat.TEXT


def _script(seen: Seen) -> Reply:
    if seen.path == "/oauth/token":
        return token_reply("s3cr3t-access")
    if seen.path.endswith("/missing"):
        return error_reply(404, "no such user", {"ININ-Correlation-Id": "cid-404"})
    return Reply(200, USER, {"ININ-Correlation-Id": "cid-200"})


def _run(tmp_path: Path, level: int | str, fmt: int | str = LogFormat.JSON, bodies: bool = True) -> str:
    log = tmp_path / "sdk.log"
    with ScriptedServer(_script) as server:
        client = sync_client(server.url)
        logger = client.configuration.logger
        logger.log_to_console = False
        logger.log_format = fmt
        logger.log_request_body = bodies
        logger.log_response_body = bodies
        logger.log_file_path = str(log)
        logger.log_level = level
        try:
            client.get_client_credentials_token("cid", "s3cr3t-client")
            users = sdk.UsersApi(client)
            users.patch_user("u1", sdk.UpdateUser(name="Visible Name", version=1))
            with pytest.raises(ApiException):
                users.get_user("missing")
        finally:
            logger.log_level = LogLevel.LNone
    return log.read_text() if log.exists() else ""


def _records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_trace_logs_every_exchange_with_response_headers(tmp_path: Path) -> None:
    records = _records(_run(tmp_path, LogLevel.LTrace))
    # the official layout: a success at trace level is a trace record and a debug record
    assert [(r["level"], r["method"], r["statusCode"]) for r in records] == [
        ("trace", "POST", 200), ("debug", "POST", 200), ("trace", "PATCH", 200), ("debug", "PATCH", 200),
        ("error", "GET", 404)]
    patch = records[2]
    assert patch["requestBody"] == {"name": "Visible Name", "version": 1}  # JSON bodies nest as JSON
    # the official JSON layout has no correlation field: the id is among the response headers
    assert {k.lower(): v for k, v in patch["responseHeaders"].items()}["inin-correlation-id"] == "cid-200"
    assert records[0]["requestBody"] == REDACTED  # the token request's body, wholesale
    error = records[4]
    assert {k.lower(): v for k, v in error["responseHeaders"].items()}["inin-correlation-id"] == "cid-404"
    assert "no such user" in error["responseBody"]
    assert "responseBody" not in patch  # success bodies are not logged
    assert patch["requestHeaders"]["Authorization"] == REDACTED


def test_debug_logs_request_side_only(tmp_path: Path) -> None:
    records = _records(_run(tmp_path, "debug"))
    assert [r["level"] for r in records] == ["debug", "debug", "error"]
    assert "responseHeaders" not in records[1] and "correlationId" not in records[1]


def test_error_logs_only_failures(tmp_path: Path) -> None:
    records = _records(_run(tmp_path, LogLevel.LError))
    assert [(r["level"], r["statusCode"]) for r in records] == [("error", 404)]


def test_none_logs_nothing_and_bodies_only_when_asked(tmp_path: Path) -> None:
    assert _run(tmp_path, LogLevel.LNone) == ""
    records = _records(_run(tmp_path, LogLevel.LTrace, bodies=False))
    assert all("requestBody" not in r and "responseBody" not in r for r in records)


def test_text_format_has_the_sections(tmp_path: Path) -> None:
    text = _run(tmp_path, LogLevel.LTrace, fmt="text")
    assert "=== REQUEST ===" in text and "=== RESPONSE ===" in text and "Status: 404" in text
    assert "CorrelationId: cid-404" in text and "Body: " in text and "Method: PATCH" in text
    assert "s3cr3t-access" not in text and "s3cr3t-client" not in text


def test_retries_are_logged_at_debug_not_at_error(tmp_path: Path) -> None:
    def flaky(seen: Seen) -> Reply:
        return error_reply(503) if server.count("/api/v2/users") == 1 else Reply(200, USER)

    for level, expected in ((LogLevel.LDebug, 1), (LogLevel.LError, 0)):
        log = tmp_path / f"retry-{level}.log"
        with ScriptedServer(flaky) as server:
            client = sync_client(server.url, retry=fast_retry())
            client.access_token = "t"
            logger = client.configuration.logger
            logger.log_to_console = False
            logger.log_file_path = str(log)
            logger.log_level = level
            try:
                sdk.UsersApi(client).get_user("u1")
            finally:
                logger.log_level = LogLevel.LNone
        text = log.read_text() if log.exists() else ""
        assert text.count("retrying GET") == expected, text


def test_an_unwritable_log_file_is_reported_not_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    client = sync_client("http://127.0.0.1:9")
    logger = client.configuration.logger
    logger.log_to_console = False
    logger.log_file_path = str(tmp_path / "no-such-dir" / "sdk.log")
    with caplog.at_level("WARNING", logger="PureCloudPlatformClientV2"):
        logger.log_level = LogLevel.LDebug
    logger.log_level = LogLevel.LNone
    assert any("cannot open log file" in r.getMessage() for r in caplog.records)


# -- survivors of the first mutation run (docs/test-quality.md) -------------------------------------
def test_constants_are_the_official_ones() -> None:
    assert (LogFormat.TEXT, LogFormat.JSON) == (1, 2)
    assert (LogLevel.LTrace, LogLevel.LDebug, LogLevel.LError, LogLevel.LNone) == (5, 10, 40, 51)
    logger = sdk.Configuration.new(live_reload_config=False).logger
    assert (logger.log_level, logger.log_format, logger.log_to_console, logger.log_file_path,
            logger.log_request_body, logger.log_response_body) == (LogLevel.LNone, LogFormat.TEXT, True, None,
                                                                    False, False)


def test_redaction_keeps_the_quoting_of_each_shape() -> None:
    assert redact_text('access_token="abc"&x=1') == f'access_token={REDACTED}&x=1'
    assert json.loads(redact_text('{"password": 123456, "x": 1}')) == {"password": REDACTED, "x": 1}
    assert redact_text("refresh_token=abc&x=1") == f"refresh_token={REDACTED}&x=1"


@pytest.mark.parametrize("console", [True, False])
def test_console_output_follows_log_to_console(capfd: pytest.CaptureFixture[str], tmp_path: Path,
                                               console: bool) -> None:
    with ScriptedServer(lambda seen: Reply(200, USER)) as server:
        client = sync_client(server.url)
        client.access_token = "t"
        logger = client.configuration.logger
        logger.log_format = LogFormat.JSON
        logger.log_to_console = console
        logger.log_level = LogLevel.LDebug
        try:
            sdk.UsersApi(client).get_user("u1")
        finally:
            logger.log_level = LogLevel.LNone
    err = capfd.readouterr().err
    assert ('"url": "' + server.url + '/api/v2/users/u1"' in err) is console


def test_private_loggers_do_not_write_into_the_shared_one(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(LogLevel.LTrace, logger="PureCloudPlatformClientV2"):
        text = _run(tmp_path, LogLevel.LTrace)
    assert "/api/v2/users/missing" in text  # the client's own file got the records
    assert not [r for r in caplog.records if "/api/v2/users" in r.getMessage()]


def test_the_shared_logger_drops_its_handlers_when_switched_off(shared_logger: Any, tmp_path: Path) -> None:
    """Reconfiguring replaces the handlers (no duplicate lines); switching off removes them (no open file)."""
    import logging

    stdlib = logging.getLogger("PureCloudPlatformClientV2")
    before = list(stdlib.handlers)
    log = tmp_path / "shared.log"
    with ScriptedServer(lambda seen: Reply(200, USER)) as server:
        shared_logger.log_to_console = False
        shared_logger.log_file_path = str(log)
        shared_logger.log_level = LogLevel.LDebug
        shared_logger.log_format = LogFormat.JSON  # a second reconfiguration
        assert len(stdlib.handlers) == len(before) + 1
        client = sdk.ApiClient(configuration=sdk.configuration)
        client.host = server.url
        client.access_token = "t"
        sdk.UsersApi(client).get_user("u1")
        shared_logger.log_level = LogLevel.LNone
    assert stdlib.handlers == before
    assert len(_records(log.read_text())) == 1  # one line per exchange, not one per handler added


@pytest.fixture
def shared_logger() -> Any:
    logger = sdk.configuration.logger
    saved = {name: getattr(logger, name) for name in (
        "log_level", "log_format", "log_to_console", "log_file_path", "log_request_body", "log_response_body")}
    live_reload = sdk.configuration.live_reload_config
    sdk.configuration.live_reload_config = False
    yield logger
    sdk.configuration.live_reload_config = live_reload
    logger.log_level = LogLevel.LNone
    for name, value in saved.items():
        setattr(logger, name, value)


def test_level_and_format_parsers_work_on_instances_too() -> None:
    assert LogLevel().from_string("debug") == LogLevel.LDebug  # static methods, as in the official SDK
    assert LogFormat().from_string("json") == LogFormat.JSON


def test_a_logger_made_directly_writes_through_the_package_logger(tmp_path: Path) -> None:
    import logging

    from PureCloudPlatformClientV2.logger import Logger

    stdlib = logging.getLogger("PureCloudPlatformClientV2")
    before = list(stdlib.handlers)
    logger = Logger()
    logger.log_to_console = False
    logger.log_file_path = str(tmp_path / "direct.log")
    logger.log_level = LogLevel.LDebug
    try:
        assert len(stdlib.handlers) == len(before) + 1
        logger.message(LogLevel.LDebug, "hello %s", "there")
    finally:
        logger.log_level = LogLevel.LNone
    assert stdlib.handlers == before
    assert "hello there" in (tmp_path / "direct.log").read_text()
