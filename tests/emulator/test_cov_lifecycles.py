"""Lifecycles over HTTP, the refusals and repeated calls: executing a job that is not READY,
unknown target states, cancelling a finished job, uploads by GET or to nothing, conversations
missing what they need, and disconnecting twice."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from PureCloudPlatformClientV2.emulator import Emulator

from .emulator_helpers import Api
from .test_notifications import Client, next_message, with_client

STEP = 3600.0  # one job stage per emulated hour: wall time alone never moves a stage during a test
JOB = {"action": "EXPORT", "actionDate": "2030-01-01T00:00:00Z",
       "conversationQuery": {"interval": "2020-01-01/2020-02-01"}}


@pytest.fixture(scope="module")
def clock_emu() -> Iterator[Emulator]:
    with Emulator(seed_users=2, job_step_seconds=STEP, heartbeat_interval=0.2) as emu:
        yield emu


@pytest.fixture
def cemu(clock_emu: Emulator) -> Iterator[Emulator]:
    yield clock_emu
    clock_emu.reset()


@pytest.fixture
def capi(cemu: Emulator) -> Iterator[Api]:
    client = Api(cemu, cemu.issue_token())
    yield client
    client.session.close()


def _job(capi: Api) -> str:
    created = capi.post("/api/v2/recording/jobs", json=JOB)
    assert created.status_code == 200, created.text
    return f"/api/v2/recording/jobs/{created.json()['id']}"


def test_recording_job_put_refusals_and_cancel(capi, cemu):
    path = _job(capi)
    early = capi.put(path, json={"state": "PROCESSING"})
    assert early.status_code == 400 and "PENDING" in early.json()["message"]
    bogus = capi.put(path, json={"state": "PAUSED"})  # not in the definition's enum
    assert bogus.status_code == 400 and bogus.json()["details"][0]["fieldName"] == "body.state"
    missing = capi.put(path, json={})
    assert missing.status_code == 400 and missing.json()["details"][0]["fieldName"] == "state"
    assert capi.get(path).json()["state"] == "PENDING"
    # ExecuteRecordingJobsQuery.state admits PROCESSING only: cancelling is a DELETE.
    assert capi.put(path, json={"state": "CANCELLED"}).status_code == 400
    assert capi.delete(path).status_code in (200, 202, 204)
    assert capi.get(path).json()["state"] == "CANCELLED"
    cemu.advance_clock(3 * STEP)
    assert capi.get(path).json()["state"] == "CANCELLED"
    assert capi.put("/api/v2/recording/jobs/no-such-job", json={"state": "PROCESSING"}).status_code == 404


def test_executing_twice_keeps_the_first_release_and_finished_jobs_stay_finished(capi, cemu):
    path = _job(capi)
    cemu.advance_clock(STEP)
    assert capi.put(path, json={"state": "PROCESSING"}).json()["state"] == "PROCESSING"
    cemu.advance_clock(STEP / 2)
    # A second execute does not restart the stage: half a step more finishes the job.
    assert capi.put(path, json={"state": "PROCESSING"}).json()["state"] == "PROCESSING"
    cemu.advance_clock(STEP / 2)
    assert capi.get(path).json()["state"] == "FULFILLED"
    assert capi.put(path, json={"state": "PROCESSING"}).status_code == 200  # FULFILLED may be re-executed
    # Cancelling a finished job leaves it finished.
    assert capi.delete(path).status_code in (200, 202, 204)
    assert capi.get(path).json()["state"] == "FULFILLED"


def test_deleting_a_job_without_lifecycle_removes_it(capi, cemu):
    _job(capi)  # some job is running, so DELETE checks for one
    (seeded,) = cemu.seed("/api/v2/recording/jobs", [{"id": "seeded-job", "state": "FULFILLED"}])
    assert capi.delete("/api/v2/recording/jobs/seeded-job").status_code in (200, 202, 204)
    assert capi.get("/api/v2/recording/jobs/seeded-job").status_code == 404


def test_uploads_by_get_and_to_a_missing_target(capi, cemu):
    prompt = capi.post("/api/v2/architect/prompts", json={"name": "hold"}).json()
    asset = capi.post(f"/api/v2/architect/prompts/{prompt['id']}/resources", json={"language": "fr-fr"}).json()
    url = asset["uploadUri"]
    got = requests.get(url, timeout=10)
    assert got.status_code == 405 and got.headers["Allow"] == "PUT, POST"
    # An upload URL for a language the prompt has no resource for takes the file without a target.
    loose = capi.post(f"/api/v2/architect/prompts/{prompt['id']}/resources/de-de/uploads")
    assert loose.status_code == 200, loose.text
    assert requests.put(loose.json()["url"], data=b"abc", timeout=10).json()["size"] == 3
    # The target deleted before the upload arrives: the file is still taken.
    path = f"/api/v2/architect/prompts/{prompt['id']}/resources/fr-fr"
    assert capi.delete(path).status_code in (200, 202, 204)
    assert requests.put(url, data=b"wxyz", timeout=10).json()["size"] == 4
    uploads = {u["size"]: u for u in cemu.uploads()}
    assert uploads[3]["target"] is None and uploads[4]["target"][1] == "fr-fr"


def test_conversations_need_a_queue_provider_and_target(capi, cemu):
    assert capi.post("/api/v2/conversations/callbacks", json={"callbackNumbers": ["+1555"]}).status_code == 400
    unknown = capi.post("/api/v2/conversations/callbacks", json={"callbackNumbers": ["+1555"],
                                                                  "queueId": "no-such-queue"})
    assert unknown.status_code == 404 and unknown.json()["entityId"] == "no-such-queue"
    queue = cemu.add_queue("Mail")
    assert capi.post("/api/v2/conversations/emails", json={"queueId": queue["id"]}).status_code == 400
    assert capi.post("/api/v2/conversations/emails", json={"provider": "x"}).status_code == 400
    user_api = Api(cemu, cemu.issue_token(user_id=cemu.admin_user_id))
    try:
        nothing = user_api.post("/api/v2/conversations/calls", json={"attributes": {"a": "b"}})
        assert nothing.status_code == 400 and nothing.json()["details"][0]["fieldName"] == "phoneNumber"
    finally:
        user_api.session.close()


def test_callback_by_script_without_queue_and_disconnecting_twice(capi, cemu):
    made = capi.post("/api/v2/conversations/callbacks", json={"callbackNumbers": ["+15550100"], "scriptId": "s1"})
    assert made.status_code == 200, made.text
    cid = made.json()["conversation"]["id"]
    assert [i["type"] for i in made.json()["callbackIdentifiers"]] == ["EXTERNAL"]  # no queue: no ACD leg
    first = capi.patch(f"/api/v2/conversations/callbacks/{cid}", json={"state": "disconnected"})
    assert first.status_code == 200 and first.json()["endTime"]
    again = capi.patch(f"/api/v2/conversations/callbacks/{cid}", json={"state": "disconnected"})
    assert again.json()["endTime"] == first.json()["endTime"]  # already ended: unchanged
    assert capi.patch("/api/v2/conversations/callbacks/no-such", json={"state": "disconnected"}).status_code == 404


def test_disconnect_publishes_to_the_agent_topics(cemu):
    agent = cemu.add_user("Disconnect Agent")
    queue = cemu.add_queue("Disconnects")

    async def scenario(c: Client) -> None:
        await c.call("POST", f"/api/v2/routing/queues/{queue['id']}/members", [{"id": agent["id"]}], expect=204)
        await c.call("PUT", f"/api/v2/users/{agent['id']}/routingstatus", {"status": "IDLE"})
        channel = await c.channel(f"v2.users.{agent['id']}.conversations.callbacks")
        async with c.session.ws_connect(channel["connectUri"]) as ws:
            made = await c.call("POST", "/api/v2/conversations/callbacks", {
                "queueId": queue["id"], "callbackNumbers": ["+15551230000"]})
            cid = made["conversation"]["id"]
            created = await next_message(ws, f"v2.users.{agent['id']}.conversations.callbacks")
            assert created["eventBody"]["id"] == cid
            await c.call("PATCH", f"/api/v2/conversations/callbacks/{cid}", {"state": "disconnected"})
            ended = await next_message(ws, f"v2.users.{agent['id']}.conversations.callbacks")
            assert ended["eventBody"]["id"] == cid
            assert {p["state"] for p in ended["eventBody"]["participants"]} == {"disconnected"}
    with_client(cemu, scenario)


def test_analytics_job_results_only_once_fulfilled(capi, cemu):
    resp = capi.post("/api/v2/analytics/conversations/details/jobs",
                     json={"interval": "2020-01-01T00:00:00Z/2020-01-02T00:00:00Z"})
    path = f"/api/v2/analytics/conversations/details/jobs/{resp.json()['jobId']}/results"
    early = capi.get(path)
    assert early.status_code == 400 and "QUEUED" in early.json()["message"]
    assert capi.get("/api/v2/analytics/conversations/details/jobs/no-such-job/results").status_code == 404
    cemu.advance_clock(3 * STEP)
    assert capi.get(path).status_code == 200
