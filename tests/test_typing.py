"""The package is typed (PEP 561): mypy sees parameters, return models and attributes."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

USER_SCRIPT = textwrap.dedent("""
    import PureCloudPlatformClientV2
    from PureCloudPlatformClientV2.models import User

    client = PureCloudPlatformClientV2.ApiClient()
    users = PureCloudPlatformClientV2.UsersApi(client)
    me = users.get_user("abc", expand=["presence"])
    name: str | None = me.name
    page = users.get_users(page_size=25)
    first: User = (page.entities or [])[0]
    users.get_user(12345)                   # error: int where str expected
    users.get_users(page_size="many")       # error: str where int expected
    users.get_users(no_such_option=True)    # error: unknown keyword
    count: int = me.name                    # error: str | None into int
""")


@pytest.mark.skipif(subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode,
                    reason="mypy not installed")
def test_mypy_reports_wrong_argument_types(tmp_path: Path) -> None:
    script = tmp_path / "user_script.py"
    script.write_text(USER_SCRIPT)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--python-version", "3.10", "--cache-dir",
         str(tmp_path / "cache"), str(script)], capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    elapsed = time.monotonic() - started
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert all(line.startswith(str(script)) for line in errors), result.stdout
    lines = sorted({int(line.split(":")[1]) for line in errors})
    assert lines == [11, 12, 13, 14], result.stdout
    assert elapsed < 60, f"mypy took {elapsed:.0f}s"
