"""Users and permissions, less common paths: control-call argument checks, roles that do not
exist, expands that have no value, updates without an email, presence refusals."""
from __future__ import annotations

import pytest
import requests

from .emulator_helpers import Api


def _token(emu, client) -> str:
    resp = requests.post(emu.login_url + "/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(client["client_id"], client["client_secret"]), timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def test_require_permissions_checks_its_arguments(emulator):
    with pytest.raises(ValueError, match="unknown operation"):
        emulator.require_permissions("get_no_such_thing", ["a:b:c"])
    with pytest.raises(ValueError, match="match must be"):
        emulator.require_permissions("get_routing_queues", ["routing:queue:view"], match="most")


def test_role_that_does_not_exist_grants_nothing(emulator):
    emulator.require_permissions("get_routing_queues", ["routing:queue:view"])
    ghost = Api(emulator, _token(emulator, emulator.register_client(roles=["No Such Role"])))
    denied = ghost.get("/api/v2/routing/queues")
    assert denied.status_code == 403 and denied.json()["code"] == "missing.any.permissions"


def test_expand_without_a_value_and_listing_expand(api, emulator):
    uid = emulator.admin_user_id
    user = api.get(f"/api/v2/users/{uid}", params={"expand": "integrationPresence,presence"}).json()
    assert "integrationPresence" not in user and user["presence"]["presenceDefinition"]["systemPresence"]
    listing = api.get("/api/v2/users", params={"expand": "routingStatus", "pageSize": 100}).json()
    assert listing["entities"] and all(u["routingStatus"]["status"] for u in listing["entities"])


def test_patch_user_without_email_keeps_the_username(api, emulator):
    created = emulator.add_user("Kept Name", "kept@example.com")
    before = api.get(f"/api/v2/users/{created['id']}").json()
    patched = api.patch(f"/api/v2/users/{created['id']}", json={"title": "Lead", "version": before["version"]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["title"] == "Lead" and patched.json()["username"] == before["username"]
    renamed = api.patch(f"/api/v2/users/{created['id']}",
                        json={"email": "new@example.com", "version": patched.json()["version"]})
    assert renamed.json()["username"] == "new@example.com"


def test_presence_refusals(api, emulator):
    uid = emulator.admin_user_id
    path = f"/api/v2/users/{uid}/presences/purecloud"
    unknown = api.patch(path, json={"presenceDefinition": {"id": "no-such-definition"}})
    assert unknown.status_code == 400 and "no-such-definition" in unknown.json()["message"]
    missing = api.patch(path, json={"message": "no definition"})
    assert missing.status_code == 400 and missing.json()["details"][0]["fieldName"] == "presenceDefinition.id"
