"""Lifecycles over HTTP: jobs advancing on the emulator clock, uploads, callbacks that become
conversations with events, and v2.system.token_revoked."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from PureCloudPlatformClientV2.emulator import Emulator

from .emulator_helpers import Api
from .test_notifications import Client, next_message, with_client

STEP = 3600.0  # one job stage per emulated hour: wall time alone never moves a stage during a test


@pytest.fixture(scope="module")
def clock_emu() -> Iterator[Emulator]:
    with Emulator(seed_users=3, job_step_seconds=STEP, heartbeat_interval=0.2) as emu:
        yield emu


@pytest.fixture
def cemu(clock_emu: Emulator) -> Iterator[Emulator]:
    """The clock emulator, reset after the test (clock offset, jobs, data) even when it fails."""
    yield clock_emu
    clock_emu.reset()


@pytest.fixture
def capi(cemu: Emulator) -> Iterator[Api]:
    client = Api(cemu, cemu.issue_token())
    yield client
    client.session.close()


def test_recording_job_pending_ready_waits_for_execute_then_fulfilled(capi, cemu):
    created = capi.post("/api/v2/recording/jobs", json={"action": "EXPORT", "state": "FULFILLED",
                                                        "actionDate": "2030-01-01T00:00:00Z",
                                                        "conversationQuery": {"interval": "2020-01-01/2020-02-01"}})
    assert created.status_code == 200, created.text
    job = created.json()
    assert job["state"] == "PENDING"  # the client's "state" is ignored: the server owns it
    path = f"/api/v2/recording/jobs/{job['id']}"
    cemu.advance_clock(STEP)
    assert capi.get(path).json()["state"] == "READY"
    cemu.advance_clock(10 * STEP)
    assert capi.get(path).json()["state"] == "READY"  # held until executed
    executed = capi.put(path, json={"state": "PROCESSING"})
    assert executed.status_code == 200 and executed.json()["state"] == "PROCESSING"
    cemu.advance_clock(STEP)
    done = capi.get(path).json()
    assert done["state"] == "FULFILLED" and done["percentProgress"] == 100
    listed = capi.get("/api/v2/recording/jobs").json()
    assert [j["state"] for j in listed["entities"]] == ["FULFILLED"]


def test_delete_cancels_a_job(capi, cemu):
    job = capi.post("/api/v2/recording/jobs", json={"action": "DELETE", "actionDate": "2030-01-01T00:00:00Z",
                                                    "conversationQuery": {"interval": "2020-01-01/2020-02-01"}}
                    ).json()
    assert capi.delete(f"/api/v2/recording/jobs/{job['id']}").status_code in (200, 202, 204)
    assert capi.get(f"/api/v2/recording/jobs/{job['id']}").json()["state"] == "CANCELLED"
    cemu.advance_clock(5 * STEP)
    assert capi.get(f"/api/v2/recording/jobs/{job['id']}").json()["state"] == "CANCELLED"


def test_analytics_job_states_follow_the_clock(capi, cemu):
    resp = capi.post("/api/v2/analytics/conversations/details/jobs",
                     json={"interval": "2020-01-01T00:00:00Z/2020-01-02T00:00:00Z"})
    assert resp.status_code == 202, resp.text
    path = f"/api/v2/analytics/conversations/details/jobs/{resp.json()['jobId']}"
    seen = [capi.get(path).json()["state"]]
    for _ in range(3):
        cemu.advance_clock(STEP)
        seen.append(capi.get(path).json()["state"])
    assert seen == ["QUEUED", "PENDING", "FULFILLED", "FULFILLED"]
    assert capi.get(path).json()["completionDate"]


def test_recording_batch_request_completes_with_results(capi, cemu):
    sub = capi.post("/api/v2/recording/batchrequests", json={"batchDownloadRequestList": [
        {"conversationId": "c1", "recordingId": "r1"}, {"conversationId": "c2", "recordingId": "r2"}]})
    assert sub.status_code == 200, sub.text
    path = f"/api/v2/recording/batchrequests/{sub.json()['id']}"
    first = capi.get(path).json()
    assert first["status"] == "InProgress" and first["expectedResultCount"] == 2 and first["resultCount"] == 0
    cemu.advance_clock(STEP)
    done = capi.get(path).json()
    assert done["status"] == "Completed" and done["resultCount"] == 2
    assert [r["recordingId"] for r in done["results"]] == ["r1", "r2"]


def test_prompt_resource_upload(capi, cemu):
    prompt = capi.post("/api/v2/architect/prompts", json={"name": "welcome"}).json()
    res = capi.post(f"/api/v2/architect/prompts/{prompt['id']}/resources", json={"language": "en-us"})
    assert res.status_code == 200, res.text
    asset = res.json()
    assert asset["uploadStatus"] == "created" and asset["uploadUri"].startswith(cemu.base_url)
    audio = b"RIFF" + bytes(range(256)) * 8
    put = requests.put(asset["uploadUri"], data=audio, headers={"Content-Type": "audio/wav"}, timeout=10)
    assert put.status_code == 200, put.text
    path = f"/api/v2/architect/prompts/{prompt['id']}/resources/en-us"
    assert capi.get(path).json()["uploadStatus"] == "uploaded"
    cemu.advance_clock(STEP)
    assert capi.get(path).json()["uploadStatus"] == "transcoded"
    (upload,) = cemu.uploads()
    assert upload["size"] == len(audio) and upload["contentType"] == "audio/wav"
    # The separate "get an upload URL" operation answers with a URL that takes a multipart form.
    again = capi.post(f"{path}/uploads").json()
    form = requests.post(again["url"], files={"file": ("w.wav", audio, "audio/wav")}, timeout=10)
    assert form.status_code == 200
    assert requests.put(asset["uploadUri"].rsplit("/", 1)[0] + "/nope", data=b"x", timeout=10).status_code == 404


def test_callback_creates_conversation_and_publishes_queue_and_user_topics(cemu):
    agent = cemu.add_user("Callback Agent")
    queue = cemu.add_queue("Callbacks")

    async def scenario(c: Client) -> None:
        await c.call("POST", f"/api/v2/routing/queues/{queue['id']}/members", [{"id": agent["id"]}], expect=204)
        channel = await c.channel(f"v2.routing.queues.{queue['id']}.conversations",
                                  f"v2.users.{agent['id']}.conversations", f"v2.users.{agent['id']}.routingStatus")
        async with c.session.ws_connect(channel["connectUri"]) as ws:
            await c.call("PUT", f"/api/v2/users/{agent['id']}/routingstatus", {"status": "IDLE"})
            status = await next_message(ws, f"v2.users.{agent['id']}.routingStatus")
            assert status["eventBody"]["routingStatus"]["status"] == "IDLE"
            created = await c.call("POST", "/api/v2/conversations/callbacks", {
                "queueId": queue["id"], "callbackNumbers": ["+15551234567"], "callbackUserName": "Pat"})
            cid = created["conversation"]["id"]
            assert {i["type"] for i in created["callbackIdentifiers"]} == {"EXTERNAL", "ACD"}
            on_queue = await next_message(ws, f"v2.routing.queues.{queue['id']}.conversations")
            on_user = await next_message(ws, f"v2.users.{agent['id']}.conversations")
            assert on_queue["eventBody"]["id"] == on_user["eventBody"]["id"] == cid
            conv = await c.call("GET", f"/api/v2/conversations/{cid}")
            purposes = {p["purpose"]: p for p in conv["participants"]}
            assert set(purposes) == {"customer", "acd", "agent"}
            assert purposes["acd"]["queueId"] == queue["id"] and purposes["agent"]["userId"] == agent["id"]
            callback = await c.call("GET", f"/api/v2/conversations/callbacks/{cid}")
            assert len(callback["participants"]) == 3
        await c.call("POST", "/api/v2/conversations/callbacks", {"callbackNumbers": []}, expect=400)
    with_client(cemu, scenario)


def test_token_revoked_notice_on_delete_tokens_me_and_control_api(cemu):
    async def scenario(c: Client) -> None:
        for revoke_by_control in (False, True):
            token = cemu.issue_token()
            c.headers = {"Authorization": f"Bearer {token}"}
            channel = await c.channel()
            async with c.session.ws_connect(channel["connectUri"]) as ws:
                if revoke_by_control:
                    assert cemu.revoke_token(token)
                else:
                    await c.call("DELETE", "/api/v2/tokens/me", expect=204)
                notice = await next_message(ws, "v2.system.token_revoked")
                assert notice["eventBody"]["systemTopicType"] == "token_revoked"
                assert notice["eventBody"]["channelId"] == channel["id"]
            await c.call("GET", "/api/v2/tokens/me", expect=401)
    with_client(cemu, scenario)


def test_advance_clock_refuses_going_back(cemu):
    with pytest.raises(ValueError):
        cemu.advance_clock(-1)


def test_email_and_outbound_call_create_conversations_and_events(cemu):
    agent = cemu.add_user("Email Agent")
    queue = cemu.add_queue("Emails")

    async def scenario(c: Client) -> None:
        await c.call("POST", f"/api/v2/routing/queues/{queue['id']}/members", [{"id": agent["id"]}], expect=204)
        await c.call("PUT", f"/api/v2/users/{agent['id']}/routingstatus", {"status": "IDLE"})
        channel = await c.channel(f"v2.routing.queues.{queue['id']}.conversations.emails",
                                  f"v2.users.{agent['id']}.conversations.calls")
        async with c.session.ws_connect(channel["connectUri"]) as ws:
            email = await c.call("POST", "/api/v2/conversations/emails", {
                "queueId": queue["id"], "provider": "QualityForms", "fromAddress": "pat@example.com",
                "subject": "Hello"})
            assert {p["purpose"] for p in email["participants"]} == {"customer", "acd", "agent"}
            event = await next_message(ws, f"v2.routing.queues.{queue['id']}.conversations.emails")
            assert event["eventBody"]["id"] == email["id"]
            # An outbound call needs a user context: the agent's own token.
            c.headers = {"Authorization": f"Bearer {cemu.issue_token(user_id=agent['id'])}"}
            made = await c.call("POST", "/api/v2/conversations/calls", {"phoneNumber": "+15550142"})
            on_user = await next_message(ws, f"v2.users.{agent['id']}.conversations.calls")
            assert on_user["eventBody"]["id"] == made["id"]
            conv = await c.call("GET", f"/api/v2/conversations/{made['id']}")
            assert {(p["purpose"], p.get("userId")) for p in conv["participants"]} == {
                ("customer", None), ("agent", agent["id"])}
        c.headers = {"Authorization": f"Bearer {cemu.issue_token()}"}
        await c.call("POST", "/api/v2/conversations/calls", {"phoneNumber": "+1555"}, expect=400)
    with_client(cemu, scenario)
