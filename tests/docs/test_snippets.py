"""Every Python block of every guide page runs against the emulator.

Each page runs in a subprocess (tests/docs/_snippet_runner.py) with the environment a
reader would set (GENESYS_CLOUD_HOST, _CLIENT_ID, _CLIENT_SECRET pointing at an Emulator);
fragments get a logged-in ``api_client``, ``users_api``, ``user_id`` ... (the runner's
PRELUDE_NAMES). A block that cannot run offline is listed in SKIP, keyed by a piece of its
text, with the reason; a SKIP entry that matches no block fails, so the list stays honest.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
RUNNER = Path(__file__).with_name("_snippet_runner.py")

# page -> {text in the block: why it does not run here}
SKIP: dict[str, dict[str, str]] = {
    "authentication.md": {
        "get_pkce_token": "the code must come from a browser redirect made with this block's challenge",
    },
    "environments.md": {
        "gateway.example.net\", \"https\", 1443": "needs a reachable gateway host",
    },
    "proxy-and-tls.md": {
        "certs/client.cert.pem": "needs certificate files",
        "cert_pem": "needs certificate contents",
    },
    "emulator.md": {
        "emu.add_fault": "continues the block above, inside its `with Emulator() as emu:`",
    },
    "retries-timeouts-paging.md": {
        "post_routing_queues(body": "a fragment: `body` is a queue the reader builds",
        "assistants_api": "a fragment: `assistants_api` is created elsewhere",
    },
    "asyncio.md": {
        "await users_api.get_user(user_id": "a fragment: `users_api` is the first example's UsersApiAsync",
        "limit = asyncio.Semaphore": "a fragment: `users_api` is the first example's UsersApiAsync",
        "async for user in apaginate": "a fragment: `users_api` is the first example's UsersApiAsync",
        "configuration=client.configuration": "a fragment: `client` is the first example's AsyncApiClient",
    },
    "typing.md": {
        'update.state = "activ"': "shows the mistakes a type checker reports; running it is not the point",
    },
    "notifications.md": {
        "re.compile": "a fragment: uses `re` without importing it",
        "handler.events(timeout=300)": "listens for events for minutes (tests/notifications covers the handler)",
        "async for event in handler.events(timeout=60)": "listens for events for a minute (tests/notifications "
                                                         "covers the handler)",
    },
}


def _pages() -> list[str]:
    return sorted(p.name for p in DOCS.glob("*.md") if "```python" in p.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def orgs() -> Iterator[tuple[Any, Any]]:
    try:
        from PureCloudPlatformClientV2.emulator import Emulator
    except ImportError as exc:
        pytest.skip(f"the emulator is not available: {exc}")
    # two emulators: two orgs, for the "several orgs" guide
    with Emulator(seed_users=3) as first, Emulator(seed_users=2) as second:
        yield first, second


def test_every_skip_names_a_page() -> None:
    assert set(SKIP) <= set(_pages())


@pytest.mark.parametrize("page", _pages())
def test_guide_snippets_run(page: str, orgs: tuple[Any, Any]) -> None:
    first, second = orgs
    env = dict(os.environ, HOME=str(ROOT / ".snippet-home-unused"),
               GENESYS_CLOUD_HOST=first.base_url, GENESYS_CLOUD_CLIENT_ID=first.client_id,
               GENESYS_CLOUD_CLIENT_SECRET=first.client_secret,
               GENESYS_CLOUD_AUTH_CODE=first.issue_auth_code(redirect_uri="https://app.example.com/oauth/callback"),
               SOURCE_HOST=first.base_url, SOURCE_CLIENT_ID=first.client_id, SOURCE_CLIENT_SECRET=first.client_secret,
               TARGET_HOST=second.base_url, TARGET_CLIENT_ID=second.client_id,
               TARGET_CLIENT_SECRET=second.client_secret,
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    skip = SKIP.get(page, {})
    proc = subprocess.run([sys.executable, str(RUNNER), str(DOCS / page), json.dumps(skip)], env=env,
                          capture_output=True, text=True, timeout=600, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    failed = [r for r in results if r[1] == "failed"]
    assert not failed, f"{page}: blocks that fail when run: {failed}"
    used = {r[2] for r in results if r[1] == "skipped"}
    assert used == set(skip.values()), f"{page}: SKIP entries that match no block: {set(skip.values()) - used}"
