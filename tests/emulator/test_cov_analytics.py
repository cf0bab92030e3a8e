"""Analytics from emulator state, less common paths: observations per media type with an agent
on the conversation, repeated predicates, paging refusals, email conversations in details."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


def _interval(hours: int = 1) -> str:
    now = datetime.now(timezone.utc)
    fmt = "%Y-%m-%dT%H:%M:%S.000Z"
    return f"{(now - timedelta(hours=hours)).strftime(fmt)}/{(now + timedelta(hours=hours)).strftime(fmt)}"


def _metric(data, metric):
    return sum(d["stats"]["count"] for d in data if d["metric"] == metric)


def test_queue_observations_by_media_type_with_an_agent_on_the_conversation(api, emulator):
    agent = emulator.add_user("Observed Agent")
    qid = emulator.add_queue("Observed")["id"]
    assert api.post(f"/api/v2/routing/queues/{qid}/members", json=[{"id": agent["id"]}]).status_code == 204
    assert api.put(f"/api/v2/users/{agent['id']}/routingstatus", json={"status": "IDLE"}).status_code == 200
    made = api.post("/api/v2/conversations/callbacks", json={"queueId": qid, "callbackNumbers": ["+15550111"]})
    assert {i["type"] for i in made.json()["callbackIdentifiers"]} == {"EXTERNAL", "ACD"}
    query = {"filter": {"type": "and", "clauses": [
        {"type": "or", "predicates": [{"dimension": "queueId", "value": qid},
                                      {"dimension": "queueId", "value": qid}]},  # named twice: one result
        {"type": "or", "predicates": [{"dimension": "mediaType", "value": "callback"},
                                      {"dimension": "mediaType", "value": "email"}]}]},
        "metrics": ["oMemberUsers", "oWaiting", "oAlerting", "oInteracting"]}
    resp = api.post("/api/v2/analytics/queues/observations/query", json=query)
    assert resp.status_code == 200, resp.text
    results = resp.json()["results"]
    groups = [r["group"] for r in results]
    assert groups == [{"queueId": qid}, {"queueId": qid, "mediaType": "callback"},
                      {"queueId": qid, "mediaType": "email"}]
    assert _metric(results[0]["data"], "oMemberUsers") == 1
    assert [d["metric"] for d in results[0]["data"]] == ["oMemberUsers"]  # user metrics only, per queue
    callback = results[1]["data"]
    assert _metric(callback, "oWaiting") == 0 and _metric(callback, "oAlerting") + _metric(callback, "oInteracting") == 1
    assert _metric(results[2]["data"], "oWaiting") == 0
    # Only user metrics asked for: no per-media groups at all.
    users_only = api.post("/api/v2/analytics/queues/observations/query",
                          json={**query, "metrics": ["oMemberUsers"]}).json()["results"]
    assert [r["group"] for r in users_only] == [{"queueId": qid}]


def test_details_paging_must_be_positive(api):
    for paging in ({"pageSize": -1}, {"pageNumber": -1}):
        resp = api.post("/api/v2/analytics/conversations/details/query", json={"interval": _interval(),
                                                                                "paging": paging})
        assert resp.status_code == 400 and resp.json()["details"][0]["fieldName"] == "paging"


def test_email_conversation_details_have_no_callback_fields(api, emulator):
    qid = emulator.add_queue("Mail details")["id"]
    email = api.post("/api/v2/conversations/emails", json={"queueId": qid, "provider": "QualityForms",
                                                           "fromAddress": "pat@example.com"})
    assert email.status_code == 200, email.text
    details = api.get(f"/api/v2/analytics/conversations/{email.json()['id']}/details").json()
    sessions = [s for p in details["participants"] for s in p["sessions"]]
    assert sessions and all(s["mediaType"] == "email" and "callbackNumbers" not in s for s in sessions)
