"""The emulator's aiohttp application: one catch-all handler dispatching on a route trie.

One aiohttp route instead of 3,500 keeps start-up fast and lets the emulator own routing
(static-over-parameter precedence, gateway prefixes, fault matching by operation).
"""
from __future__ import annotations

import asyncio
import logging
import math
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from . import analytics, lifecycles, notifications, permissions, state, users
from ._spec import Operation, RouteTable, build_operations, load_spec
from .errors import ApiError, OAuthError, bad_request, dumps, not_found, now_iso
from .faults import Fault, FaultSet, make_fault
from .oauth import OAuthState
from .schema import Schema, ValidationError
from .security import DEFAULT_MAX_BODY, Guard, new_secret, parse_json, read_body
from .store import Store

JSON = "application/json"
log = logging.getLogger("PureCloudPlatformClientV2.emulator")


class _ConnectionDropped(Exception):
    """Raised after a fault closed the connection: nothing more to send."""

HOME_DIVISION = {"id": "00000000-0000-4000-8000-000000000001", "name": "Home",
                 "selfUri": "/api/v2/authorization/divisions/00000000-0000-4000-8000-000000000001"}

# Defaults and required fields for creatable collections where the platform is strict.
CREATE_RULES: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "/api/v2/routing/queues": (("name",), {"memberCount": 0, "userMemberCount": 0, "joinedMemberCount": 0,
                                           "scoringMethod": "TimestampAndPriority",
                                           "acwSettings": {"wrapupPrompt": "OPTIONAL"}, "skillEvaluationMethod": "ALL"}),
    "/api/v2/groups": (("name", "type"), {"state": "active", "memberCount": 0, "visibility": "public",
                                          "rulesVisible": True, "rolesEnabled": False}),
}


@dataclass
class EmulatorSettings:
    host: str = "127.0.0.1"
    port: int = 0
    prefix_login: str = ""
    prefix_api: str = ""
    token_lifetime: int = 86400
    seed_users: int = 0
    heartbeat_interval: float = 30.0
    channel_lifetime: float = 86400.0
    socket_closing_delay: float = 0.0
    client_id: str = "emulator-client"
    client_secret: str = "emulator-secret"
    # Required by the control API (/__emulator/admin/*); random per emulator unless given.
    control_secret: str = field(default_factory=new_secret, repr=False)
    max_body_size: int = DEFAULT_MAX_BODY
    allowed_hosts: tuple[str, ...] = ()
    job_step_seconds: float = 0.5  # emulator-clock seconds per job stage (0: jobs finish at once)
    rate_limit: int = 0  # calls per token and window (0: no limit); see ratelimit.py
    rate_limit_window: float = 60.0


@dataclass(slots=True)
class Call:
    """One API request after routing."""

    op: Operation
    path: str
    segments: list[str]
    values: dict[str, str]
    query: Any
    body: Any
    token: Any
    request: web.Request


class OpPlan:
    """What the generic handler does for an operation, decided once at start-up."""

    __slots__ = ("kind", "collection_depth", "ancestor_checks", "listing_item", "paging", "cursor_param",
                 "cursor_fields", "lifecycle")

    def __init__(self) -> None:
        self.kind = "action"
        self.collection_depth = 0  # number of leading segments forming the collection path
        self.ancestor_checks: list[tuple[int, str]] = []  # (segment index of the id, model name for messages)
        self.listing_item: str | None = None
        self.paging = "none"  # page | cursor | none
        self.cursor_param: str | None = None
        self.cursor_fields: tuple[str, ...] = ()
        self.lifecycle: lifecycles.LifecycleRule | None = None  # jobs created here advance through states


