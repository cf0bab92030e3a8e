"""Exact outputs of the logger's redaction and layouts (survivors of the logger mutation run):
what a log line holds, to the character, for the shapes bodies, URLs and messages come in."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from PureCloudPlatformClientV2.logger import (
    REDACTED,
    LogFormat,
    Logger,
    LogLevel,
    LogStatement,
    redact_body,
    redact_url,
)


def test_a_url_query_is_masked_and_a_url_without_one_is_kept() -> None:
    assert redact_url("https://h/p?client_secret=x&a=1") == f"https://h/p?client_secret={REDACTED}&a=1"
    assert redact_url("https://h/p") == "https://h/p"


def test_a_masked_json_body_keeps_non_ascii_text_as_it_is() -> None:
    assert redact_body('{"name": "Zoë", "password": "x"}') == f'{{"name":"Zoë","password":"{REDACTED}"}}'


@pytest.mark.parametrize("body", ["password=abc&x=1", "password=abc x", "password=abc\nnext"])
def test_form_like_text_is_masked_whatever_follows(body: str) -> None:
    assert redact_body(body).startswith(f"password={REDACTED}")
    assert "abc" not in redact_body(body)


def test_truncated_json_is_masked_pair_by_pair_exactly() -> None:
    text = '{"password" : "abc", "name": "x", "count":3, "refresh_token":"tr'
    assert redact_body(text) == f'{{"password" : "{REDACTED}", "name": "x", "count":3, "refresh_token":"{REDACTED}"'


def _statement(request_body: object, response_body: object = None, url: str = "https://h/api?x=1") -> LogStatement:
    return LogStatement("error", "2026-12-02", "POST", url, request_body, 400, {"Authorization": "Bearer t"},
                        response_body, {"ININ-Correlation-Id": "c1"})


def test_text_layout_renders_an_object_body_as_json_and_a_text_body_as_it_is() -> None:
    assert "\nBody: {\"a\": 1}" in _statement({"a": 1}).string(LogFormat.TEXT, True, True)
    assert "\nBody: plain words\n" in _statement("plain words").string(LogFormat.TEXT, True, True)


def test_text_layout_leaves_out_empty_and_absent_bodies() -> None:
    for body in ("", None):
        out = _statement(body).string(LogFormat.TEXT, True, True)
        assert "Body" not in out and "None" not in out, out


def test_text_layout_masks_the_url_query() -> None:
    out = _statement(None, url="https://h/api?client_secret=s1").string(LogFormat.TEXT, True, True)
    assert f"URL: https://h/api?client_secret={REDACTED}" in out and "s1" not in out


def _file_logger(tmp_path: Path, fmt: int = LogFormat.JSON, level: int = LogLevel.LTrace) -> tuple[Logger, Path]:
    path = tmp_path / "log.txt"
    logger = Logger(private=True)
    logger.log_to_console = False
    logger.log_format = fmt
    logger.log_request_body = logger.log_response_body = True
    logger.log_file_path = str(path)
    logger.log_level = level
    return logger, path


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_json_messages_are_objects_with_their_arguments_applied(tmp_path: Path) -> None:
    logger, path = _file_logger(tmp_path)
    logger.message(LogLevel.LError, "retry %d of %d", 2, 3)
    logger.message(LogLevel.LDebug, "100% done")
    first, second = (json.loads(line) for line in _lines(path))
    assert (first["level"], first["message"]) == ("error", "retry 2 of 3")
    assert (second["level"], second["message"]) == ("debug", "100% done")


def test_text_messages_have_the_text_layout(tmp_path: Path) -> None:
    logger, path = _file_logger(tmp_path, LogFormat.TEXT)
    logger.message(LogLevel.LError, "retry %d of %d", 2, 3)
    (line,) = _lines(path)
    assert line.endswith(" ERROR retry 2 of 3")


def test_query_pairs_join_the_url_with_the_right_separator(tmp_path: Path) -> None:
    logger, path = _file_logger(tmp_path)
    logger.log_call("GET", "https://h/p?a=1", {}, None, 500, {}, None, failed=True, query={"b": "2"})
    logger.log_call("GET", "https://h/p", {}, None, 500, {}, None, failed=True, query=[("c", "3")])
    assert [json.loads(line)["url"] for line in _lines(path)] == ["https://h/p?a=1&b=2", "https://h/p?c=3"]


def test_secret_bodies_are_masked_whole_and_absent_ones_stay_absent(tmp_path: Path) -> None:
    logger, path = _file_logger(tmp_path)
    logger.log_call("POST", "https://login/oauth/token", {}, "grant_type=x", 401, {}, '{"error":"bad"}',
                    failed=True, secret_bodies=True)
    logger.log_call("POST", "https://login/oauth/token", {}, None, 401, {}, None, failed=True, secret_bodies=True)
    first, second = (json.loads(line) for line in _lines(path))
    assert first["requestBody"] == REDACTED and first["responseBody"] == REDACTED
    assert "requestBody" not in second and "responseBody" not in second


def test_a_logger_switched_off_again_writes_nowhere(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """After LError then LNone, nothing is written: not to the file, and not to stderr through
    logging's last-resort handler (which a logger without handlers would fall back to)."""
    logger, path = _file_logger(tmp_path, level=LogLevel.LError)
    logger.log_level = LogLevel.LNone
    logger.message(LogLevel.LError, "must not appear")
    logger.error("GET", "https://h/p", None, 500, {}, "must not appear either", {})
    logger.log_call("GET", "https://h/p", {}, None, 500, {}, "nor this", failed=True)
    assert _lines(path) == []
    assert "must not appear" not in capfd.readouterr().err
