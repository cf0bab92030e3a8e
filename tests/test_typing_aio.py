"""The asyncio classes are typed: mypy sees each method's parameters and its awaited return type."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

USER_SCRIPT = textwrap.dedent("""
    from PureCloudPlatformClientV2.aio import AsyncApiClient, UsersApiAsync, apaginate
    from PureCloudPlatformClientV2.models import User

    async def main() -> None:
        async with AsyncApiClient() as client:
            await client.get_client_credentials_token("id", "secret")
            users = UsersApiAsync(client)
            me = await users.get_user("abc", expand=["presence"])
            name: str | None = me.name
            page = await users.get_users(page_size=25)
            first: User = (page.entities or [])[0]
            async for user in apaginate(users.get_users, page_size=10):
                pass
            await users.get_user(12345)                 # error: int where str expected
            await users.get_users(page_size="many")     # error: str where int expected
            await users.get_users(no_such_option=True)  # error: unknown keyword
            count: int = me.name                        # error: str | None into int
            not_awaited: User = users.get_user("abc")   # error: a coroutine, not a User
""")


@pytest.mark.skipif(subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode,
                    reason="mypy not installed")
def test_mypy_sees_async_parameters_and_awaited_returns(tmp_path: Path) -> None:
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
    assert lines == [15, 16, 17, 18, 19], result.stdout
    assert elapsed < 60, f"mypy took {elapsed:.0f}s"
