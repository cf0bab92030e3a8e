"""API host: generic CRUD, listings, validation, errors, users, presence, queues, groups."""
from __future__ import annotations

import http.client
import re
from urllib.parse import urlsplit

import pytest


def test_user_lifecycle_with_versions(api):
    created = api.post("/api/v2/users", json={"name": "Ada", "email": "ada@example.com", "password": "s3cret"})
    assert created.status_code == 200, created.text
    user = created.json()
    assert user["version"] == 1 and user["state"] == "active" and "password" not in user
    assert user["selfUri"] == f"/api/v2/users/{user['id']}"
    path = f"/api/v2/users/{user['id']}"
    updated = api.patch(path, json={"title": "Engineer", "version": 1})
    assert updated.status_code == 200 and updated.json()["version"] == 2 and updated.json()["title"] == "Engineer"
    stale = api.patch(path, json={"title": "Boss", "version": 1})
    assert stale.status_code == 409 and stale.json()["status"] == 409
    no_version = api.patch(path, json={"title": "Boss"})
    assert no_version.status_code == 400
    assert api.get(path).json()["title"] == "Engineer"
    assert api.delete(path).status_code == 200
    gone = api.get(path)
    assert gone.status_code == 404
    body = gone.json()
    assert set(body) >= {"message", "code", "status", "contextId", "details", "errors"}
    assert body["code"] == "not.found" and body["contextId"] == gone.headers["ININ-Correlation-Id"]


def test_create_user_requires_name_and_email(api):
    resp = api.post("/api/v2/users", json={"name": "No Mail"})
    assert resp.status_code == 400 and "email" in resp.json()["message"]
    api.post("/api/v2/users", json={"name": "A", "email": "dup@example.com"})
    assert api.post("/api/v2/users", json={"name": "B", "email": "dup@example.com"}).status_code == 409


def test_user_expand_only_when_asked(api, emulator):
    user = emulator.add_user("Expandable")
    plain = api.get(f"/api/v2/users/{user['id']}").json()
    assert "presence" not in plain and "routingStatus" not in plain
    full = api.get(f"/api/v2/users/{user['id']}", params={"expand": "presence,routingStatus,skills"}).json()
    assert full["presence"]["presenceDefinition"]["systemPresence"] == "Offline"
    assert full["routingStatus"]["status"] == "OFF_QUEUE" and full["skills"] == []


def test_users_me_needs_user_context(api, user_api, emulator):
    resp = api.get("/api/v2/users/me")
    assert resp.status_code == 400 and "user context" in resp.json()["message"]
    me = user_api.get("/api/v2/users/me", params={"expand": "presence"})
    assert me.status_code == 200 and me.json()["id"] == emulator.admin_user_id and "presence" in me.json()


def test_presence_patch_and_get(api, emulator):
    user = emulator.add_user("Present")
    definitions = api.get("/api/v2/presencedefinitions").json()["entities"]
    available = next(d for d in definitions if d["systemPresence"] == "Available")
    path = f"/api/v2/users/{user['id']}/presences/purecloud"
    resp = api.patch(path, json={"presenceDefinition": {"id": available["id"]}, "message": "hi"})
    assert resp.status_code == 200 and resp.json()["presenceDefinition"]["systemPresence"] == "Available"
    assert api.get(path).json()["message"] == "hi"
    bad = api.patch(path, json={"presenceDefinition": {"id": "not-a-presence"}})
    assert bad.status_code == 400


def test_user_listing_pages_through_every_user(api, emulator):
    first = api.get("/api/v2/users", params={"pageSize": 7}).json()
    total = first["total"]
    assert total == 31  # 30 seeded users plus the admin
    assert first["pageCount"] == 5 and first["pageNumber"] == 1 and "previousUri" not in first
    seen = [u["id"] for u in first["entities"]]
    page = first
    while "nextUri" in page:
        page = api.get(page["nextUri"]).json()
        seen.extend(u["id"] for u in page["entities"])
    assert len(seen) == len(set(seen)) == total
    assert page["pageNumber"] == page["pageCount"] and page["selfUri"] == page["lastUri"]
    subset = api.get("/api/v2/users", params=[("id", seen[0]), ("id", seen[1])]).json()
    assert {u["id"] for u in subset["entities"]} == {seen[0], seen[1]}