class EmulatorApp:
    def __init__(self, settings: EmulatorSettings, spec: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.spec = spec if spec is not None else load_spec()
        self.schema = Schema(self.spec["models"])
        self.operations = build_operations(self.spec)
        self.routes = RouteTable(self.operations)
        self.plans: dict[str, OpPlan] = {}
        self._plan_all()
        self.store = Store()
        self.oauth = OAuthState(default_lifetime=settings.token_lifetime)
        self.oauth.user_lookup = self._user_by_email  # type: ignore[method-assign]
        self.faults = FaultSet()
        self._stall_event: asyncio.Event | None = None
        self.request_counts: dict[str, int] = {}
        self.channels = notifications.Channels(self)
        self.specials: dict[str, Any] = {}
        self.reference_cache: dict[str, str | None] = {}
        self.required_permissions: dict[str, tuple[tuple[str, ...], str]] = {}  # set by tests
        state.register(self)
        self.lifecycles = lifecycles.Lifecycles(self)
        users.register(self)
        notifications.register(self)
        lifecycles.register(self)
        analytics.register(self)
        self.guard = Guard(settings.host, settings.control_secret, tuple(settings.allowed_hosts))
        self.scheme = "http"
        self.port = settings.port
        self._swagger_cache: bytes | None = None
        self._seed()
        self._initial = self._snapshot()

    # -- start-up -----------------------------------------------------------------------
    def _plan_all(self) -> None:
        # Parameterless collection paths -> whether one can POST to create there (for short names).
        self.collection_templates: dict[str, bool] = {}
        creatable: set[tuple[str, ...]] = set()
        collections: set[tuple[str, ...]] = set()  # paths with a listing GET or items below them
        item_models: dict[tuple[str, ...], str | None] = {}  # collection -> model of GET by id
        for op in self.operations:
            if op.method == "GET" and op.item_param is not None:
                item_models[op.segments[:-1]] = op.returns
            if op.method == "POST" and op.item_param is None and self.schema.has_field(op.returns, "id"):
                creatable.add(op.segments)
            if op.item_param is not None:
                collections.add(op.segments[:-1])
            elif op.method == "GET" and self.schema.listing_item(op.returns) is not None:
                collections.add(op.segments)
        for op in self.operations:
            plan = OpPlan()
            segs = op.segments
            for i, seg in enumerate(segs[:-1] if op.item_param else segs):
                if seg.startswith("{") and segs[:i] in creatable:
                    plan.ancestor_checks.append((i, segs[i - 1]))
            item_model = self.schema.listing_item(op.returns)
            if op.method == "GET" and op.item_param is None and item_model is not None:
                plan.kind, plan.listing_item = "list", item_model
                plan.collection_depth = len(segs)
                fields = self.schema.wire_set(op.returns or "")
                qnames = {p["wire"] for p in op.query_params}
                cursor_q = next((c for c in ("cursor", "after", "nextPage", "pageToken") if c in qnames), None)
                if "pageNumber" in qnames or "pageNumber" in fields:
                    plan.paging = "page"
                elif cursor_q or fields & {"cursor", "after", "cursors"}:
                    plan.paging = "cursor"
                    plan.cursor_param = cursor_q or ("cursor" if "cursor" in fields else "after")
                    plan.cursor_fields = tuple(f for f in ("cursor", "after", "cursors") if f in fields)
            elif op.item_param is not None:
                plan.collection_depth = len(segs) - 1
                plan.kind = {"GET": "get", "PUT": "update", "PATCH": "update", "DELETE": "delete",
                             "HEAD": "head"}.get(op.method, "action")
            else:
                plan.collection_depth = len(segs)
                list_body = op.body_param is not None and op.body_param["type"].startswith("list[")
                if op.method == "POST" and segs in creatable and not list_body:
                    plan.kind = "create"
                elif list_body and op.method == "POST" and segs in collections:
                    plan.kind = "bulk_create"  # a list of new elements (contacts, wrap-up codes)
                elif list_body and op.method in ("PUT", "PATCH") and (
                        segs in collections or (segs[-1] == "bulk" and segs[:-1] in collections)):
                    plan.kind = "bulk_put" if op.method == "PUT" else "bulk_patch"
                    plan.collection_depth = len(segs) if segs in collections else len(segs) - 1
                else:
                    plan.kind = {"GET": "single", "PUT": "single_put", "PATCH": "single_patch",
                                 "DELETE": "single_delete", "HEAD": "head"}.get(op.method, "action")
            if op.method == "POST" and op.item_param is None:
                coll = segs[:plan.collection_depth]
                if coll in item_models:
                    plan.lifecycle = lifecycles.rule_from_model(self, "/" + "/".join(coll), item_models[coll])
            self.plans[op.name] = plan
            if plan.kind in ("list", "create") and "{" not in op.path:
                self.collection_templates[op.path] = self.collection_templates.get(op.path, False) or (
                    plan.kind == "create")

    def _seed(self) -> None:
        s = self.settings
        self.oauth.register_client(s.client_id, s.client_secret)
        admin = users.create_user(self, {"name": "Emulator Admin", "email": "admin@emulator.example"})
        self.admin_user_id = admin["id"]
        self.oauth.admin_user_id = admin["id"]
        users.seed_presence_definitions(self)
        for i in range(1, s.seed_users + 1):
            users.create_user(self, {"name": f"Seed User {i}", "email": f"user{i}@emulator.example",
                                     "department": "Emulation", "title": "Agent"})

    def _snapshot(self) -> Any:
        import copy
        return (self.store.snapshot(), copy.deepcopy(self.oauth.clients))

    def reset(self) -> None:
        """Back to the state right after start-up: seeded data and clients; tokens, faults,
        counters and channels dropped."""
        import copy
        self.store.restore(self._initial[0])
        self.oauth.clients = copy.deepcopy(self._initial[1])
        self.oauth.any_restricted = any(c.restricted for c in self.oauth.clients.values())
        self.required_permissions.clear()
        self.oauth.tokens.clear()
        self.oauth.refresh_tokens.clear()
        self.oauth.codes.clear()
        self.oauth.requests.clear()
        self.request_counts.clear()
        self.clear_faults()
        self.channels.drop_all()
        self.lifecycles.reset()

    def _user_by_email(self, email: str) -> str | None:
        for user in self.store.collection(users.USERS).values():
            if user.get("email") == email:
                return user["id"]
        return None

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=self.settings.max_body_size)
        if self.settings.rate_limit:
            from .ratelimit import RateLimiter, middleware
            app.middlewares.append(middleware(RateLimiter(self.settings.rate_limit, self.settings.rate_limit_window),
                                              self.settings.prefix_api))
        app.router.add_route("*", "/{tail:.*}", self.handle)
        app.on_shutdown.append(self._on_shutdown)
        return app

    async def _on_shutdown(self, app: web.Application) -> None:
        self.release_stalls()
        await self.channels.close_all()

    @property
    def _stall_release(self) -> asyncio.Event:
        if self._stall_event is None:
            self._stall_event = asyncio.Event()
        return self._stall_event

    def release_stalls(self) -> None:
        if self._stall_event is not None:
            self._stall_event.set()
            self._stall_event = None

    def clear_faults(self) -> None:
        self.faults.clear()
        self.release_stalls()

    # -- request entry ------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        cid = request.headers.get("ININ-Correlation-Id") or str(uuid.uuid4())
        try:
            resp = await self._dispatch(request, cid)
        except ApiError as err:
            resp = self.error_response(err, cid)
        except OAuthError as err:
            resp = web.Response(status=err.status, body=dumps(err.body()), content_type=JSON)
        except _ConnectionDropped:
            # An injected reset: the connection is gone on purpose, so one quiet line, no traceback.
            log.debug("emulator: injected connection reset on %s %s", request.method, request.path)
            raise asyncio.CancelledError() from None
        except asyncio.CancelledError:
            raise
        except Exception:  # an emulator bug must still look like a platform 500, with a correlation id
            # The details go to the emulator's log only: a response never carries internals.
            log.exception("emulator error on %s %s", request.method, request.path)
            resp = self.error_response(ApiError(500, "internal.server.error",
                                                "The emulator failed to handle this request; see its log."), cid)
        if not resp.prepared:
            resp.headers["ININ-Correlation-Id"] = cid
        return resp

    @staticmethod
    def error_response(err: ApiError, cid: str) -> web.Response:
        resp = web.Response(status=err.status, body=dumps(err.body(cid)), content_type=JSON)
        for key, value in err.headers.items():
            resp.headers[key] = value
        return resp

    async def _dispatch(self, request: web.Request, cid: str) -> web.StreamResponse:
        path = request.path
        if path.startswith("/__emulator/"):
            self.guard.check_control(request)
            return await self._admin(request, path[len("/__emulator/"):])
        self.guard.check_request(request)
        s = self.settings
        api_prefix, login_prefix = s.prefix_api, s.prefix_login
        if path.startswith(api_prefix + "/api/v2/"):
            return await self._api(request, path[len(api_prefix):], cid)
        if path.startswith(login_prefix + "/oauth/"):
            inner = path[len(login_prefix):]
            form: dict[str, str] = {}
            if inner == "/oauth/token" and request.method == "POST":
                await read_body(request, s.max_body_size)  # bounded; post() parses the cached bytes
                form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
                # Counted on arrival, faulted or not: tests assert how many token requests a client made.
                self.oauth.requests[form.get("grant_type") or "(none)"] += 1
            fault = self.faults.take(request.method, inner, None) if self.faults.faults else None
            if fault is not None:
                early = await self._apply_fault(fault, request, cid)
                if early is not None:
                    return early
            return await self._login(request, inner, form)
        if path.startswith(api_prefix + lifecycles.UPLOAD_PREFIX):
            result = await self.lifecycles.receive_upload(
                request, path[len(api_prefix) + len(lifecycles.UPLOAD_PREFIX):])
            return web.Response(body=dumps(result), content_type=JSON)
        if path.startswith(api_prefix + "/channels/"):
            return await self.channels.websocket(request, path[len(api_prefix) + len("/channels/"):], cid)
        raise not_found("resource")

    # -- login host ---------------------------------------------------------------------
    async def _login(self, request: web.Request, path: str, form: dict[str, str]) -> web.StreamResponse:
        if path == "/oauth/token" and request.method == "POST":
            body = self.oauth.token_endpoint(form, request.headers.get("Authorization"))
            return web.Response(body=dumps(body), content_type=JSON, headers={"Cache-Control": "no-store"})
        if path == "/oauth/authorize" and request.method == "GET":
            location = self.oauth.authorize(dict(request.query))
            return web.Response(status=302, headers={"Location": location})
        raise not_found("resource")

    # -- API host -----------------------------------------------------------------------
    async def _api(self, request: web.Request, path: str, cid: str) -> web.StreamResponse:
        if path == "/api/v2/docs/swagger" and request.method == "GET":
            return web.Response(body=self.swagger(), content_type=JSON)
        ops, values = self.routes.match(path)
        method = request.method
        op = ops.get(method) if ops else None
        if op is None and method == "HEAD" and ops:
            op = ops.get("GET")
        if op is not None:  # counted on arrival, so retries that meet a fault are counted too
            self.request_counts[op.name] = self.request_counts.get(op.name, 0) + 1
        if self.faults.faults:
            fault = self.faults.take(method, path, op.name if op else None)
            if fault is not None:
                early = await self._apply_fault(fault, request, cid)
                if early is not None:
                    return early
        if ops is None:
            raise ApiError(404, "not.found", f"No resource matches {method} {path}")
        if op is None:
            raise ApiError(405, "method.not.allowed", f"{method} is not allowed on {path}",
                           headers={"Allow": ", ".join(sorted(ops))})
        token = self.oauth.check_bearer(request.headers.get("Authorization")) if op.auth else None
        if token is not None and self.oauth.any_restricted:
            permissions.check(self, op, token.client_id)
        segments = path.strip("/").split("/")
        named = {}
        for param, value in zip(op.path_params, values, strict=False):
            if not value:
                raise bad_request(f"Missing required path parameter '{param['wire']}'", param["wire"])
            named[param["wire"]] = value
        query = request.query
        self._check_query(op, query, request.headers)
        body = await self._read_body(op, request)
        call = Call(op, path, segments, named, query, body, token, request)
        special = self.specials.get(op.name)
        if special is not None:
            status, payload = await special(call)
        else:
            status, payload = self.generic(call)
        if status == 204 or payload is None:
            return web.Response(status=204 if status in (200, 204) else status)
        if method == "HEAD":
            return web.Response(status=status)
        if isinstance(payload, str) and "application/json" not in op.raw["accepts"]:
            return web.Response(status=status, text=payload, content_type=op.raw["accepts"][0])
        return web.Response(status=status, body=dumps(payload), content_type=JSON)

    def _check_query(self, op: Operation, query: Any, headers: Any) -> None:
        for p in op.query_params:
            raw = query.getall(p["wire"], None) if p["wire"] in query else None
            if raw is None:
                if p.get("required"):
                    raise bad_request(f"Missing required query parameter '{p['wire']}'", p["wire"])
                continue
            ptype = p["type"]
            for value in raw:
                _check_param_value(p, ptype, value)
        for p in op.header_params:
            if p.get("required") and p["wire"] not in headers:
                raise bad_request(f"Missing required header '{p['wire']}'", p["wire"])

    async def _read_body(self, op: Operation, request: web.Request) -> Any:
        bp = op.body_param
        if bp is None:
            return None
        raw = await read_body(request, self.settings.max_body_size) if request.can_read_body else b""
        if not raw.strip():
            if bp.get("required"):
                raise bad_request("The request body is required for this operation.", "body")
            return None
        try:
            body = parse_json(raw)
        except ApiError:
            if bp["type"] == "str":  # a plain-text body where the definition says string
                return raw.decode("utf-8", "replace")
            raise
        try:
            self.schema.validate(bp["type"], body, "body")
        except ValidationError as exc:
            raise bad_request(f"Invalid request body: {exc.message}", exc.field) from None
        return body

    # -- generic behaviour --------------------------------------------------------------
    def generic(self, call: Call) -> tuple[int, Any]:
        op = call.op
        plan = self.plans[op.name]
        segs = call.segments
        for index, what in plan.ancestor_checks:
            coll = "/" + "/".join(segs[:index])
            if self.store.get(coll, segs[index]) is None:
                raise not_found(what.rstrip("s") or "resource", segs[index])
        kind = plan.kind
        coll_path = "/" + "/".join(segs[:plan.collection_depth])
        if kind == "get" or kind == "head":
            entity = self.store.get(coll_path, segs[-1]) if op.item_param else self.store.singletons.get(call.path)
            if entity is None:
                if op.item_param:
                    raise not_found(_noun(segs), segs[-1])
                if kind == "head":
                    return 200, ""
                return 200, self.schema.synthesize(op.returns)
            if self.lifecycles.jobs:
                entity = self.lifecycles.refresh(coll_path, entity)
            if "expand" in call.query:
                entity = state.expand(self, call.path, entity, _multi(call.query, "expand"))
            return 200, self.schema.project(op.returns, entity)
        if kind == "list":
            items = list(self.store.collection(coll_path).values())
            if self.lifecycles.jobs:
                items = [self.lifecycles.refresh(coll_path, e) for e in items]
            return 200, self.listing(call, plan, items)
        if kind == "create":
            body = call.body if isinstance(call.body, dict) else {}
            if plan.ancestor_checks:  # nested: an element may name another entity by id (assignments)
                item = state.new_item(self, call, coll_path, body, op.returns)
                entity = self.create(coll_path, item, op.returns, keep_id=True)
            else:
                entity = self.create(coll_path, body, op.returns)
            if plan.lifecycle is not None:  # a job: its state is the server's, from the clock
                entity.pop(plan.lifecycle.field, None)
                self.lifecycles.start(coll_path, entity, plan.lifecycle)
            return 200, self.schema.project(op.returns, entity)
        if kind == "bulk_create":
            return state.bulk_create(self, call, coll_path)
        if kind in ("bulk_put", "bulk_patch"):
            return state.bulk_upsert(self, call, coll_path, replace=kind == "bulk_put")
        if kind == "update":
            entity = self.store.get(coll_path, segs[-1])
            if entity is None:
                raise not_found(_noun(segs), segs[-1])
            entity = self.update(entity, call.body, replace=op.method == "PUT")
            return 200, self.schema.project(op.returns, entity)
        if kind == "delete":
            job = self.store.get(coll_path, segs[-1]) if self.lifecycles.jobs else None
            if job is not None and self.lifecycles.cancel(coll_path, job):  # DELETE cancels a job
                return (204, None) if op.returns is None else (200, self.schema.project(op.returns, job))
            entity = self.store.delete(coll_path, segs[-1])
            if entity is None:
                raise not_found(_noun(segs), segs[-1])
            return (204, None) if op.returns is None else (200, self.schema.project(op.returns, entity)
                                                           if self.schema.has_field(op.returns, "id") else {})
        if kind in ("single_put", "single_patch"):
            # Any JSON body is kept where the platform keeps it (a list of profile skills, a string...).
            current: Any = self.store.singletons.get(call.path)
            if isinstance(call.body, dict):
                merged = dict(current) if kind == "single_patch" and isinstance(current, dict) else {}
                merged.update(state.client_fields(call.body))
                current = merged
            elif call.body is not None:
                current = call.body
            if current is not None:
                self.store.singletons[call.path] = current
            return (204, None) if op.returns is None else (200, self._single(op.returns, current))
        if kind == "single":
            return 200, self._single(op.returns, self.store.singletons.get(call.path))
        if kind == "single_delete":
            self.store.singletons.pop(call.path, None)
            self.store.collections.pop(call.path, None)
            return (204, None) if op.returns is None else (200, self.schema.synthesize(op.returns))
        # Asynchronous jobs (POST .../jobs answering with a jobId): GET .../jobs/{jobId} follows
        # the job's states on the emulator clock (FULFILLED at once without a lifecycle rule).
        if op.method == "POST" and segs and segs[-1] == "jobs" and self.schema.has_field(op.returns, "jobId"):
            job_id = str(uuid.uuid4())
            job = self.store.put(coll_path, {"id": job_id, "jobId": job_id, "state": "FULFILLED",
                                             "submissionDate": now_iso(), "query": call.body})
            if plan.lifecycle is not None:
                job.pop("state")
                self.lifecycles.start(coll_path, job, plan.lifecycle)
            else:
                job["completionDate"] = now_iso()
            return 202, self.schema.synthesize(op.returns, {"jobId": job_id})
        # Actions (searches, queries, commands): a valid instance of the response type.
        if op.returns is None:
            return (202, None) if op.method == "POST" else (204, None)
        return 200, self.schema.synthesize(op.returns, call.body if isinstance(call.body, dict) else None)

    def _single(self, returns: str | None, stored: Any) -> Any:
        """A singleton's stored value when it has the response's shape, else a synthesized one."""
        if stored is None or isinstance(stored, dict):
            return self.schema.synthesize(returns, stored)
        kind = "list" if returns and returns.startswith("list[") else "other"
        if (kind == "list") == isinstance(stored, list):
            return stored
        return self.schema.synthesize(returns)

    def create(self, coll_path: str, body: dict[str, Any], model: str | None, keep_id: bool = False
               ) -> dict[str, Any]:
        template = _template_of(coll_path)
        rule = CREATE_RULES.get(template)
        if rule:
            missing = [f for f in rule[0] if not body.get(f)]
            if missing:
                raise bad_request(f"Missing required field(s): {', '.join(missing)}", missing[0])
        entity = dict(rule[1]) if rule else {}
        entity.update(state.client_fields(body))
        wires = self.schema.wire_set(model or "")
        entity["id"] = body["id"] if keep_id and body.get("id") else str(uuid.uuid4())
        if "version" in wires:
            entity["version"] = 1
        stamp = now_iso()
        for name in ("dateCreated", "dateModified"):
            if name in wires:
                entity[name] = stamp
        if "division" in wires and "division" not in entity:
            entity["division"] = dict(HOME_DIVISION)
        entity["selfUri"] = f"{coll_path}/{entity['id']}"
        return self.store.put(coll_path, entity)

    def update(self, entity: dict[str, Any], body: Any, *, replace: bool, require_version: bool = False
               ) -> dict[str, Any]:
        if not isinstance(body, dict):
            return entity
        sent = body.get("version")
        if "version" in entity:
            if sent is None and require_version:
                raise bad_request("The version field is required to update this entity.", "version")
            if sent is not None and sent != entity["version"]:
                raise ApiError(409, "general.conflict",
                               f"The version supplied ({sent}) does not match the current version "
                               f"({entity['version']}).", entity_id=entity.get("id"))
        keep: dict[str, Any] = {k: v for k, v in entity.items() if k in state.SERVER_SET or k == "division"}
        new: dict[str, Any] = dict(keep) if replace else dict(entity)
        new.update(state.client_fields(body))
        if "version" in entity:
            new["version"] = entity["version"] + 1
        if "dateModified" in entity:
            new["dateModified"] = now_iso()
        entity.clear()
        entity.update(new)
        return entity

    def listing(self, call: Call, plan: OpPlan, items: list[dict[str, Any]],
                transform: Any = None, keys: frozenset[str] | None = None) -> dict[str, Any]:
        q = call.query
        ids = _multi(q, "id")
        if ids:
            wanted = set(ids)
            items = [e for e in items if e.get("id") in wanted]
        name = q.get("name")
        if name and any(p["wire"] == "name" for p in call.op.query_params):
            needle = name.replace("*", "").lower()
            items = [e for e in items if needle in str(e.get("name", "")).lower()]
        if q.get("sortOrder", "").lower() in ("desc", "descending"):
            items = items[::-1]
        item_model = plan.listing_item
        fields = self.schema.wire_set(call.op.returns or "")
        page_size = _int_query(q, "pageSize", 25)
        if page_size < 1:
            raise bad_request("pageSize must be at least 1", "pageSize")
        total = len(items)
        # Paging URIs are relative to the API host and carry no gateway prefix, as the platform's do:
        # a client joins them to its configured host, which already includes the prefix.
        base = call.path
        others = [(k, v) for k, v in q.items() if k not in ("pageSize", "pageNumber", "cursor", "after",
                                                            "nextPage", "pageToken", "before")]
        out: dict[str, Any] = {}
        if plan.paging == "page":
            page = _int_query(q, "pageNumber", 1)
            if page < 1:
                raise bad_request("pageNumber must be at least 1", "pageNumber")
            start = (page - 1) * page_size
            chunk = items[start:start + page_size]
            count = max(1, math.ceil(total / page_size))

            def uri(n: int) -> str:
                return f"{base}?{urlencode([('pageSize', page_size), ('pageNumber', n), *others])}"

            env = {"pageSize": page_size, "pageNumber": page, "total": total, "pageCount": count,
                   "firstUri": uri(1), "selfUri": uri(page), "lastUri": uri(count)}
            if page < count:
                env["nextUri"] = uri(page + 1)
            if page > 1:
                env["previousUri"] = uri(page - 1)
            out.update({k: v for k, v in env.items() if k in fields})
        elif plan.paging == "cursor":
            start = _decode_cursor(q.get(plan.cursor_param or "cursor"))
            chunk = items[start:start + page_size]
            nxt = start + page_size
            param = plan.cursor_param or "cursor"
            if nxt < total:
                token = _encode_cursor(nxt)
                if "nextUri" in fields:
                    out["nextUri"] = f"{base}?{urlencode([(param, token), ('pageSize', page_size), *others])}"
                if "cursor" in plan.cursor_fields:
                    out["cursor"] = token
                if "after" in plan.cursor_fields:
                    out["after"] = token
                if "cursors" in plan.cursor_fields:
                    out["cursors"] = {"after": token}
            if "selfUri" in fields:
                out["selfUri"] = f"{base}?{urlencode([('pageSize', page_size), *others])}"
            if "pageSize" in fields:
                out["pageSize"] = page_size
            if "total" in fields:
                out["total"] = total
        else:
            chunk = items
            if "total" in fields:
                out["total"] = total
        project = self.schema.project
        if keys is not None:
            out["entities"] = [{k: v for k, v in e.items() if k in keys} for e in chunk]
        elif transform is not None:
            out["entities"] = [project(item_model, transform(e)) for e in chunk]
        else:
            out["entities"] = [project(item_model, e) for e in chunk]
        return out

    # -- faults -------------------------------------------------------------------------
    async def _apply_fault(self, fault: Fault, request: web.Request, cid: str) -> web.StreamResponse | None:
        kind = fault.kind
        if kind == "latency":
            await asyncio.sleep(fault.delay)
            return None
        if kind == "expire_tokens":
            self.oauth.expire_all()
            return None
        if kind == "stall":
            # Held until the delay passes or faults are cleared/reset/shut down, so no handler outlives a test.
            release = self._stall_release
            try:
                await asyncio.wait_for(release.wait(), fault.delay if fault.delay > 0 else None)
            except asyncio.TimeoutError:
                pass
            return None
        if kind == "reset":
            _reset_connection(request)
            raise _ConnectionDropped()
        if kind == "truncate":
            body = dumps({"message": "this body is cut short by the emulator", "code": "truncated",
                          "padding": "x" * 256})
            resp = web.StreamResponse(status=200, headers={"Content-Type": JSON, "ININ-Correlation-Id": cid})
            resp.content_length = len(body)
            await resp.prepare(request)
            await resp.write(body[: len(body) // 2])
            _reset_connection(request)
            return resp
        status = fault.status or 500
        headers: dict[str, str] = {}
        if status == 429:
            retry = fault.retry_after if fault.retry_after is not None else 1
            headers["Retry-After"] = str(retry)
            err = ApiError(429, "too.many.requests.retry.after",
                           f"Rate limit exceeded the maximum. Retry the request in [{retry}] seconds",
                           headers=headers)
        else:
            codes = {502: "bad.gateway", 503: "service.unavailable", 504: "gateway.timeout"}
            if fault.retry_after is not None and status == 503:
                headers["Retry-After"] = str(fault.retry_after)
            err = ApiError(status, codes.get(status, "internal.server.error"),
                           f"The emulator injected a {status} fault.", headers=headers)
        return self.error_response(err, cid)

    def add_fault(self, kind: str | int, route: str | None = None, **options: Any) -> dict[str, Any]:
        return self.faults.add(make_fault(kind, route, **options)).to_dict()

    # -- swagger ------------------------------------------------------------------------
    def swagger(self) -> bytes:
        if self._swagger_cache is None:
            from .openapi import render_openapi
            self._swagger_cache = dumps(render_openapi(self.spec))
        return self._swagger_cache

    # -- admin (the Python API of a subprocess goes through here) --------------------------
    async def _admin(self, request: web.Request, path: str) -> web.StreamResponse:
        if not path.startswith("admin/") or request.method != "POST":
            raise not_found("admin endpoint")
        raw = await read_body(request, self.settings.max_body_size)
        kwargs = parse_json(raw) if raw.strip() else {}
        if not isinstance(kwargs, dict):
            raise bad_request("The control API takes a JSON object of keyword arguments.", "body")
        from .control import run_admin
        try:
            result = await run_admin(self, path[len("admin/"):], kwargs)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # wrong argument shapes
            raise bad_request(f"control call failed: {exc}") from None
        return web.Response(body=dumps({"result": result}), content_type=JSON)


def _reset_connection(request: web.Request) -> None:
    """Close with an RST (SO_LINGER 0) so the client sees a reset, not a clean close."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            import struct
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()


def _check_param_value(p: dict[str, Any], ptype: str, value: str) -> None:
    wire = p["wire"]
    if ptype == "int":
        try:
            number: float = int(value)
        except ValueError:
            raise bad_request(f"Query parameter '{wire}' must be an integer, got '{value}'", wire) from None
    elif ptype == "bool":
        if value.lower() not in ("true", "false"):
            raise bad_request(f"Query parameter '{wire}' must be true or false, got '{value}'", wire)
        return
    elif ptype == "float":
        try:
            number = float(value)
        except ValueError:
            raise bad_request(f"Query parameter '{wire}' must be a number, got '{value}'", wire) from None
    else:
        if "pattern" in p:
            import re
            if not re.fullmatch(p["pattern"], value):
                raise bad_request(f"Query parameter '{wire}' does not match {p['pattern']}", wire)
        if ptype != "str" or not ("minimum" in p or "maximum" in p):
            return
        # Some string parameters (pageSize typed as string) carry numeric bounds in the definition.
        try:
            number = float(value)
        except ValueError:
            raise bad_request(f"Query parameter '{wire}' must be a number, got '{value}'", wire) from None
    if "minimum" in p and number < p["minimum"]:
        raise bad_request(f"Query parameter '{wire}' must be at least {p['minimum']}", wire)
    if "maximum" in p and number > p["maximum"]:
        raise bad_request(f"Query parameter '{wire}' must be at most {p['maximum']}", wire)


def _multi(query: Any, key: str) -> list[str]:
    out: list[str] = []
    for value in query.getall(key, ()):
        out.extend(v for v in value.split(",") if v)
    return out


def _int_query(query: Any, key: str, default: int) -> int:
    value = query.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"Query parameter '{key}' must be an integer", key) from None


def _encode_cursor(offset: int) -> str:
    import base64
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(token: str | None) -> int:
    if not token:
        return 0
    import base64
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if text.startswith("o:"):
            return max(0, int(text[2:]))
    except (ValueError, UnicodeDecodeError):
        pass
    raise bad_request("The cursor is invalid or expired.", "cursor")


def _noun(segs: list[str]) -> str:
    """'queue' for /api/v2/routing/queues/{id}: used in 404 messages."""
    name = segs[-2] if len(segs) >= 2 else "entity"
    return name[:-1] if name.endswith("s") else name


def _template_of(coll_path: str) -> str:
    return coll_path
