"""Stored state over HTTP, the less common paths: membership errors and filters, groups without
versions, data table briefs, default stations, lists that name an element twice."""
from __future__ import annotations


def _two_users(emulator):
    return [u for u in emulator.entities("users") if u["id"] != emulator.admin_user_id][:2]


def test_queue_membership_refusals(api, emulator):
    user = _two_users(emulator)[0]
    qid = api.post("/api/v2/routing/queues", json={"name": "Refusals"}).json()["id"]
    members = f"/api/v2/routing/queues/{qid}/members"
    not_list = api.post(members, json={"id": user["id"]})
    assert not_list.status_code == 400 and not_list.json()["code"] == "bad.request"
    no_id = api.post(members, json=[{"name": user["name"]}])
    assert no_id.status_code == 400 and no_id.json()["details"][0]["fieldName"] == "id"
    unknown = api.post(members, json=[{"id": "no-such-user"}])
    assert unknown.status_code == 404 and unknown.json()["entityId"] == "no-such-user"
    assert api.get(f"/api/v2/routing/queues/{qid}").json()["memberCount"] == 0
    assert api.post("/api/v2/routing/queues/no-such-queue/members", json=[{"id": user["id"]}]).status_code == 404
    # Not a member: joining through the queue's member path is a 404.
    assert api.patch(f"{members}/{user['id']}", json={"joined": True}).status_code == 404
    assert api.patch(members, json={"id": user["id"]}).status_code == 400


def test_queue_members_expand_and_join_edge_cases(api, emulator):
    users = _two_users(emulator)
    qid = api.post("/api/v2/routing/queues", json={"name": "Expand"}).json()["id"]
    members = f"/api/v2/routing/queues/{qid}/members"
    assert api.post(members, json=[{"id": u["id"]} for u in users]).status_code == 204
    listing = api.get(members, params={"expand": "routingStatus,presence"}).json()["entities"]
    assert len(listing) == 2
    for member in listing:
        assert member["routingStatus"] == {"userId": member["id"], "status": "OFF_QUEUE",
                                           "startTime": member["routingStatus"]["startTime"]}
        assert "presence" not in member  # QueueMember has no presence field: the projection drops it
    plain = api.get(members).json()["entities"]
    assert all("routingStatus" not in m and "presence" not in m for m in plain)
    # A body without "joined" changes nothing ("no" is refused by the schema).
    assert api.patch(f"{members}/{users[0]['id']}", json={"joined": "no"}).status_code == 400
    assert api.patch(f"{members}/{users[0]['id']}", json={"ringNumber": 2}).status_code == 204
    assert api.get(f"/api/v2/routing/queues/{qid}").json()["joinedMemberCount"] == 2
    assert api.patch(members, json=["junk"]).status_code == 400  # elements are QueueMember objects
    bulk = api.patch(members, json=[{"id": users[0]["id"], "joined": False}])
    assert bulk.status_code == 200 and bulk.json()["total"] == 2
    assert api.get(f"/api/v2/routing/queues/{qid}").json()["joinedMemberCount"] == 1
    # Through the user: a filter on joined, one queue by id, an unknown user.
    mine = f"/api/v2/users/{users[0]['id']}/queues"
    assert api.get(mine, params={"joined": "false"}).json()["entities"][0]["id"] == qid
    assert api.get(mine, params={"joined": "true"}).json()["entities"] == []
    one = api.patch(f"{mine}/{qid}", json={"joined": True})
    assert one.status_code == 200 and one.json()["joined"] is True
    assert api.get("/api/v2/users/no-such-user/queues").status_code == 404


def test_group_members_unknown_user_and_group_without_version(api, emulator):
    user = _two_users(emulator)[0]
    group = api.post("/api/v2/groups", json={"name": "Versioned", "type": "official"}).json()
    unknown = api.post(f"/api/v2/groups/{group['id']}/members", json={"memberIds": ["no-such-user"]})
    assert unknown.status_code == 404
    assert api.post("/api/v2/groups/no-such-group/members", json={"memberIds": [user["id"]]}).status_code == 404
    bare = emulator.seed("/api/v2/groups", [{"id": "bare-group", "name": "Bare", "type": "official"}])[0]
    assert "version" not in bare
    resp = api.post("/api/v2/groups/bare-group/members", json={"memberIds": [user["id"]], "version": 7})
    assert resp.status_code == 202
    stored = emulator.get_entity("groups", "bare-group")
    assert stored["memberCount"] == 1 and "version" not in stored