def test_queue_crud_with_version_conflict(api):
    queue = api.post("/api/v2/routing/queues", json={"name": "Support"}).json()
    assert queue["memberCount"] == 0 and queue["version"] == 1 if "version" in queue else True
    path = f"/api/v2/routing/queues/{queue['id']}"
    assert api.get(path).json()["name"] == "Support"
    renamed = api.put(path, json={"name": "Support 2"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Support 2"
    listed = api.get("/api/v2/routing/queues", params={"name": "Support*"}).json()
    assert [q["id"] for q in listed["entities"]] == [queue["id"]]
    assert api.get(f"{path}/members").status_code == 200
    assert api.get("/api/v2/routing/queues/unknown/members").status_code == 404
    assert api.delete(path).status_code in (200, 204)
    assert api.get(path).status_code == 404
    assert api.post("/api/v2/routing/queues", json={"description": "nameless"}).status_code == 400


def test_group_defaults_and_generic_version_check(api):
    group = api.post("/api/v2/groups", json={"name": "Team", "type": "official", "visibility": "public"}).json()
    assert group["state"] == "active" and group["version"] == 1
    path = f"/api/v2/groups/{group['id']}"
    ok = api.put(path, json={"name": "Team A", "type": "official", "visibility": "public", "version": 1})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api.put(path, json={"name": "Team B", "type": "official", "visibility": "public", "version": 1})
    assert stale.status_code == 409


@pytest.mark.parametrize(("method", "path", "kwargs", "needle"), [
    ("POST", "/api/v2/users", {"json": ["not", "an", "object"]}, "object"),
    ("POST", "/api/v2/users", {"data": "{broken", "headers": {"Content-Type": "application/json"}}, "JSON"),
    ("POST", "/api/v2/users", {}, "required"),
    ("POST", "/api/v2/users", {"json": {"name": 5, "email": "x@example.com"}}, "body.name"),
    ("POST", "/api/v2/users", {"json": {"name": "n", "email": "e@example.com", "state": "bogus"}}, "state"),
    ("GET", "/api/v2/users", {"params": {"pageSize": "lots"}}, "pageSize"),
    ("GET", "/api/v2/users//profile", {}, "userId"),
])
def test_request_validation_gives_400(api, method, path, kwargs, needle):
    resp = api.request(method, path, **kwargs)
    assert resp.status_code == 400, resp.text
    assert needle in resp.json()["message"]


def test_unknown_path_and_method(api):
    assert api.get("/api/v2/nothing/here").status_code == 404
    resp = api.request("PUT", "/api/v2/users")
    assert resp.status_code == 405 and "GET" in resp.headers["Allow"]


def test_correlation_id_is_echoed(api):
    resp = api.get("/api/v2/users", headers={"ININ-Correlation-Id": "abc-123"})
    assert resp.headers["ININ-Correlation-Id"] == "abc-123"


def test_cursor_listing(api, emulator):
    # Any operation whose listing model is cursor based works the same way; pick one from the spec.
    path = "/api/v2/externalcontacts/contacts/schemas"
    resp = api.get(path)
    assert resp.status_code == 200
    from PureCloudPlatformClientV2.emulator._spec import load_spec
    from PureCloudPlatformClientV2.emulator.server import EmulatorApp, EmulatorSettings
    app = EmulatorApp(EmulatorSettings(), load_spec())
    cursor_ops = [op for op in app.operations
                  if app.plans[op.name].paging == "cursor" and "cursor" in app.plans[op.name].cursor_fields
                  and "{" not in op.path and not any(p.get("required") for p in op.query_params)]
    op = cursor_ops[0]
    emulator.seed(op.path, [{"id": f"item-{i}", "name": f"n{i}"} for i in range(12)])
    seen, params = [], {"pageSize": 5}
    while True:
        page = api.get(op.path, params=params).json()
        seen.extend(e["id"] for e in page["entities"])
        if not page.get("cursor"):
            break
        params = {"pageSize": 5, app.plans[op.name].cursor_param: page["cursor"]}
    assert seen == [f"item-{i}" for i in range(12)]


def test_every_operation_answers_without_server_error(api, emulator):
    """All ~3,500 operation paths route and answer (2xx/4xx), with a correlation id."""
    from PureCloudPlatformClientV2.emulator._spec import load_spec
    parts = urlsplit(emulator.base_url)
    # http.client on one kept-alive connection: requests' per-call overhead would triple the run time.
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Authorization": api.session.headers["Authorization"]}
    failures = []
    for group in load_spec()["apis"]:
        for op in group["operations"]:
            path = re.sub(r"\{[^}]+\}", "x1", op["path"])
            conn.request(op["method"], path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            if resp.status >= 500 or not resp.getheader("ININ-Correlation-Id"):
                failures.append((op["name"], resp.status))
    conn.close()
    assert not failures


def test_keep_alive_reuses_one_connection(emulator, api):
    token = api.session.headers["Authorization"]
    parts = urlsplit(emulator.base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "/api/v2/users", headers={"Authorization": token})
    first = conn.getresponse()
    first.read()
    sock = conn.sock
    for _ in range(3):
        conn.request("GET", "/api/v2/users", headers={"Authorization": token})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 200
    assert conn.sock is sock and first.headers.get("Connection", "").lower() != "close"
    conn.close()
