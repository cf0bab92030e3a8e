"""Stored state over HTTP: collections by short name, list/scalar bodies, sub-resources and expand,
server-set fields, versions, enum case."""
from __future__ import annotations

import pytest


def test_short_collection_names(api, emulator):
    created = api.post("/api/v2/routing/queues", json={"name": "Short Names"}).json()
    assert [q["id"] for q in emulator.entities("queues")] == [created["id"]]
    assert emulator.entities("routing/queues") == emulator.entities("/api/v2/routing/queues")
    assert len(emulator.entities("users")) == 31  # 30 seeded + admin
    assert emulator.get_entity("queues", created["id"])["name"] == "Short Names"
    with pytest.raises(ValueError, match="unknown collection 'quesues'"):
        emulator.entities("quesues")
    with pytest.raises(ValueError, match="ambiguous"):
        emulator.entities("jobs")
    with pytest.raises(ValueError, match="unknown collection"):
        emulator.entities("/api/v2/no/such/thing")
    seeded = emulator.seed("skills", [{"name": "Seeded skill"}])
    assert api.get(f"/api/v2/routing/skills/{seeded[0]['id']}").json()["name"] == "Seeded skill"


def test_list_body_stored_and_shown_through_expand(api, emulator):
    uid = emulator.admin_user_id
    put = api.put(f"/api/v2/users/{uid}/profileskills", json=["Testmaster", "Python"])
    assert put.status_code == 200 and put.json() == ["Testmaster", "Python"]
    assert api.get(f"/api/v2/users/{uid}/profileskills").json() == ["Testmaster", "Python"]
    user = api.get(f"/api/v2/users/{uid}", params={"expand": "profileSkills"}).json()
    assert user["profileSkills"] == ["Testmaster", "Python"]
    assert "profileSkills" not in api.get(f"/api/v2/users/{uid}").json()


def test_user_routing_skills_reference_and_bulk(api, emulator):
    uid = emulator.admin_user_id
    skill = api.post("/api/v2/routing/skills", json={"name": "Billing"}).json()
    other = api.post("/api/v2/routing/skills", json={"name": "Sales"}).json()
    added = api.post(f"/api/v2/users/{uid}/routingskills", json={"id": skill["id"], "proficiency": 3})
    assert added.status_code == 200, added.text
    assert added.json()["id"] == skill["id"] and added.json()["name"] == "Billing"
    listing = api.get(f"/api/v2/users/{uid}/routingskills").json()
    assert [(s["id"], s["proficiency"]) for s in listing["entities"]] == [(skill["id"], 3)]
    expanded = api.get(f"/api/v2/users/{uid}", params={"expand": "skills"}).json()
    assert [s["name"] for s in expanded["skills"]] == ["Billing"]
    bulk = api.put(f"/api/v2/users/{uid}/routingskills/bulk", json=[{"id": other["id"], "proficiency": 5}])
    assert bulk.status_code == 200 and [s["name"] for s in bulk.json()["entities"]] == ["Sales"]
    assert [s["id"] for s in api.get(f"/api/v2/users/{uid}/routingskills").json()["entities"]] == [other["id"]]
    assert api.delete(f"/api/v2/users/{uid}/routingskills/{other['id']}").status_code in (200, 204)
    assert api.get(f"/api/v2/users/{uid}/routingskills").json()["entities"] == []


def test_contact_list_contacts_from_a_list_body(api):
    clist = api.post("/api/v2/outbound/contactlists", json={"name": "Leads", "columnNames": ["phone"],
                                                            "phoneColumns": [{"columnName": "phone", "type": "cell"}]})
    assert clist.status_code == 200, clist.text
    cid = clist.json()["id"]
    resp = api.post(f"/api/v2/outbound/contactlists/{cid}/contacts",
                    json=[{"data": {"phone": "+15551230001"}}, {"data": {"phone": "+15551230002"}}])
    assert resp.status_code == 200, resp.text
    contacts = resp.json()
    assert len(contacts) == 2 and all(c["contactListId"] == cid and c["id"] for c in contacts)
    one = api.get(f"/api/v2/outbound/contactlists/{cid}/contacts/{contacts[1]['id']}").json()
    assert one["data"] == {"phone": "+15551230002"}


