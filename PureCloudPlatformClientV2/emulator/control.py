"""Control operations of a running emulator, shared by the in-process API and the admin
HTTP endpoint a subprocess emulator is driven through (one list, one behaviour)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import EmulatorApp


def _register_client(app: EmulatorApp, **kw: Any) -> dict[str, Any]:
    return app.oauth.register_client(**kw).public()


def _issue_auth_code(app: EmulatorApp, client_id: str | None = None, redirect_uri: str | None = None,
                     user_id: str | None = None, code_challenge: str | None = None,
                     code_challenge_method: str | None = None) -> str:
    method = code_challenge_method or ("S256" if code_challenge else None)
    return app.oauth.issue_code(client_id or app.settings.client_id, redirect_uri, user_id, code_challenge,
                                method).code


def _issue_token(app: EmulatorApp, client_id: str | None = None, user_id: str | None = None,
                 lifetime: int | None = None) -> str:
    grant = "authorization_code" if user_id else "client_credentials"
    return app.oauth.issue_token(client_id or app.settings.client_id, grant, user_id, lifetime).value


def resolve_collection(app: EmulatorApp, name: str) -> str:
    """A concrete collection path from a path (``/api/v2/routing/queues``, ``/api/v2/groups/<id>/members``)
    or a short name (``users``, ``queues``, ``routing/queues``); ValueError says what would work."""
    if not isinstance(name, str) or not name.strip("/"):
        raise ValueError("collection must be a path such as /api/v2/users or a short name such as 'users'")
    if name.startswith("/"):
        path = name.rstrip("/")
        if app.routes.match(path)[0] is None and path not in app.store.collections:
            raise ValueError(f"unknown collection {name!r}: no operation of the API definition has this path")
        return path
    short = name.strip("/")
    exact = f"/api/v2/{short}"
    collections = app.collection_templates
    if exact in collections:
        return exact
    found = [c for c in collections if c.endswith("/" + short)]
    if len(found) > 1:  # prefer the collections one can POST to (routing/queues over assistants/queues)
        found = [c for c in found if collections[c]] or found
    if len(found) == 1:
        return found[0]
    if found:
        raise ValueError(f"collection name {name!r} is ambiguous: {', '.join(sorted(found))}; give the path")
    raise ValueError(f"unknown collection {name!r}: use a path such as /api/v2/routing/queues or a short name "
                     "such as 'users', 'queues', 'routing/skills'")


def _seed(app: EmulatorApp, collection: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from . import users
    collection = resolve_collection(app, collection)
    out = []
    for body in entities:
        if collection.rstrip("/") == users.USERS:
            out.append(users.create_user(app, body))
        elif body.get("id"):
            entity = dict(body)
            entity.setdefault("selfUri", f"{collection}/{entity['id']}")
            out.append(app.store.put(collection, entity))
        else:
            ops = [op for op in app.operations if op.method == "POST" and op.path == collection]
            out.append(app.create(collection, body, ops[0].returns if ops else None))
    return out


def _entities(app: EmulatorApp, collection: str) -> list[dict[str, Any]]:
    coll = app.store.collections.get(resolve_collection(app, collection))
    return list(coll.values()) if coll else []


def _get_entity(app: EmulatorApp, collection: str, entity_id: str) -> dict[str, Any] | None:
    return app.store.get(resolve_collection(app, collection), entity_id)


def _require_permissions(app: EmulatorApp, operation: str, permissions: list[str], match: str = "any"
                         ) -> dict[str, Any]:
    from .permissions import set_required
    return set_required(app, operation, permissions, match)


def _revoke_token(app: EmulatorApp, token: str) -> bool:
    from .lifecycles import notify_revoked
    if not app.oauth.revoke(token):
        return False
    notify_revoked(app, token)
    return True


def _token_requests(app: EmulatorApp, grant: str | None = None) -> int:
    counts = app.oauth.requests
    return counts.get(grant, 0) if grant else sum(counts.values())


def _request_count(app: EmulatorApp, operation: str | None = None) -> int:
    counts = app.request_counts
    return counts.get(operation, 0) if operation else sum(counts.values())


def _reset_counters(app: EmulatorApp) -> None:
    app.oauth.requests.clear()
    app.request_counts.clear()


def _channels(app: EmulatorApp) -> list[dict[str, Any]]:
    return [{**c.public(), "topics": list(c.topics), "connected": c.ws is not None}
            for c in app.channels.channels.values()]


def _stats(app: EmulatorApp) -> dict[str, Any]:
    return {"token_requests": dict(app.oauth.requests), "requests": dict(app.request_counts),
            "tokens": len(app.oauth.tokens), "channels": len(app.channels.channels)}


ADMIN: dict[str, Any] = {
    "register_client": _register_client,
    "issue_auth_code": _issue_auth_code,
    "issue_token": _issue_token,
    "seed": _seed,
    "entities": _entities,
    "get_entity": _get_entity,
    "add_fault": lambda app, kind, route=None, **kw: app.add_fault(kind, route, **kw),
    "remove_fault": lambda app, fault_id: app.faults.remove(fault_id),
    "clear_faults": lambda app: app.clear_faults(),
    "faults": lambda app: [f.to_dict() for f in app.faults.faults],
    "expire_tokens": lambda app: app.oauth.expire_all(),
    "revoke_token": _revoke_token,
    "require_permissions": _require_permissions,
    "advance_clock": lambda app, seconds: app.lifecycles.advance(float(seconds)),
    "uploads": lambda app: [u.public() for u in app.lifecycles.uploads.values()],
    "token_requests": _token_requests,
    "request_count": _request_count,
    "reset_counters": _reset_counters,
    "stats": _stats,
    "publish": lambda app, topic, body: app.channels.publish(topic, body),
    "close_socket": lambda app, channel_id, notice=True, delay=None: app.channels.close_socket(
        channel_id, notice, delay),
    "expire_channel": lambda app, channel_id: app.channels.expire(channel_id),
    "channels": _channels,
    "reset": lambda app: app.reset(),
    # Reached only with the control secret (or in-process), so the client secret may be in it.
    "info": lambda app: {"admin_user_id": app.admin_user_id, "client_id": app.settings.client_id,
                         "client_secret": app.settings.client_secret},
}


async def run_admin(app: EmulatorApp, name: str, kwargs: dict[str, Any]) -> Any:
    func = ADMIN.get(name)
    if func is None:
        raise KeyError(f"unknown admin call {name!r}")
    return func(app, **kwargs)
