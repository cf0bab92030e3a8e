"""Run the Python blocks of one Markdown page against a running emulator (a subprocess of
tests/docs/test_snippets.py): ``python _snippet_runner.py PAGE SKIP_JSON`` prints one JSON line,
``[[index, "ok" | "skipped" | "failed", detail], ...]``.

Guides show fragments that assume a logged-in client and a few ids: the blocks of a page
run in order in one namespace (as a reader following the page would), and each block starts
with those names (PRELUDE_NAMES) restored, so a block that rebinds ``api_client`` to a
short-lived client does not break the next; top-level ``await`` is allowed.
"""
from __future__ import annotations

import ast
import asyncio
import inspect
import json
import os
import re
import signal
import sys
from typing import Any

BLOCK_SECONDS = 60  # a block that waits longer (an endless event loop, a hang) fails


class BlockTimeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise BlockTimeout(f"the block ran for more than {BLOCK_SECONDS} s")


BLOCK = re.compile(r"^```(?:python|\{ *\.python[^}]*\})\n(.*?)^```$", re.S | re.M)
PRELUDE_NAMES = ("client_id", "client_secret", "api_client", "users_api", "routing_api", "user_id", "user_ids",
                 "code", "base64_saml_assertion", "token")


def prelude() -> dict[str, Any]:
    import base64

    import PureCloudPlatformClientV2
    from PureCloudPlatformClientV2.api_client import ApiClient

    PureCloudPlatformClientV2.configuration.host = os.environ["GENESYS_CLOUD_HOST"]
    client_id = os.environ["GENESYS_CLOUD_CLIENT_ID"]
    client_secret = os.environ["GENESYS_CLOUD_CLIENT_SECRET"]
    api_client = ApiClient().get_client_credentials_token(client_id, client_secret)
    users_api = PureCloudPlatformClientV2.UsersApi(api_client)
    user_ids = [u.id for u in users_api.get_users(page_size=3).entities]
    return {"__name__": "__main__", "PureCloudPlatformClientV2": PureCloudPlatformClientV2,
            "client_id": client_id, "client_secret": client_secret, "api_client": api_client,
            "users_api": users_api, "routing_api": PureCloudPlatformClientV2.RoutingApi(api_client),
            "user_id": user_ids[0], "user_ids": user_ids, "code": os.environ.get("GENESYS_CLOUD_AUTH_CODE", ""),
            "base64_saml_assertion": base64.b64encode(b"<Assertion>docs</Assertion>").decode(),
            "token": api_client.access_token}


def main() -> None:
    page, skip = sys.argv[1], json.loads(sys.argv[2])
    text = open(page, encoding="utf-8").read()
    base = prelude()
    results: list[tuple[int, str, str]] = []
    loop = asyncio.new_event_loop()
    namespace = dict(base)
    signal.signal(signal.SIGALRM, _alarm)
    for i, code in enumerate(BLOCK.findall(text)):
        reason = next((why for marker, why in skip.items() if marker in code), None)
        if reason is not None:
            results.append((i, "skipped", reason))
            continue
        namespace.update(base)
        signal.alarm(BLOCK_SECONDS)
        try:
            compiled = compile(code, f"{page}#{i}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            result = eval(compiled, namespace)  # noqa: S307 - the documentation's own code
            if inspect.iscoroutine(result):
                loop.run_until_complete(result)
            results.append((i, "ok", ""))
        except BaseException as exc:  # noqa: BLE001 - report every failure, go on with the next block
            results.append((i, "failed", f"{type(exc).__name__}: {exc}"[:500]))
        finally:
            signal.alarm(0)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
