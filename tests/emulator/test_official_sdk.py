"""The official SDK (the reference for what real scripts send) as the client of the emulator.

Runs tests/emulator/official_scenarios.py once in the official SDK's own virtualenv
(benchmarks/.venv-official, or OFFICIAL_SDK_PYTHON) against one emulator, then checks each scenario.
Skipped where that virtualenv does not exist (CI installs it only if asked to).
"""
from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from PureCloudPlatformClientV2.emulator import Emulator

# The official SDK in its own virtualenv: OFFICIAL_SDK_PYTHON, else the one .ci/run and
# benchmarks/run.py create (benchmarks/.venv-official).
_DEFAULT_OFFICIAL = Path(__file__).resolve().parents[2] / "benchmarks" / ".venv-official" / "bin" / "python"
OFFICIAL_PYTHON = Path(os.environ.get("OFFICIAL_SDK_PYTHON", str(_DEFAULT_OFFICIAL)))
SCRIPT = Path(__file__).with_name("official_scenarios.py")

pytestmark = pytest.mark.skipif(not OFFICIAL_PYTHON.exists(), reason="official SDK virtualenv not installed")


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with Emulator(seed_users=3, job_step_seconds=3600) as emu:
        users = [u["id"] for u in emu.entities("users") if u["id"] != emu.admin_user_id]
        emu.require_permissions("get_routing_queues", ["routing:queue:view"])
        limited = emu.register_client(permissions=["routing:skill:view"])
        env = {"PATH": os.environ.get("PATH", ""), "EMU_BASE_URL": emu.base_url, "EMU_ROOT_URL": emu.root_url,
               "EMU_CLIENT_ID": emu.client_id, "EMU_CLIENT_SECRET": emu.client_secret,
               "EMU_CONTROL_SECRET": emu.control_secret, "EMU_ADMIN_USER_ID": emu.admin_user_id or "",
               "EMU_USER_IDS": ",".join(users), "EMU_LIMITED_ID": limited["client_id"],
               "EMU_LIMITED_SECRET": limited["client_secret"]}
        # A clean environment and a neutral working directory: the official package, not ours.
        proc = subprocess.run([str(OFFICIAL_PYTHON), str(SCRIPT)], env=env, cwd=tmp_path_factory.mktemp("official"),
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        assert "site-packages" in result["sdk_file"] and "PureCloudPlatformClientV2" in result["sdk_file"]
        assert not result["sdk_file"].startswith(str(Path(__file__).resolve().parents[2] / "PureCloudPlatformClientV2"))
        result["_users"] = users
        yield result


def scenario(observed: dict[str, Any], name: str) -> dict[str, Any]:
    value = observed[name]
    assert "error" not in value, value.get("trace") or value
    return value


def test_list_body_profile_skills(observed):
    got = scenario(observed, "profile_skills")
    assert got == {"put": ["Testmaster"], "get": ["Testmaster"], "expand": ["Testmaster"]}


def test_contacts_posted_as_a_list_are_stored(observed):
    got = scenario(observed, "contacts")
    assert got["count"] == 2 and got["list_ids"] == [got["list_id"]] * 2 and got["data"] == {"phone": "+15550101"}


def test_campaign_put_with_read_only_fields_echoed_or_blank(observed):
    got = scenario(observed, "campaign_echo")
    assert got["versions"] == [1, 2, 3] and got["name"] == "Official spring v3"


def test_queue_observation_from_members_and_presence(observed):
    got = scenario(observed, "queue_observations")
    assert got["groups"] == [{"queueId": got["queue_id"]}]
    data = {(m, q): c for m, q, c in got["data"]}
    assert data[("oMemberUsers", None)] == 3
    assert data[("oOnQueueUsers", "IDLE")] == 1 and data[("oOffQueueUsers", None)] == 2


def test_recording_job_lifecycle(observed):
    assert scenario(observed, "recording_job")["states"] == ["PENDING", "READY", "PROCESSING", "FULFILLED"]


def test_callback_creates_conversation(observed):
    got = scenario(observed, "callback")
    assert got["purposes"] == ["acd", "customer"] and got["queue_ids"] == [got["queue_id"]]


def test_missing_permission(observed):
    got = scenario(observed, "permission_denied")
    assert got["status"] == 403 and got["body"]["code"] == "missing.any.permissions"
