"""Analytics computed from emulator state: queue observations from members, presence and routing
status; conversation details and aggregates from conversations created in the emulator."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

ON_QUEUE = {"presenceDefinition": {"systemPresence": "On Queue"}}


def _metric(result, metric, qualifier=None):
    return sum(d["stats"]["count"] for d in result["data"]
               if d["metric"] == metric and (qualifier is None or d.get("qualifier") == qualifier))


def _interval(hours: int = 1) -> str:
    now = datetime.now(timezone.utc)
    fmt = "%Y-%m-%dT%H:%M:%S.000Z"
    return f"{(now - timedelta(hours=hours)).strftime(fmt)}/{(now + timedelta(hours=hours)).strftime(fmt)}"


def test_queue_observations_from_members_presence_and_routing_status(api, emulator):
    users = [u for u in emulator.entities("users") if u["id"] != emulator.admin_user_id][:4]
    q1 = api.post("/api/v2/routing/queues", json={"name": "Obs 1"}).json()["id"]
    q2 = api.post("/api/v2/routing/queues", json={"name": "Obs 2"}).json()["id"]
    api.post(f"/api/v2/routing/queues/{q1}/members", json=[{"id": u["id"]} for u in users[:3]])
    api.post(f"/api/v2/routing/queues/{q2}/members", json=[{"id": users[3]["id"]}])
    api.patch(f"/api/v2/users/{users[0]['id']}/queues/{q1}", json={"joined": False})
    for u in users[1:3]:  # on queue: the platform makes them IDLE
        assert api.patch(f"/api/v2/users/{u['id']}/presences/purecloud", json=ON_QUEUE).status_code == 200
    api.put(f"/api/v2/users/{users[2]['id']}/routingstatus", json={"status": "INTERACTING"})
    query = {"filter": {"type": "OR", "predicates": [{"dimension": "queueId", "value": q1},
                                                     {"dimension": "queueId", "value": q2}]},
             "metrics": ["oMemberUsers", "oActiveUsers", "oOnQueueUsers", "oOffQueueUsers", "oUserRoutingStatuses",
                         "oWaiting"]}
    resp = api.post("/api/v2/analytics/queues/observations/query", json=query)
    assert resp.status_code == 200, resp.text
    results = {r["group"]["queueId"]: r for r in resp.json()["results"]}
    assert list(results) == [q1, q2]
    r1 = results[q1]
    assert _metric(r1, "oMemberUsers") == 3 and _metric(r1, "oActiveUsers") == 2
    assert _metric(r1, "oOnQueueUsers", "IDLE") == 1 and _metric(r1, "oOnQueueUsers", "INTERACTING") == 1
    assert _metric(r1, "oOffQueueUsers") == 0 and _metric(r1, "oWaiting") == 0
    r2 = results[q2]
    assert _metric(r2, "oMemberUsers") == 1 and _metric(r2, "oOnQueueUsers") == 0
    assert _metric(r2, "oOffQueueUsers") == 1 and _metric(r2, "oUserRoutingStatuses", "OFF_QUEUE") == 1
    # A callback waiting in the queue (no IDLE agent in q2) shows as oWaiting.
    api.post("/api/v2/conversations/callbacks", json={"queueId": q2, "callbackNumbers": ["+15550001"]})
    made = api.post("/api/v2/conversations/callbacks", json={"queueId": q2, "callbackNumbers": ["+15550002"]})
    again = api.post("/api/v2/analytics/queues/observations/query", json=query).json()
    assert _metric(next(r for r in again["results"] if r["group"]["queueId"] == q2), "oWaiting") == 2
    # Disconnecting one ends it: no longer waiting, and its details show the end.
    cid = made.json()["conversation"]["id"]
    ended = api.patch(f"/api/v2/conversations/callbacks/{cid}", json={"state": "disconnected"})
    assert ended.status_code == 200 and ended.json()["endTime"]
    after = api.post("/api/v2/analytics/queues/observations/query", json=query).json()
    assert _metric(next(r for r in after["results"] if r["group"]["queueId"] == q2), "oWaiting") == 1
    assert api.get(f"/api/v2/analytics/conversations/{cid}/details").json()["conversationEnd"]
    bad = api.post("/api/v2/analytics/queues/observations/query", json={"filter": {"type": "or", "predicates": []}})
    assert bad.status_code == 400


def test_conversation_details_and_aggregates_from_emulator_conversations(api, emulator):
    qa = api.post("/api/v2/routing/queues", json={"name": "Details A"}).json()["id"]
    qb = api.post("/api/v2/routing/queues", json={"name": "Details B"}).json()["id"]
    made = [api.post("/api/v2/conversations/callbacks", json={"queueId": q, "callbackNumbers": [f"+1555000{i}"]}
                     ).json()["conversation"]["id"] for i, q in enumerate([qa, qa, qb])]
    details = api.post("/api/v2/analytics/conversations/details/query", json={
        "interval": _interval(), "order": "asc",
        "segmentFilters": [{"type": "and", "predicates": [{"dimension": "queueId", "value": qa}]}],
        "paging": {"pageSize": 1, "pageNumber": 1}})
    assert details.status_code == 200, details.text
    body = details.json()
    assert body["totalHits"] == 2 and len(body["conversations"]) == 1
    assert body["conversations"][0]["conversationId"] in made[:2]
    assert {p["purpose"] for p in body["conversations"][0]["participants"]} == {"customer", "acd"}
    past = api.post("/api/v2/analytics/conversations/details/query",
                    json={"interval": "2001-01-01T00:00:00Z/2001-01-02T00:00:00Z"}).json()
    assert past["totalHits"] == 0 and "conversations" not in past
    agg = api.post("/api/v2/analytics/conversations/aggregates/query", json={
        "interval": _interval(), "groupBy": ["queueId"], "metrics": ["nOffered"]}).json()
    offered = {r["group"]["queueId"]: r["data"][0]["metrics"][0]["stats"]["count"] for r in agg["results"]}
    assert offered == {qa: 2, qb: 1}
    assert api.post("/api/v2/analytics/conversations/details/query",
                    json={"interval": "yesterday"}).status_code == 400
    one = api.get(f"/api/v2/analytics/conversations/{made[2]}/details").json()
    assert one["conversationId"] == made[2]
    assert any(seg.get("queueId") == qb for p in one["participants"] for s in p["sessions"] for seg in s["segments"])
    several = api.get("/api/v2/analytics/conversations/details", params={"id": ",".join(made[:2])}).json()
    assert sorted(c["conversationId"] for c in several["conversations"]) == sorted(made[:2])
    assert api.get("/api/v2/analytics/conversations/nope/details").status_code == 404


def test_details_job_results_after_fulfilled(api, emulator):
    q = api.post("/api/v2/routing/queues", json={"name": "Job Q"}).json()["id"]
    for i in range(3):
        api.post("/api/v2/conversations/callbacks", json={"queueId": q, "callbackNumbers": [f"+1555100{i}"]})
    job = api.post("/api/v2/analytics/conversations/details/jobs", json={
        "interval": _interval(), "segmentFilters": [{"type": "or", "predicates": [
            {"dimension": "queueId", "value": q}]}]}).json()["jobId"]
    path = f"/api/v2/analytics/conversations/details/jobs/{job}"
    emulator.advance_clock(3600)
    assert api.get(path).json()["state"] == "FULFILLED"
    first = api.get(f"{path}/results", params={"pageSize": 2}).json()
    assert len(first["conversations"]) == 2 and first["cursor"]
    rest = api.get(f"{path}/results", params={"pageSize": 2, "cursor": first["cursor"]}).json()
    assert len(rest["conversations"]) == 1 and "cursor" not in rest