def test_data_table_rows_keyed_by_key(api):
    table = api.post("/api/v2/flows/datatables", json={"name": "Hours", "schema": {"properties": {
        "key": {"type": "string"}, "open": {"type": "boolean"}}}})
    assert table.status_code == 200, table.text
    tid = table.json()["id"]
    row = api.post(f"/api/v2/flows/datatables/{tid}/rows", json={"key": "monday", "open": True})
    assert row.status_code == 200 and row.json() == {"key": "monday", "open": True}
    assert api.post(f"/api/v2/flows/datatables/{tid}/rows", json={"key": "monday"}).status_code == 409
    assert api.get(f"/api/v2/flows/datatables/{tid}/rows/monday").json() == {"key": "monday", "open": True}
    assert api.put(f"/api/v2/flows/datatables/{tid}/rows/monday", json={"key": "monday", "open": False}
                   ).json()["open"] is False
    full = api.get(f"/api/v2/flows/datatables/{tid}/rows", params={"showbrief": "false"}).json()
    assert full["entities"] == [{"key": "monday", "open": False}]
    assert api.delete(f"/api/v2/flows/datatables/{tid}/rows/monday").status_code == 204
    assert api.get(f"/api/v2/flows/datatables/{tid}/rows/monday").status_code == 404


def test_server_set_fields_ignored_and_version_bumped(api):
    camp = api.post("/api/v2/outbound/campaigns", json={"name": "Spring", "id": "client-chosen", "dateCreated": "",
                                                        "selfUri": "/x", "dialingMode": "preview"})
    assert camp.status_code == 200, camp.text
    camp = camp.json()
    assert camp["id"] != "client-chosen" and camp["selfUri"].endswith(camp["id"])
    assert camp["version"] == 1 and camp["dateCreated"]
    # A script that echoes what it read, with the read-only audit fields blanked, as real ones do.
    echoed = {**camp, "name": "Spring v2", "dateCreated": "", "dateModified": "", "createdBy": {"id": "x"}}
    put = api.put(f"/api/v2/outbound/campaigns/{camp['id']}", json=echoed)
    assert put.status_code == 200, put.text
    body = put.json()
    assert body["version"] == 2 and body["dateCreated"] == camp["dateCreated"] and body["name"] == "Spring v2"
    assert api.put(f"/api/v2/outbound/campaigns/{camp['id']}", json=echoed).status_code == 409  # stale version
    queue = api.post("/api/v2/routing/queues", json={"name": "Q", "dateModified": "not a date"})
    assert queue.status_code == 200 and queue.json()["dateModified"] != "not a date"


def test_enum_values_checked_without_regard_to_case(api):
    ok = api.post("/api/v2/routing/queues", json={"name": "Case", "skillEvaluationMethod": "all"})
    assert ok.status_code == 200, ok.text
    bad = api.post("/api/v2/routing/queues", json={"name": "Case2", "skillEvaluationMethod": "most"})
    assert bad.status_code == 400 and "skillEvaluationMethod" in bad.json()["message"]


def test_queue_membership_through_queue_and_user(api, emulator):
    users = [u for u in emulator.entities("users") if u["id"] != emulator.admin_user_id][:3]
    queue = api.post("/api/v2/routing/queues", json={"name": "Members"}).json()
    qid = queue["id"]
    resp = api.post(f"/api/v2/routing/queues/{qid}/members", json=[{"id": u["id"]} for u in users])
    assert resp.status_code in (200, 202, 204), resp.text
    members = api.get(f"/api/v2/routing/queues/{qid}/members").json()
    assert sorted(m["id"] for m in members["entities"]) == sorted(u["id"] for u in users)
    assert api.get(f"/api/v2/routing/queues/{qid}").json()["memberCount"] == 3
    mine = api.get(f"/api/v2/users/{users[0]['id']}/queues").json()
    assert [(q["id"], q["joined"]) for q in mine["entities"]] == [(qid, True)]
    patched = api.patch(f"/api/v2/users/{users[0]['id']}/queues", json=[{"id": qid, "joined": False}])
    assert patched.status_code == 200 and patched.json()["entities"][0]["joined"] is False
    assert api.get(f"/api/v2/routing/queues/{qid}").json()["joinedMemberCount"] == 2
    joined = api.get(f"/api/v2/routing/queues/{qid}/members", params={"joined": "true"}).json()
    assert len(joined["entities"]) == 2
    bulk = api.patch(f"/api/v2/routing/queues/{qid}/members", json=[{"id": users[0]["id"], "joined": True}])
    assert bulk.status_code == 200 and api.get(f"/api/v2/routing/queues/{qid}").json()["joinedMemberCount"] == 3
    api.patch(f"/api/v2/routing/queues/{qid}/members/{users[0]['id']}", json={"joined": False})
    assert api.get(f"/api/v2/routing/queues/{qid}").json()["joinedMemberCount"] == 2
    api.post(f"/api/v2/routing/queues/{qid}/members", params={"delete": "true"}, json=[{"id": users[1]["id"]}])
    assert api.get(f"/api/v2/routing/queues/{qid}").json()["memberCount"] == 2
    assert api.get(f"/api/v2/users/{users[1]['id']}/queues").json()["entities"] == []


