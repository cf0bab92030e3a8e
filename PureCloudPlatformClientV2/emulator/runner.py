"""Run the emulator from Python: in a background thread (own event loop) or as a subprocess."""
from __future__ import annotations

import asyncio
import copy
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .security import CONTROL_HEADER, CONTROL_SECRET_ENV

READY_MARKER = "GENESYS_EMULATOR_READY "


class Emulator:
    """A local Genesys Cloud emulator for tests.

    ``with Emulator(seed_users=5) as emu:`` starts it on a free port; ``emu.base_url`` is the
    API host, ``emu.login_url`` the login host, ``emu.client_id``/``emu.client_secret`` a
    client-credentials client, and ``emu.ca_file`` the CA to trust when ``tls=True``.

    ``mode="thread"`` (default) serves from a thread of this process; ``mode="subprocess"``
    starts ``python -m PureCloudPlatformClientV2.emulator`` so the server does not compete
    with the client for the GIL (benchmarks). Both modes offer the same methods.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, tls: bool = False,
                 cert_file: str | os.PathLike[str] | None = None, key_file: str | os.PathLike[str] | None = None,
                 client_ca: str | os.PathLike[str] | None = None, prefix_login: str = "", prefix_api: str = "",
                 token_lifetime: int = 86400, seed_users: int = 0, heartbeat_interval: float = 30.0,
                 channel_lifetime: float = 86400.0, socket_closing_delay: float = 0.0,
                 faults: Iterable[str] = (), client_id: str = "emulator-client",
                 client_secret: str = "emulator-secret", control_secret: str | None = None,
                 max_body_size: int | None = None, allowed_hosts: Iterable[str] = (),
                 job_step_seconds: float = 0.5, mode: str = "thread", rate_limit: int = 0,
                 rate_limit_window: float = 60.0) -> None:
        if mode not in ("thread", "subprocess"):
            raise ValueError("mode must be 'thread' or 'subprocess'")
        if (cert_file is None) != (key_file is None):
            raise ValueError("cert_file and key_file go together")
        self.host, self.port, self.mode = host, port, mode
        self.tls = tls or cert_file is not None
        # Absolute: a subprocess emulator runs in another working directory.
        self.cert_file = os.path.abspath(cert_file) if cert_file else None
        self.key_file = os.path.abspath(key_file) if key_file else None
        self.client_ca = os.path.abspath(client_ca) if client_ca else None
        self.prefix_login = _norm_prefix(prefix_login)
        self.prefix_api = _norm_prefix(prefix_api)
        self.token_lifetime, self.seed_users = token_lifetime, seed_users
        self.heartbeat_interval, self.channel_lifetime = heartbeat_interval, channel_lifetime
        self.socket_closing_delay = socket_closing_delay
        self.fault_specs = list(faults)
        self.client_id, self.client_secret = client_id, client_secret
        from .security import DEFAULT_MAX_BODY, new_secret
        #: Sent by this object's control calls in a header; anyone driving the control API over
        #: HTTP needs it (see docs/emulator.md). Random per emulator unless given.
        self.control_secret = control_secret or new_secret()
        self.max_body_size = max_body_size if max_body_size is not None else DEFAULT_MAX_BODY
        self.allowed_hosts = tuple(allowed_hosts)
        self.job_step_seconds = job_step_seconds
        self.rate_limit, self.rate_limit_window = rate_limit, rate_limit_window  # ratelimit.py; 0: off
        self.ca_file: str | None = None
        self.admin_user_id: str | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._app: Any = None
        self._runner: Any = None
        self._proc: subprocess.Popen[str] | None = None
        self._admin_ssl: ssl.SSLContext | None = None

    # -- addresses ----------------------------------------------------------------------
    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def root_url(self) -> str:
        """Scheme, host and port, without prefixes."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API host as the SDK's Configuration.host expects it (``/api/v2/...`` follows)."""
        return self.root_url + self.prefix_api

    @property
    def control_url(self) -> str:
        """Base of the control API: POST ``{control_url}/<call>`` with JSON keyword arguments
        and :attr:`control_headers` (the secret), e.g. from another process."""
        return self.root_url + "/__emulator/admin"

    @property
    def control_headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", CONTROL_HEADER: self.control_secret}

    @property
    def login_url(self) -> str:
        """The login host (``/oauth/token`` follows)."""
        return self.root_url + self.prefix_login

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._thread is not None or self._proc is not None:
            return self
        if self.tls and self.cert_file is None:
            from .tls import generate_ca_and_server
            self._tmp = tempfile.TemporaryDirectory(prefix="genesys-emulator-")
            ca, cert, key = generate_ca_and_server(Path(self._tmp.name))
            self.ca_file, self.cert_file, self.key_file = str(ca), str(cert), str(key)
        if self.mode == "thread":
            self._start_thread()
        else:
            self._start_subprocess()
        info = self._call("info")
        self.admin_user_id = info["admin_user_id"]
        return self

    def _settings(self) -> Any:
        from .server import EmulatorSettings
        return EmulatorSettings(host=self.host, port=self.port, prefix_login=self.prefix_login,
                                prefix_api=self.prefix_api, token_lifetime=self.token_lifetime,
                                seed_users=self.seed_users, heartbeat_interval=self.heartbeat_interval,
                                channel_lifetime=self.channel_lifetime,
                                socket_closing_delay=self.socket_closing_delay, client_id=self.client_id,
                                client_secret=self.client_secret, control_secret=self.control_secret,
                                max_body_size=self.max_body_size, allowed_hosts=self.allowed_hosts,
                                job_step_seconds=self.job_step_seconds, rate_limit=self.rate_limit,
                                rate_limit_window=self.rate_limit_window)

    def _start_thread(self) -> None:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="genesys-emulator", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise RuntimeError(f"emulator failed to start: {failure[0]!r}") from failure[0]

    async def _serve(self) -> None:
        from aiohttp import web

        from .faults import parse_fault
        from .server import EmulatorApp
        app = EmulatorApp(self._settings())
        for spec in self.fault_specs:
            app.faults.add(parse_fault(spec))
        ssl_ctx = None
        if self.tls:
            from .tls import server_context
            ssl_ctx = server_context(self.cert_file, self.key_file, self.client_ca)  # type: ignore[arg-type]
            app.scheme = "https"
        runner = web.AppRunner(app.make_app(), handle_signals=False, access_log=None, shutdown_timeout=1.0,
                               keepalive_timeout=75.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, ssl_context=ssl_ctx, reuse_address=True)
        await site.start()
        self.port = app.port = runner.addresses[0][1]
        self._app, self._runner = app, runner

    def _start_subprocess(self) -> None:
        args = [sys.executable, "-m", "PureCloudPlatformClientV2.emulator", "--host", self.host, "--port",
                str(self.port), "--token-lifetime", str(self.token_lifetime), "--seed-users", str(self.seed_users),
                "--heartbeat-interval", str(self.heartbeat_interval), "--channel-lifetime", str(self.channel_lifetime),
                "--socket-closing-delay", str(self.socket_closing_delay), "--max-body-size", str(self.max_body_size),
                "--job-step-seconds", str(self.job_step_seconds),
                "--client-id", self.client_id, "--client-secret", self.client_secret, "--announce"]
        for name in self.allowed_hosts:
            args += ["--allow-host", name]
        if self.prefix_login:
            args += ["--prefix-login", self.prefix_login]
        if self.prefix_api:
            args += ["--prefix-api", self.prefix_api]
        if self.tls:
            args += ["--tls", "--cert", str(self.cert_file), "--key", str(self.key_file)]
        control_cert: tuple[str, str] | None = None
        if self.client_ca:
            # The subprocess requires a client certificate in the TLS handshake, this object's own
            # control calls included: a throw-away CA, trusted beside the given one, signs ours.
            from .tls import generate_client_certificate
            if self._tmp is None:
                self._tmp = tempfile.TemporaryDirectory(prefix="genesys-emulator-")
            control_ca, cert, key = generate_client_certificate(Path(self._tmp.name) / "control")
            bundle = Path(self._tmp.name) / "client-cas.pem"
            bundle.write_bytes(Path(self.client_ca).read_bytes().rstrip() + b"\n" + control_ca.read_bytes())
            args += ["--client-ca", str(bundle)]
            control_cert = (str(cert), str(key))
        for spec in self.fault_specs:
            args += ["--fault", spec]
        if self.rate_limit:
            args += ["--rate-limit", str(self.rate_limit), "--rate-limit-window", str(self.rate_limit_window)]
        env = dict(os.environ)
        env[CONTROL_SECRET_ENV] = self.control_secret  # not argv: other users can read a process's argv
        # Make the package importable in the child even from a source checkout.
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        # Started in the package root: `-m` puts the working directory first on sys.path, and a
        # stray PureCloudPlatformClientV2 directory there (a shared /tmp) must not be imported.
        self._proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=None, text=True, env=env,
                                      cwd=package_root)
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            if line.startswith(READY_MARKER):
                info = json.loads(line[len(READY_MARKER):])
                self.port = info["port"]
                break
        else:
            code = self._proc.wait()
            self._proc = None
            raise RuntimeError(f"emulator subprocess exited with {code} before it was ready")
        if self.tls:
            self._admin_ssl = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else (
                ssl._create_unverified_context())
            if control_cert is not None:
                self._admin_ssl.load_cert_chain(*control_cert)

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._thread is not None and self._loop is not None:
            loop, runner = self._loop, self._runner
            if runner is not None:
                asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join(timeout=30)
            self._thread = self._loop = self._runner = self._app = None
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            if self._proc.stdout:
                self._proc.stdout.close()
            self._proc = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- control ------------------------------------------------------------------------
    def _call(self, name: str, **kwargs: Any) -> Any:
        if self._loop is not None and self._app is not None:
            from .control import run_admin
            future = asyncio.run_coroutine_threadsafe(run_admin(self._app, name, kwargs), self._loop)
            return copy.deepcopy(future.result(timeout=30))
        if self._proc is None:
            raise RuntimeError("the emulator is not running")
        request = urllib.request.Request(f"{self.control_url}/{name}", method="POST",
                                         data=json.dumps(kwargs).encode(), headers=self.control_headers)
        try:
            with urllib.request.urlopen(request, timeout=30, context=self._admin_ssl) as resp:
                return json.loads(resp.read())["result"]
        except urllib.error.HTTPError as err:
            if err.code != 400:
                raise
            # The same ValueError an in-process emulator raises for a bad control call.
            raise ValueError(json.loads(err.read() or b"{}").get("message", str(err))) from None

    def register_client(self, client_id: str | None = None, client_secret: str | None = None, *,
                        grants: Iterable[str] | None = None, redirect_uris: Iterable[str] = (),
                        user_id: str | None = None, token_lifetime: int | None = None,
                        public: bool = False, permissions: Iterable[str] | None = None,
                        roles: Iterable[str] = ()) -> dict[str, Any]:
        """Add an OAuth client; returns {client_id, client_secret, grants, redirect_uris, ...}.
        ``public=True`` makes a client without a secret (PKCE). With ``permissions`` (e.g.
        ``["routing:queue:view"]``, ``*`` wildcards per part) and/or ``roles`` (ids or names of
        /api/v2/authorization/roles entities with a ``permissions`` list) its tokens get 403 on
        operations needing anything else; without either it has full access."""
        return self._call("register_client", client_id=client_id, client_secret=client_secret,
                          grants=list(grants) if grants else None, redirect_uris=list(redirect_uris),
                          user_id=user_id, token_lifetime=token_lifetime, public=public,
                          permissions=list(permissions) if permissions is not None else None, roles=list(roles))

    def require_permissions(self, operation: str, permissions: Iterable[str], match: str = "any") -> dict[str, Any]:
        """Make ``operation`` (``"get_routing_queues"``) need ``permissions`` (``match="any"`` or
        ``"all"``), replacing what the API definition says; cleared by :meth:`reset`."""
        return self._call("require_permissions", operation=operation, permissions=list(permissions), match=match)

    def issue_auth_code(self, client_id: str | None = None, *, redirect_uri: str | None = None,
                        user_id: str | None = None, code_challenge: str | None = None,
                        code_challenge_method: str | None = None) -> str:
        """An authorization code as GET /oauth/authorize would redirect with (no browser needed)."""
        return self._call("issue_auth_code", client_id=client_id, redirect_uri=redirect_uri, user_id=user_id,
                          code_challenge=code_challenge, code_challenge_method=code_challenge_method)

    def issue_token(self, client_id: str | None = None, *, user_id: str | None = None,
                    lifetime: int | None = None) -> str:
        """An access token without a token request (a user token when ``user_id`` is given)."""
        return self._call("issue_token", client_id=client_id, user_id=user_id, lifetime=lifetime)

    def seed(self, collection: str, entities: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store entities under a collection path such as ``/api/v2/routing/queues``; entities
        without an ``id`` get one (plus version, selfUri, dates) as if POSTed."""
        return self._call("seed", collection=collection, entities=list(entities))

    def add_user(self, name: str, email: str | None = None, **fields: Any) -> dict[str, Any]:
        email = email or f"{name.lower().replace(' ', '.')}@emulator.example"
        return self.seed("/api/v2/users", [{"name": name, "email": email, **fields}])[0]

    def add_queue(self, name: str, **fields: Any) -> dict[str, Any]:
        return self.seed("/api/v2/routing/queues", [{"name": name, **fields}])[0]

    def add_group(self, name: str, type: str = "official", **fields: Any) -> dict[str, Any]:
        return self.seed("/api/v2/groups", [{"name": name, "type": type, **fields}])[0]

    def entities(self, collection: str) -> list[dict[str, Any]]:
        """Stored entities of a collection: a path (``/api/v2/routing/queues``, nested ones such as
        ``/api/v2/groups/<id>/members`` too) or a short name (``"users"``, ``"queues"``,
        ``"routing/skills"``); an unknown or ambiguous name raises ValueError."""
        return self._call("entities", collection=collection)

    def get_entity(self, collection: str, entity_id: str) -> dict[str, Any] | None:
        return self._call("get_entity", collection=collection, entity_id=entity_id)

    def add_fault(self, kind: str | int, route: str | None = None, *, method: str | None = None,
                  operation: str | None = None, status: int | None = None, times: int | None = None,
                  retry_after: int | None = 1, delay: float = 0.0) -> int:
        """Inject a fault (see :mod:`.faults`); returns its id for :meth:`remove_fault`."""
        fault = self._call("add_fault", kind=kind, route=route, method=method, operation=operation, status=status,
                           times=times, retry_after=retry_after, delay=delay)
        return fault["id"]

    def remove_fault(self, fault_id: int) -> bool:
        return self._call("remove_fault", fault_id=fault_id)

    def clear_faults(self) -> None:
        self._call("clear_faults")

    def faults(self) -> list[dict[str, Any]]:
        return self._call("faults")

    def expire_tokens(self) -> int:
        """Expire every access token issued so far (refresh tokens keep working)."""
        return self._call("expire_tokens")

    def revoke_token(self, token: str) -> bool:
        """Revoke an access token; channels made with it get ``v2.system.token_revoked``."""
        return self._call("revoke_token", token=token)

    def advance_clock(self, seconds: float) -> float:
        """Move the emulator's clock forward: jobs advance one state per ``job_step_seconds``
        of it (recording jobs wait at READY until executed). Returns the total offset."""
        return self._call("advance_clock", seconds=seconds)

    def uploads(self) -> list[dict[str, Any]]:
        """Upload URLs handed out and what arrived at them (size, sha256, content type)."""
        return self._call("uploads")

    def token_requests(self, grant: str | None = None) -> int:
        """How many POST /oauth/token requests arrived (for one grant_type, or all)."""
        return self._call("token_requests", grant=grant)

    def request_count(self, operation: str | None = None) -> int:
        """How many API requests arrived for an operation name (``get_users``), or all."""
        return self._call("request_count", operation=operation)

    def reset_counters(self) -> None:
        self._call("reset_counters")

    def stats(self) -> dict[str, Any]:
        return self._call("stats")

    def publish(self, topic: str, body: Any) -> int:
        """Send a notification event to every channel subscribed to ``topic``."""
        return self._call("publish", topic=topic, body=body)

    def close_socket(self, channel_id: str, *, notice: bool = True, delay: float | None = None) -> bool:
        """Send ``v2.system.socket_closing`` (if ``notice``) and close the channel's socket."""
        return self._call("close_socket", channel_id=channel_id, notice=notice, delay=delay)

    def expire_channel(self, channel_id: str) -> bool:
        return self._call("expire_channel", channel_id=channel_id)

    def channels(self) -> list[dict[str, Any]]:
        return self._call("channels")

    def reset(self) -> None:
        """Back to the start-up state: seeded data and clients kept; tokens, faults, counters,
        channels and everything created since dropped."""
        self._call("reset")


def _norm_prefix(prefix: str) -> str:
    prefix = (prefix or "").strip("/")
    return f"/{prefix}" if prefix else ""
