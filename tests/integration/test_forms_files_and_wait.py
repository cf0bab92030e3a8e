"""Form and multipart uploads, binary (file) responses, and the refresh wait limit."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.emulator import Emulator
from PureCloudPlatformClientV2.rest import ApiException

PAYLOAD = bytes(range(256)) * 64  # binary, not UTF-8


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ctype = self.headers["Content-Type"]
        if ctype.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + body)
            parts = {p.get_param("name", header="content-disposition"): {
                "filename": p.get_filename(), "size": len(p.get_payload(decode=True)),
                "same": p.get_payload(decode=True) == PAYLOAD} for p in message.iter_parts()}
            reply = {"kind": "multipart", "parts": parts}
        else:
            reply = {"kind": ctype, "body": body.decode()}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Disposition", 'attachment; filename="export.bin"')
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _client(base: str) -> sdk.ApiClient:
    client = sdk.ApiClient(host=base, configuration=sdk.Configuration.new())
    client.access_token = "t"
    return client


def test_multipart_file_upload(server: str, tmp_path: Path) -> None:
    upload = tmp_path / "greeting.wav"
    upload.write_bytes(PAYLOAD)
    reply = _client(server).call_api("/api/v2/uploads", "POST", post_params={"label": "hello"},
                                     files={"file": str(upload)}, response_type="object")
    assert reply["kind"] == "multipart"
    assert reply["parts"]["file"] == {"filename": "greeting.wav", "size": len(PAYLOAD), "same": True}
    assert "label" in reply["parts"]


def test_form_urlencoded_post(server: str) -> None:
    reply = _client(server).call_api("/api/v2/forms", "POST", post_params={"a": "1 2", "b": "é"},
                                     response_type="object")
    assert reply["kind"] == "application/x-www-form-urlencoded"
    assert reply["body"] == "a=1+2&b=%C3%A9"


def test_binary_response_saved_to_a_file(server: str, tmp_path: Path) -> None:
    client = _client(server)
    client.configuration.temp_folder_path = str(tmp_path)
    path = client.call_api("/api/v2/downloads/1", "GET", response_type="file")
    # the server's name, inside a new private folder under temp_folder_path
    assert Path(path).name == "export.bin" and Path(path).parent.parent == tmp_path
    assert Path(path).read_bytes() == PAYLOAD


def test_waiting_threads_give_up_after_refresh_token_wait_time() -> None:
    redirect = "https://app.example/cb"
    with Emulator() as emu:
        creds = emu.register_client(grants=["authorization_code", "refresh_token"], redirect_uris=[redirect])
        config = sdk.Configuration.new(refresh_token_wait_time=0.5)
        client = sdk.ApiClient(host=emu.base_url, configuration=config)
        code = emu.issue_auth_code(creds["client_id"], redirect_uri=redirect)
        client.get_code_authorization_token(creds["client_id"], creds["client_secret"], code, redirect)
        users = sdk.UsersApi(client)
        users.get_users_me()
        emu.expire_tokens()
        emu.add_fault("latency", "/oauth/token", times=1, delay=3.0)
        barrier = threading.Barrier(2)
        outcomes: list[Any] = []

        def call() -> None:
            barrier.wait(5)
            try:
                outcomes.append(users.get_users_me().id)
            except ApiException as exc:
                outcomes.append(exc)

        threads = [threading.Thread(target=call) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        errors = [o for o in outcomes if isinstance(o, ApiException)]
        assert len(outcomes) == 2 and len(errors) == 1
        assert "Token refresh took longer than 0.5 seconds" in str(errors[0])
        assert emu.token_requests("refresh_token") == 1