def test_queue_wrapup_codes_by_reference(api):
    code = api.post("/api/v2/routing/wrapupcodes", json={"name": "Resolved"}).json()
    queue = api.post("/api/v2/routing/queues", json={"name": "Wrapups"}).json()
    resp = api.post(f"/api/v2/routing/queues/{queue['id']}/wrapupcodes", json=[{"id": code["id"]}])
    assert resp.status_code == 200, resp.text
    assert [(c["id"], c["name"]) for c in resp.json()] == [(code["id"], "Resolved")]
    listing = api.get(f"/api/v2/routing/queues/{queue['id']}/wrapupcodes").json()
    assert [c["name"] for c in listing["entities"]] == ["Resolved"]


def test_group_members(api, emulator):
    users = [u for u in emulator.entities("users") if u["id"] != emulator.admin_user_id][:2]
    group = api.post("/api/v2/groups", json={"name": "Team", "type": "official"}).json()
    resp = api.post(f"/api/v2/groups/{group['id']}/members",
                    json={"memberIds": [u["id"] for u in users], "version": group["version"]})
    assert resp.status_code in (200, 202), resp.text
    members = api.get(f"/api/v2/groups/{group['id']}/members").json()
    assert sorted(m["id"] for m in members["entities"]) == sorted(u["id"] for u in users)
    after = api.get(f"/api/v2/groups/{group['id']}").json()
    assert after["memberCount"] == 2 and after["version"] == group["version"] + 1
    stale = api.post(f"/api/v2/groups/{group['id']}/members", json={"memberIds": [users[0]["id"]], "version": 1})
    assert stale.status_code == 409
    api.delete(f"/api/v2/groups/{group['id']}/members", params={"ids": users[0]["id"]})
    assert [m["id"] for m in api.get(f"/api/v2/groups/{group['id']}/members").json()["entities"]] == [users[1]["id"]]


def test_user_station_association_readable_directly_and_by_expand(api, emulator):
    uid = emulator.admin_user_id
    station = emulator.seed("/api/v2/stations", [{"name": "Desk 7", "type": "inin_webrtc_softphone"}])[0]
    assert api.put(f"/api/v2/users/{uid}/station/associatedstation/{station['id']}").status_code in (200, 202, 204)
    got = api.get(f"/api/v2/users/{uid}/station").json()
    assert got["associatedStation"]["id"] == station["id"] and got["associatedStation"]["name"] == "Desk 7"
    assert got["effectiveStation"]["id"] == station["id"]
    expanded = api.get(f"/api/v2/users/{uid}", params={"expand": "station"}).json()
    assert expanded["station"]["associatedStation"]["id"] == station["id"]
    api.delete(f"/api/v2/users/{uid}/station/associatedstation")
    assert "associatedStation" not in api.get(f"/api/v2/users/{uid}/station").json()


def test_every_operation_with_a_body_of_its_shape_answers_without_server_error(api, emulator):
    """List, object and scalar bodies through every operation that takes one: 2xx/4xx, never 5xx."""
    import http.client
    import json
    import re
    from urllib.parse import urlsplit

    from PureCloudPlatformClientV2.emulator._spec import load_spec
    parts = urlsplit(emulator.base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Authorization": api.session.headers["Authorization"], "Content-Type": "application/json"}
    failures = []
    for group in load_spec()["apis"]:
        for op in group["operations"]:
            body = next((p for p in op["params"] if p["in"] == "body"), None)
            if body is None:
                continue
            kind = body["type"]
            sample = (["x1"] if kind == "list[str]" else [{"id": "x1", "name": "n"}]) if kind.startswith("list[") \
                else ("text" if kind == "str" else {"id": "x1", "name": "n", "dateCreated": ""})
            conn.request(op["method"], re.sub(r"\{[^}]+\}", "x1", op["path"]), body=json.dumps(sample),
                         headers=headers)
            resp = conn.getresponse()
            resp.read()
            if resp.status >= 500:
                failures.append((op["name"], resp.status))
    conn.close()
    assert not failures
