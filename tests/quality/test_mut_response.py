"""Response handling (``_response``): any transport's response as a ``RESTResponse``, the body
decoded as declared (with msgspec Structs and with the default models), downloads saved safely.

These functions do no I/O beyond writing a download into a private folder, so they are tested
directly; the wire tests elsewhere (``test_api_client_surface.py``, the integration suite)
exercise them through the clients.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import _response
from PureCloudPlatformClientV2._response import (
    ApiResponse,
    as_rest_response,
    decode_body,
    safe_file_name,
    save_download,
)
from PureCloudPlatformClientV2.rest import ApiResponseError, RESTResponse


def response(content: bytes | str, content_type: str | None = "application/json", status: int = 200,
             **headers: str) -> RESTResponse:
    hdrs = {"Content-Type": content_type} if content_type is not None else {}
    hdrs.update({k.replace("_", "-"): v for k, v in headers.items()})
    return RESTResponse(status, "OK", hdrs, content)


@pytest.fixture(params=[True, False], ids=["structs", "default-models"])
def structs(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both ways of decode_body: one step (``decode_json``, the way with msgspec Structs) and parse
    then decode (the default models). The suite runs with the default models (tests/conftest.py),
    where ``decode_json`` itself parses then decodes: the results must be the same."""
    monkeypatch.setattr(_response, "STRUCTS", request.param)
    return bool(request.param)


# -- ApiResponse -----------------------------------------------------------------------------------
def test_api_response_carries_the_response_fields() -> None:
    raw = RESTResponse(201, "Created", {"ININ-Correlation-Id": "c-1", "X": "y"}, b'{"id": "1"}')
    wrapped = ApiResponse({"id": "1"}, raw)
    assert (wrapped.data, wrapped.status, wrapped.reason, wrapped.raw_data) == ({"id": "1"}, 201, "Created",
                                                                                b'{"id": "1"}')
    assert wrapped.headers is raw.headers and wrapped.correlation_id == "c-1"
    assert repr(wrapped) == "<ApiResponse 201 correlation_id='c-1'>"


# -- as_rest_response ------------------------------------------------------------------------------
def test_our_response_is_taken_as_is() -> None:
    raw = RESTResponse(200, "OK", {}, b"")
    assert as_rest_response(raw) is raw


def test_requests_and_httpx_shapes() -> None:
    class RequestsLike:
        status_code = 404
        reason = "Not Found"
        headers = {"A": "b"}
        content = b"body"

    converted = as_rest_response(RequestsLike())
    assert (converted.status, converted.reason, converted.headers, converted.content) == (404, "Not Found",
                                                                                          {"A": "b"}, b"body")
    assert isinstance(converted.urllib3_response, RequestsLike)

    class HttpxLike:
        status_code = 200
        reason_phrase = "OK"
        headers = {"A": "c"}
        content = b"x"

    converted = as_rest_response(HttpxLike())
    assert (converted.status, converted.reason) == (200, "OK")

    class Bare:
        status_code = 204
        reason = None
        headers: dict[str, str] = {}
        content = b""

    assert as_rest_response(Bare()).reason == ""


def test_urllib3_and_official_shapes() -> None:
    class Urllib3Like:
        status = 500
        reason = "Boom"
        data = b"payload"

        def getheaders(self) -> dict[str, str]:
            return {"G": "1"}

        headers = {"H": "2"}

    converted = as_rest_response(Urllib3Like())
    assert (converted.status, converted.reason, converted.headers, converted.content) == (500, "Boom", {"G": "1"},
                                                                                          b"payload")

    class HeadersOnly:
        status = 200
        headers = {"H": "2"}

    converted = as_rest_response(HeadersOnly())
    assert (converted.status, converted.reason, converted.headers, converted.content) == (200, "", {"H": "2"}, b"")

    class StatusOnly:
        status = 204

    assert as_rest_response(StatusOnly()).headers == {}


def test_a_response_without_status_is_refused() -> None:
    with pytest.raises(TypeError, match="the HTTP client returned dict, which has no status"):
        as_rest_response({"status_code_missing": True})


# -- decode_body -----------------------------------------------------------------------------------
def test_models_lists_and_scalars_decode(structs: bool) -> None:
    user = decode_body(response(b'{"id": "u1", "name": "N", "unknownField": 1}'), "User")
    assert isinstance(user, sdk.User) and (user.id, user.name) == ("u1", "N")
    users = decode_body(response(b'[{"id": "a"}, {"id": "b"}]'), "list[User]")
    assert [u.id for u in users] == ["a", "b"]
    assert decode_body(response(b'{"a": [1, 2]}'), "object") == {"a": [1, 2]}
    assert decode_body(response(b'"text"'), "str") == "text"
    assert decode_body(response(b"12"), "int") == 12


