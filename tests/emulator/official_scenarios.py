"""Scenarios run with the OFFICIAL Genesys Cloud SDK (its own virtualenv) against a running
emulator; started by test_official_sdk.py as a subprocess. Prints one JSON object: scenario
name -> what the official client observed (or the error it met). Not a test module itself.

Environment: EMU_BASE_URL, EMU_ROOT_URL, EMU_CLIENT_ID, EMU_CLIENT_SECRET, EMU_CONTROL_SECRET,
EMU_ADMIN_USER_ID, EMU_USER_IDS (comma separated), EMU_LIMITED_ID/EMU_LIMITED_SECRET.
"""
from __future__ import annotations

import json
import os
import sys
import traceback
import urllib.request
from typing import Any

import PureCloudPlatformClientV2 as sdk  # the official package: this runs in its own virtualenv
from PureCloudPlatformClientV2.rest import ApiException

BASE = os.environ["EMU_BASE_URL"]


def control(name: str, **kwargs: Any) -> Any:
    """The emulator's control API over HTTP, with its secret, as an outside driver would call it."""
    req = urllib.request.Request(f"{os.environ['EMU_ROOT_URL']}/__emulator/admin/{name}", data=json.dumps(kwargs).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          "X-Emulator-Control-Secret": os.environ["EMU_CONTROL_SECRET"]})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())["result"]


def make(cls: Any, **fields: Any) -> Any:
    """Official models take no constructor arguments: build by attribute assignment."""
    obj = cls()
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj


def client(client_id: str, secret: str) -> Any:
    sdk.configuration.host = BASE  # the official SDK's shared configuration
    return sdk.api_client.ApiClient().get_client_credentials_token(client_id, secret)


def profile_skills(api: Any) -> dict[str, Any]:
    users = sdk.UsersApi(api)
    uid = os.environ["EMU_ADMIN_USER_ID"]
    put = users.put_user_profileskills(uid, ["Testmaster"])
    return {"put": put, "get": users.get_user_profileskills(uid),
            "expand": users.get_user(uid, expand=["profileSkills"]).profile_skills}


def contacts(api: Any) -> dict[str, Any]:
    outbound = sdk.OutboundApi(api)
    clist = outbound.post_outbound_contactlists(make(sdk.ContactList,
        name="Official leads", column_names=["phone"],
        phone_columns=[make(sdk.ContactPhoneNumberColumn, column_name="phone", type="cell")]))
    made = outbound.post_outbound_contactlist_contacts(clist.id, [
        make(sdk.WritableDialerContact, data={"phone": "+15550100"}), make(sdk.WritableDialerContact, data={"phone": "+15550101"})])
    back = outbound.get_outbound_contactlist_contact(clist.id, made[1].id)
    return {"count": len(made), "list_ids": [c.contact_list_id for c in made], "data": back.data,
            "list_id": clist.id}


def campaign_echo(api: Any) -> dict[str, Any]:
    outbound = sdk.OutboundApi(api)
    camp = outbound.post_outbound_campaigns(make(sdk.Campaign, name="Official spring", dialing_mode="preview"))
    camp.name = "Official spring v2"
    after = outbound.put_outbound_campaign(camp.id, camp)  # echoes id, version, dates as read
    raw = {"name": "Official spring v3", "version": after.version, "dialingMode": "PREVIEW",
           "dateCreated": "", "dateModified": ""}  # read-only fields blanked, as some scripts send
    again = outbound.put_outbound_campaign(camp.id, raw)
    return {"versions": [camp.version, after.version, again.version], "name": again.name}


def queue_observations(api: Any) -> dict[str, Any]:
    routing, presence = sdk.RoutingApi(api), sdk.PresenceApi(api)
    users = os.environ["EMU_USER_IDS"].split(",")
    queue = routing.post_routing_queues(make(sdk.CreateQueueRequest, name="Official observed"))
    routing.post_routing_queue_members(queue.id, [make(sdk.WritableEntity, id=u) for u in users])
    presence.patch_user_presences_purecloud(users[0], make(sdk.UserPresence,
        presence_definition=make(sdk.PresenceDefinition, system_presence="On Queue")))
    query = make(sdk.QueueObservationQuery,
        filter=make(sdk.QueueObservationQueryFilter, type="OR", predicates=[
            make(sdk.QueueObservationQueryPredicate, dimension="queueId", value=queue.id)]),
        metrics=["oMemberUsers", "oOnQueueUsers", "oOffQueueUsers"])
    result = sdk.AnalyticsApi(api).post_analytics_queues_observations_query(query)
    return {"queue_id": queue.id, "groups": [r.group for r in result.results],
            "data": [(d.metric, d.qualifier, d.stats.count) for r in result.results for d in r.data]}


def recording_job(api: Any) -> dict[str, Any]:
    recording = sdk.RecordingApi(api)
    job = recording.post_recording_jobs(make(sdk.RecordingJobsQuery,
        action="EXPORT", action_date="2030-01-01T00:00:00.000Z",
        conversation_query=make(sdk.AsyncConversationQuery, interval="2020-01-01T00:00:00Z/2020-02-01T00:00:00Z")))
    states = [job.state]
    control("advance_clock", seconds=3600)
    states.append(recording.get_recording_job(job.id).state)
    states.append(recording.put_recording_job(job.id, make(sdk.ExecuteRecordingJobsQuery, state="PROCESSING")).state)
    control("advance_clock", seconds=3600)
    states.append(recording.get_recording_job(job.id).state)
    return {"states": states}


def callback(api: Any) -> dict[str, Any]:
    routing, conversations = sdk.RoutingApi(api), sdk.ConversationsApi(api)
    queue = routing.post_routing_queues(make(sdk.CreateQueueRequest, name="Official callbacks"))
    made = conversations.post_conversations_callbacks(make(sdk.CreateCallbackCommand,
        queue_id=queue.id, callback_numbers=["+15550199"], callback_user_name="Pat"))
    conv = conversations.get_conversation(made.conversation.id)
    return {"purposes": sorted(p.purpose for p in conv.participants),
            "queue_ids": [p.queue_id for p in conv.participants if p.purpose == "acd"], "queue_id": queue.id}


def permission_denied(_: Any) -> dict[str, Any]:
    limited = client(os.environ["EMU_LIMITED_ID"], os.environ["EMU_LIMITED_SECRET"])
    try:
        sdk.RoutingApi(limited).get_routing_queues()
    except ApiException as exc:
        return {"status": exc.status, "body": json.loads(exc.body)}
    return {"status": 200}


def main() -> int:
    out: dict[str, Any] = {"sdk_file": sdk.__file__}
    api = client(os.environ["EMU_CLIENT_ID"], os.environ["EMU_CLIENT_SECRET"])
    for scenario in (profile_skills, contacts, campaign_echo, queue_observations, recording_job, callback,
                     permission_denied):
        try:
            out[scenario.__name__] = scenario(api)
        except Exception as exc:  # reported to the test, which fails with it
            out[scenario.__name__] = {"error": f"{exc!r}", "trace": traceback.format_exc(limit=4)}
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
