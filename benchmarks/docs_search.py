"""Seconds from a search query to the first result in a built docs site (headless Chromium).

    python benchmarks/docs_search.py [SITE_DIR] [--runs 3]

Each run loads the home page, opens the search box and pastes ``get_users_me``: the time
includes downloading the search index and building it in the search worker, as a reader's
first search does. Build the site first (``scripts/docs``); needs chromium and aiohttp.
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "docs"))
from test_site import Browser, _chromium, _with_browser  # noqa: E402

PASTE = ("(i => { i.value = 'get_users_me'; i.dispatchEvent(new KeyboardEvent('keyup')); })"
         "(document.querySelector('.md-search__input'))")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", nargs="?", type=Path, default=ROOT / "site")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    chromium = _chromium()
    if chromium is None:
        print("chromium is not installed", file=sys.stderr)
        return 1

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *a: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(args.site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    seconds: list[float] = []

    async def run(browser: Browser) -> None:
        for _ in range(args.runs):
            await browser.goto(f"{base}/index.html")
            await browser.js("document.querySelector('label.md-header__button[for=__search]').click()")
            await browser.wait_for("document.activeElement === document.querySelector('.md-search__input')", 10)
            started = time.monotonic()
            await browser.js(PASTE)
            await browser.wait_for("document.querySelectorAll('.md-search-result__item').length > 0", 120)
            seconds.append(time.monotonic() - started)

    try:
        asyncio.run(_with_browser(chromium, run))
    finally:
        server.shutdown()
    index = args.site / "search" / "search_index.json"
    print(f"first search result: {', '.join(f'{s:.2f}' for s in seconds)} s; "
          f"index {index.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
