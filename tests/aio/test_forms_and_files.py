"""Form and multipart bodies and file responses through the aiohttp transport (the sync suite's server)."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import AsyncApiClient

from ..integration import test_forms_files_and_wait as forms


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    yield from forms.server.__wrapped__()


async def _call(base: str, tmp_path: Path, *args: Any, **kwargs: Any) -> Any:
    configuration = sdk.Configuration.new(live_reload_config=False)
    configuration.temp_folder_path = str(tmp_path)
    async with AsyncApiClient(host=base, configuration=configuration) as client:
        client.access_token = "t"
        return await client.call_api(*args, **kwargs)


def test_multipart_file_upload(server: str, tmp_path: Path) -> None:
    upload = tmp_path / "greeting.wav"
    upload.write_bytes(forms.PAYLOAD)
    reply = asyncio.run(_call(server, tmp_path, "/api/v2/uploads", "POST", post_params={"label": "hello"},
                              files={"file": str(upload)}, response_type="object"))
    assert reply["kind"] == "multipart"
    assert reply["parts"]["file"] == {"filename": "greeting.wav", "size": len(forms.PAYLOAD), "same": True}
    assert "label" in reply["parts"]


def test_form_urlencoded_post(server: str, tmp_path: Path) -> None:
    reply = asyncio.run(_call(server, tmp_path, "/api/v2/forms", "POST", post_params={"a": "1 2", "b": "é"},
                              response_type="object"))
    assert reply == {"kind": "application/x-www-form-urlencoded", "body": "a=1+2&b=%C3%A9"}


def test_binary_response_saved_to_a_file(server: str, tmp_path: Path) -> None:
    path = asyncio.run(_call(server, tmp_path, "/api/v2/downloads/1", "GET", response_type="file"))
    assert Path(path).name == "export.bin" and Path(path).parent.parent == tmp_path
    assert Path(path).read_bytes() == forms.PAYLOAD
