"""Command line: ``python -m PureCloudPlatformClientV2.emulator --port 8443 [--tls] ...``."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

from .runner import READY_MARKER
from .security import CONTROL_HEADER, CONTROL_SECRET_ENV, DEFAULT_MAX_BODY, new_secret


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="genesys-emulator", description="Local emulator of the Genesys Cloud platform")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; anything else makes the emulator reachable "
                        "from other machines)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="(repeatable) another host name the emulator answers to in Host/Origin headers, "
                        "besides localhost, 127.0.0.1, ::1 and --host")
    p.add_argument("--port", type=int, default=8443, help="port (0 picks a free one; default 8443)")
    p.add_argument("--tls", action="store_true", help="serve HTTPS with a generated CA unless --cert/--key")
    p.add_argument("--cert", help="server certificate (PEM); implies --tls")
    p.add_argument("--key", help="server private key (PEM)")
    p.add_argument("--ca-dir", help="where the generated CA, certificate and key are written (default: a temp dir)")
    p.add_argument("--client-ca", help="require client certificates signed by this CA (mTLS)")
    p.add_argument("--prefix-login", default="", help="path prefix before /oauth (gateway setups)")
    p.add_argument("--prefix-api", default="", help="path prefix before /api/v2 (gateway setups)")
    p.add_argument("--token-lifetime", type=int, default=86400, help="access token lifetime in seconds")
    p.add_argument("--seed-users", type=int, default=0, help="number of users to create at start-up")
    p.add_argument("--heartbeat-interval", type=float, default=30.0, help="WebSocket heartbeat interval (s)")
    p.add_argument("--channel-lifetime", type=float, default=86400.0, help="notification channel lifetime (s)")
    p.add_argument("--socket-closing-delay", type=float, default=0.0,
                   help="seconds between v2.system.socket_closing and closing the socket (default 0)")
    p.add_argument("--job-step-seconds", type=float, default=0.5,
                   help="seconds per job state (QUEUED -> ... -> FULFILLED); 0 finishes jobs at once (default 0.5)")
    p.add_argument("--max-body-size", type=int, default=DEFAULT_MAX_BODY,
                   help=f"largest request body in bytes; larger ones get 413 (default {DEFAULT_MAX_BODY})")
    p.add_argument("--client-id", default="emulator-client", help="id of the default OAuth client")
    p.add_argument("--client-secret", default="emulator-secret", help="secret of the default OAuth client")
    p.add_argument("--rate-limit", type=int, nargs="?", const=300, default=0, metavar="N",
                   help="limit each token to N calls per window (N defaults to 300), with inin-ratelimit-* headers")
    p.add_argument("--rate-limit-window", type=float, default=60.0, help="rate-limit window in seconds (default 60)")
    p.add_argument("--fault", action="append", default=[], metavar="SPEC",
                   help="inject a fault: KIND[@[METHOD ]PATH_GLOB][,times=N][,retry_after=S][,delay=S]"
                        "[,operation=NAME]; KIND is a status code or latency|reset|truncate|stall|expire_tokens")
    p.add_argument("--announce", action="store_true", help=argparse.SUPPRESS)  # machine-readable ready line
    return p


async def _serve(args: argparse.Namespace) -> None:
    from aiohttp import web

    from .faults import parse_fault
    from .server import EmulatorApp, EmulatorSettings
    from .tls import generate_ca_and_server, server_context

    settings = EmulatorSettings(host=args.host, port=args.port, prefix_login=_prefix(args.prefix_login),
                                prefix_api=_prefix(args.prefix_api), token_lifetime=args.token_lifetime,
                                seed_users=args.seed_users, heartbeat_interval=args.heartbeat_interval,
                                channel_lifetime=args.channel_lifetime, client_id=args.client_id,
                                client_secret=args.client_secret, socket_closing_delay=args.socket_closing_delay,
                                control_secret=os.environ.get(CONTROL_SECRET_ENV) or new_secret(),
                                max_body_size=args.max_body_size, allowed_hosts=tuple(args.allow_host),
                                job_step_seconds=args.job_step_seconds, rate_limit=args.rate_limit,
                                rate_limit_window=args.rate_limit_window)
    app = EmulatorApp(settings)
    for spec in args.fault:
        app.faults.add(parse_fault(spec))
    ssl_ctx = None
    ca_file = None
    if args.tls or args.cert:
        cert, key = args.cert, args.key
        if cert is None:
            directory = Path(args.ca_dir) if args.ca_dir else Path(tempfile.mkdtemp(prefix="genesys-emulator-"))
            ca, cert, key = generate_ca_and_server(directory)
            ca_file = str(ca)
        ssl_ctx = server_context(cert, key, args.client_ca)
    runner = web.AppRunner(app.make_app(), handle_signals=True, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, args.host, args.port, ssl_context=ssl_ctx, reuse_address=True).start()
    port = app.port = runner.addresses[0][1]
    scheme = "https" if ssl_ctx else "http"
    app.scheme = scheme
    info = {"port": port, "base_url": f"{scheme}://{args.host}:{port}{settings.prefix_api}",
            "login_url": f"{scheme}://{args.host}:{port}{settings.prefix_login}", "ca_file": ca_file,
            "client_id": settings.client_id}
    if args.announce:
        print(READY_MARKER + json.dumps(info), flush=True)
    else:
        print(f"Genesys Cloud emulator listening: API {info['base_url']}  login {info['login_url']}", flush=True)
        print(f"  client_id={settings.client_id} client_secret={settings.client_secret}"
              + (f"  CA file: {ca_file}" if ca_file else ""), flush=True)
        # The announce line (read by Emulator(mode="subprocess"), which chose the secret) omits it.
        print(f"  control API: POST {scheme}://{args.host}:{port}/__emulator/admin/<call> with header "
              f"{CONTROL_HEADER}: {settings.control_secret}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def _prefix(value: str) -> str:
    value = value.strip("/")
    return f"/{value}" if value else ""


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if bool(args.cert) != bool(args.key):
        print("--cert and --key go together", file=sys.stderr)
        return 2
    from aiohttp.web_runner import GracefulExit
    try:
        asyncio.run(_serve(args))
    except (KeyboardInterrupt, GracefulExit):  # Ctrl-C / SIGTERM (aiohttp's handlers raise GracefulExit)
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
