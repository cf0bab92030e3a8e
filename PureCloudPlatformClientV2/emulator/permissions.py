"""Permission checks for clients registered with roles or permissions.

An operation's required permissions come from its record in the API definition
(``"permissions": [...]``, ``"permissionsMatch": "any" | "all"``) or from
``Emulator.require_permissions`` (tests, or definitions without them). Clients registered
without ``permissions``/``roles`` (the default client included) have full access, so the check
costs nothing for them. Held permissions use the platform's ``domain:entity:action`` form with
``*`` wildcards per part; a role is an entity of ``/api/v2/authorization/roles`` (by id or name)
whose ``permissions`` list is added to the client's.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ApiError

if TYPE_CHECKING:
    from ._spec import Operation
    from .oauth import OAuthClient
    from .server import EmulatorApp

ROLES = "/api/v2/authorization/roles"


def required(app: EmulatorApp, op: Operation) -> tuple[tuple[str, ...], str] | None:
    """(permissions, "any"|"all") an operation needs, or None."""
    override = app.required_permissions.get(op.name)
    if override is not None:
        return override
    perms = op.raw.get("permissions")
    if not perms:
        return None
    return tuple(perms), str(op.raw.get("permissionsMatch") or "any").lower()


def held(app: EmulatorApp, client: OAuthClient) -> set[str]:
    out = set(client.permissions or ())
    for role_ref in client.roles:
        role = app.store.get(ROLES, role_ref) or next(
            (r for r in app.store.collection(ROLES).values() if r.get("name") == role_ref), None)
        if role is not None:
            out.update(p for p in role.get("permissions") or () if isinstance(p, str))
    return out


def grants(have: set[str], need: str) -> bool:
    if need in have:
        return True
    parts = need.split(":")
    for perm in have:
        mine = perm.split(":")
        if len(mine) == len(parts) and all(m in ("*", p) for m, p in zip(mine, parts, strict=True)):
            return True
    return False


def check(app: EmulatorApp, op: Operation, client_id: str) -> None:
    """Raise the platform's 403 when a restricted client lacks what ``op`` needs."""
    client = app.oauth.clients.get(client_id)
    if client is None or not client.restricted:
        return
    need = required(app, op)
    if need is None:
        return
    perms, match = need
    have = held(app, client)
    missing = [p for p in perms if not grants(have, p)]
    if not missing or (match == "any" and len(missing) < len(perms)):
        return
    listed = ", ".join(missing)
    raise ApiError(403, "missing.any.permissions" if match == "any" else "missing.permissions",
                   f"You are missing the following permission(s): [{listed}]",
                   extra={"messageWithParams": "You are missing the following permission(s): {permissions}",
                          "messageParams": {"permissions": listed}})


def set_required(app: EmulatorApp, operation: str, permissions: list[str], match: str = "any") -> dict[str, Any]:
    if not any(op.name == operation for op in app.operations):
        raise ValueError(f"unknown operation {operation!r}")
    if match not in ("any", "all"):
        raise ValueError("match must be 'any' or 'all'")
    app.required_permissions[operation] = (tuple(permissions), match)
    return {"operation": operation, "permissions": list(permissions), "match": match}