def test_empty_bodies_decode_to_none(structs: bool) -> None:
    assert decode_body(response(b""), "User") is None
    assert decode_body(response(b"", "text/plain"), "str") is None


def test_text_is_returned_as_text_when_a_string_is_declared(structs: bool) -> None:
    assert decode_body(response(b'{"not": "parsed"}', "Text/Plain; charset=utf-8"), "str") == '{"not": "parsed"}'
    assert decode_body(response(b"plain words", "application/octet-stream"), "str") == "plain words"
    assert decode_body(response(b"plain words", None), "str") == "plain words"
    # JSON text declared as str is parsed when the content type is not text/*
    assert decode_body(response(b'"quoted"'), "str") == "quoted"


def test_a_body_that_is_not_json_is_a_response_error(structs: bool) -> None:
    with pytest.raises(ApiResponseError) as caught:
        decode_body(response(b"<html>oops</html>", "text/html", status=203), "User")
    error = caught.value
    assert error.status == 203 and error.__cause__ is None and error.__suppress_context__
    assert error.reason == "OK — the body is not valid JSON (17 bytes, Content-Type text/html)"
    assert error.body == "<html>oops</html>" and error.headers == {"Content-Type": "text/html"}
    with pytest.raises(ApiResponseError) as caught:
        decode_body(response(b"x" * 800, None), "User")
    assert "Content-Type missing" in caught.value.reason and caught.value.body == "x" * 500


def test_deeply_nested_bodies_are_response_errors(structs: bool) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ApiResponseError) as caught:
        decode_body(response(deep, status=200), "object")
    assert caught.value.status == 200 and "nested too deeply" in caught.value.reason
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_nesting_reported_by_the_parser_or_the_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_deep(*args: Any) -> Any:
        raise RecursionError

    monkeypatch.setattr(_response, "STRUCTS", False)
    monkeypatch.setattr(_response._json, "loads", too_deep)
    with pytest.raises(ApiResponseError, match="response nested too deeply to parse") as caught:
        decode_body(response(b"[]", status=201), "object")
    assert caught.value.status == 201 and caught.value.headers == {"Content-Type": "application/json"}
    monkeypatch.undo()
    monkeypatch.setattr(_response, "STRUCTS", False)
    monkeypatch.setattr(_response, "decode", too_deep)
    with pytest.raises(ApiResponseError, match="response nested too deeply to decode") as caught:
        decode_body(response(b"[]", status=202), "object")
    assert caught.value.status == 202 and caught.value.headers == {"Content-Type": "application/json"}
    monkeypatch.undo()
    monkeypatch.setattr(_response, "STRUCTS", True)
    monkeypatch.setattr(_response, "decode_json", too_deep)
    with pytest.raises(ApiResponseError, match="response nested too deeply to decode") as caught:
        decode_body(response(b"[]", status=203), "object")
    assert caught.value.status == 203


def test_downloads_are_saved(tmp_path: Path) -> None:
    path = decode_body(response(b"\x00file", "application/octet-stream", Content_Disposition='attachment; filename="r.csv"'),
                       "file", str(tmp_path))
    assert Path(path).read_bytes() == b"\x00file" and Path(path).name == "r.csv"
    assert Path(path).parent.parent == tmp_path


# -- downloads ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("disposition", "name"), [
    (None, "download"),
    ("", "download"),
    ("attachment", "download"),
    ('attachment; filename="report.csv"', "report.csv"),
    ("attachment; filename='q.txt'", "q.txt"),
    ("attachment; filename=plain.bin; size=3", "plain.bin"),
    ('attachment; filename="../../etc/passwd"', "passwd"),
    ('attachment; filename="C:\\\\Windows\\\\evil.exe"', "evil.exe"),
    ('attachment; filename="..."', "download"),
    ('attachment; filename=" .hidden "', "hidden"),
    ('attachment; filename="a/b:c*?.txt"', "b_c__.txt"),
    ('attachment; filename="' + "n" * 200 + '"', "n" * 120),
])
def test_safe_file_name(disposition: str | None, name: str) -> None:
    assert safe_file_name(disposition) == name


def test_save_download_writes_a_private_new_file(tmp_path: Path) -> None:
    first = save_download(response(b"one", Content_Disposition="attachment; filename=same.txt"), str(tmp_path))
    second = save_download(response(b"two", Content_Disposition="attachment; filename=same.txt"), str(tmp_path))
    assert first != second and Path(first).read_bytes() == b"one" and Path(second).read_bytes() == b"two"
    folder = Path(first).parent
    assert folder.parent == tmp_path and folder.name.startswith("genesys-download-")
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_save_download_defaults_to_the_system_temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for folder in (None, ""):
        path = save_download(response(b"z"), folder)
        assert Path(path).parent.parent == tmp_path and Path(path).name == "download"
