"""Import stays cheap: a fresh interpreter shows which modules the package loads."""
from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import json, sys
before = set(sys.modules)
import PureCloudPlatformClientV2 as sdk
after_import = set(sys.modules) - before
sdk.UsersApi, sdk.User
after_first_use = set(sys.modules) - before
print(json.dumps({"import": sorted(after_import), "first_use": sorted(after_first_use)}))
"""


def _loaded() -> dict[str, list[str]]:
    out = subprocess.run([sys.executable, "-c", SCRIPT], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_import_loads_no_generated_code_and_no_http_stack() -> None:
    loaded = _loaded()
    ours = [m for m in loaded["import"] if m.startswith("PureCloudPlatformClientV2")]
    assert not [m for m in ours if ".apis" in m or ".models" in m], ours
    heavy = {"urllib3", "ssl", "certifi", "watchdog", "json", "typing", "asyncio", "aiohttp", "logging"}
    assert not heavy & {m.split(".")[0] for m in loaded["import"]}


def test_first_use_loads_one_api_module_and_one_model_bundle() -> None:
    loaded = _loaded()
    apis = [m for m in loaded["first_use"] if m.startswith("PureCloudPlatformClientV2.apis.")]
    bundles = [m for m in loaded["first_use"] if m.startswith("PureCloudPlatformClientV2.models._b_")]
    assert apis == ["PureCloudPlatformClientV2.apis.users_api"]
    assert len(bundles) == 1
    heavy = {"urllib3", "ssl", "typing", "importlib.abc", "pprint", "dataclasses", "inspect", "json", "asyncio"}
    assert not heavy & set(loaded["first_use"]), heavy & set(loaded["first_use"])