def test_data_table_rows_brief_by_default_and_key_required(api):
    tid = api.post("/api/v2/flows/datatables", json={"name": "Brief", "schema": {"properties": {
        "key": {"type": "string"}, "open": {"type": "boolean"}}}}).json()["id"]
    rows = f"/api/v2/flows/datatables/{tid}/rows"
    assert api.post(rows, json={"open": True}).status_code == 400
    assert api.post(rows, json={"key": "", "open": True}).status_code == 400
    assert api.post(rows, json={"key": "tuesday", "open": True}).status_code == 200
    assert api.get(rows).json()["entities"] == [{"key": "tuesday"}]
    assert api.get(f"{rows}/wednesday").status_code == 404


def test_default_station_becomes_effective_when_the_associated_one_goes(api, emulator):
    uid = emulator.admin_user_id
    desk, phone = emulator.seed("/api/v2/stations", [{"name": "Desk", "type": "inin_webrtc_softphone"},
                                                    {"name": "Phone", "type": "inin_remote"}])
    base = f"/api/v2/users/{uid}/station"
    assert api.put(f"{base}/defaultstation/{desk['id']}").status_code in (200, 202, 204)
    got = api.get(base).json()
    assert got["defaultStation"]["id"] == desk["id"] and got["effectiveStation"]["id"] == desk["id"]
    api.put(f"{base}/associatedstation/{phone['id']}")
    assert api.get(base).json()["effectiveStation"]["id"] == phone["id"]
    api.delete(f"{base}/associatedstation")
    got = api.get(base).json()
    assert "associatedStation" not in got and got["effectiveStation"]["id"] == desk["id"]
    # Removing the default while another station is effective keeps the effective one.
    api.put(f"{base}/associatedstation/{phone['id']}")
    api.delete(f"{base}/defaultstation")
    got = api.get(base).json()
    assert "defaultStation" not in got and got["effectiveStation"]["id"] == phone["id"]
    assert api.put(f"/api/v2/users/no-such-user/station/defaultstation/{desk['id']}").status_code == 404


def test_list_bodies_naming_an_element_again_update_it(api, emulator):
    uid = emulator.admin_user_id
    skill = api.post("/api/v2/routing/skills", json={"name": "Twice"}).json()
    bulk = api.put(f"/api/v2/users/{uid}/routingskills/bulk",
                   json=[{"id": skill["id"], "proficiency": 1}, {"id": skill["id"], "proficiency": 4}])
    assert bulk.status_code == 200
    assert [(s["id"], s["proficiency"]) for s in bulk.json()["entities"]] == [(skill["id"], 4)]
    code = api.post("/api/v2/routing/wrapupcodes", json={"name": "Again"}).json()
    qid = api.post("/api/v2/routing/queues", json={"name": "Wrapups twice"}).json()["id"]
    first = api.post(f"/api/v2/routing/queues/{qid}/wrapupcodes", json=[{"id": code["id"]}])
    second = api.post(f"/api/v2/routing/queues/{qid}/wrapupcodes", json=[{"name": "Again"}])
    assert first.status_code == second.status_code == 200
    assert second.json()[0]["id"] == code["id"]  # named by name, resolved to the same code
    listing = api.get(f"/api/v2/routing/queues/{qid}/wrapupcodes").json()
    assert [c["id"] for c in listing["entities"]] == [code["id"]]


def test_expand_of_several_stored_sub_resources(api, emulator):
    uid = emulator.admin_user_id
    api.put(f"/api/v2/users/{uid}/profileskills", json=["One"])
    skill = api.post("/api/v2/routing/skills", json={"name": "Expandable"}).json()
    api.post(f"/api/v2/users/{uid}/routingskills", json={"id": skill["id"], "proficiency": 2})
    user = api.get(f"/api/v2/users/{uid}", params={"expand": "profileSkills,skills"}).json()
    assert user["profileSkills"] == ["One"] and [s["name"] for s in user["skills"]] == ["Expandable"]
