"""Clients registered with roles/permissions get the platform's 403 shape for what they lack;
default clients keep full access."""
from __future__ import annotations

import requests

from .emulator_helpers import Api


def _token(emu, client) -> str:
    resp = requests.post(emu.login_url + "/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(client["client_id"], client["client_secret"]), timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def test_missing_permission_is_403_in_platform_shape(api, emulator):
    emulator.require_permissions("get_routing_queues", ["routing:queue:view"])
    emulator.require_permissions("post_routing_queues", ["routing:queue:add", "routing:queue:edit"], match="all")
    viewer = Api(emulator, _token(emulator, emulator.register_client(permissions=["routing:queue:view"])))
    nobody = Api(emulator, _token(emulator, emulator.register_client(permissions=[])))
    assert viewer.get("/api/v2/routing/queues").status_code == 200
    denied = nobody.get("/api/v2/routing/queues")
    assert denied.status_code == 403
    body = denied.json()
    assert body["code"] == "missing.any.permissions" and body["status"] == 403 and body["contextId"]
    assert "routing:queue:view" in body["message"] and body["messageParams"]["permissions"] == "routing:queue:view"
    created = viewer.post("/api/v2/routing/queues", json={"name": "nope"})
    assert created.status_code == 403 and created.json()["code"] == "missing.permissions"
    assert "routing:queue:add, routing:queue:edit" in created.json()["message"]
    # Operations without a requirement stay open; the default client keeps full access.
    assert nobody.get("/api/v2/users").status_code == 200
    assert api.post("/api/v2/routing/queues", json={"name": "default client"}).status_code == 200


def test_wildcards_and_roles(api, emulator):
    emulator.require_permissions("get_routing_queues", ["routing:queue:view"])
    emulator.require_permissions("get_routing_skills", ["routing:skill:manage"])
    wild = Api(emulator, _token(emulator, emulator.register_client(permissions=["routing:*:view"])))
    assert wild.get("/api/v2/routing/queues").status_code == 200
    assert wild.get("/api/v2/routing/skills").status_code == 403
    role = api.post("/api/v2/authorization/roles", json={"name": "Skill managers",
                                                         "permissions": ["routing:skill:*"]})
    assert role.status_code == 200, role.text
    by_role = Api(emulator, _token(emulator, emulator.register_client(roles=["Skill managers"])))
    assert by_role.get("/api/v2/routing/skills").status_code == 200
    assert by_role.get("/api/v2/routing/queues").status_code == 403


def test_requirements_from_the_operation_record(emulator):
    # When the API definition carries permissions for an operation, they are what is checked.
    op = next(o for o in emulator._app.operations if o.name == "get_routing_wrapupcodes")
    saved = dict(op.raw)
    op.raw["permissions"], op.raw["permissionsMatch"] = ["routing:wrapupCode:view"], "any"
    try:
        limited = Api(emulator, _token(emulator, emulator.register_client(permissions=["routing:queue:view"])))
        assert limited.get("/api/v2/routing/wrapupcodes").status_code == 403
        ok = Api(emulator, _token(emulator, emulator.register_client(permissions=["routing:wrapupCode:view"])))
        assert ok.get("/api/v2/routing/wrapupcodes").status_code == 200
    finally:
        op.raw.clear()
        op.raw.update(saved)
