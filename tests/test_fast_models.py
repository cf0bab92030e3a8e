"""The ``fast`` extra: with msgspec installed the models are msgspec Structs. The compatibility
tests run again in a child interpreter with that kind of model (the rest of the suite tests the
default, pure-Python models; see conftest.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("msgspec")

ROOT = Path(__file__).resolve().parent.parent
COMPATIBILITY = ["tests/test_models.py", "tests/test_surface.py", "tests/test_request_building.py",
                 "tests/test_decode_json.py", "tests/reliability/test_hostile_input.py", "tests/resilience"]


def test_compatibility_tests_pass_with_struct_models() -> None:
    env = {**os.environ, "PURECLOUD_PURE_MODELS": "0"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *COMPATIBILITY],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and " skipped" not in done.stdout.splitlines()[-1]


def test_struct_models_keep_the_official_surface() -> None:
    code = (
        "import pickle, PureCloudPlatformClientV2 as sdk\n"
        "from PureCloudPlatformClientV2 import _model\n"
        "import msgspec\n"
        "assert _model.STRUCTS and issubclass(sdk.User, msgspec.Struct)\n"
        "user = sdk.User(name='Ann', manager=sdk.User(id='m'))\n"
        "assert type(user).__module__ == 'PureCloudPlatformClientV2.models.user'\n"
        "assert pickle.loads(pickle.dumps(user)) == user\n"
        "assert sdk.User.swagger_types['manager'] == 'User' and user.attribute_map['self_uri'] == 'selfUri'\n"
        "print('ok')\n")
    env = {**os.environ, "PURECLOUD_PURE_MODELS": "0"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.stdout.strip() == "ok", done.stderr[-3000:]
