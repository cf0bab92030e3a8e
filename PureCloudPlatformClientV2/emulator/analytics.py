"""Analytics answered from the emulator's own state.

- Queue observations: one result per queue named in the filter, from its members (joined or
  not), their presence and routing status, and the emulator's conversations in that queue.
- Conversation details (query and jobs) and aggregates: from conversations created in the
  emulator (callbacks...), within the query interval, filtered by ``queueId``/``userId``/
  ``mediaType``/``conversationId`` predicates (values of one dimension OR'ed, dimensions AND'ed),
  grouped by ``queueId``/``mediaType``/``userId``.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request

if TYPE_CHECKING:
    from .server import Call, EmulatorApp

QUEUES = "/api/v2/routing/queues"
USERS = "/api/v2/users"
CONVERSATIONS = "/api/v2/conversations"
DEFAULT_QUEUE_METRICS = ("oMemberUsers", "oActiveUsers", "oOnQueueUsers", "oOffQueueUsers", "oUserPresences",
                         "oUserRoutingStatuses", "oWaiting", "oAlerting", "oInteracting")
CONVERSATION_DIMENSIONS = ("queueId", "userId", "mediaType", "conversationId")


def predicate_values(flt: Any, dimension: str) -> list[str]:
    """Values of ``dimension`` predicates anywhere in a filter (predicates and clauses), in order."""
    out: list[str] = []
    stack = [flt] if isinstance(flt, dict) else [f for f in flt or [] if isinstance(f, dict)]
    while stack:
        node = stack.pop(0)
        for pred in node.get("predicates") or []:
            if isinstance(pred, dict) and pred.get("dimension") == dimension and isinstance(pred.get("value"), str):
                if pred["value"] not in out:
                    out.append(pred["value"])
        stack.extend(c for c in node.get("clauses") or [] if isinstance(c, dict))
    return out


def _count(metric: str, count: int, qualifier: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"metric": metric, "stats": {"count": count}}
    if qualifier is not None:
        out["qualifier"] = qualifier
    return out


def _by_qualifier(metric: str, values: list[str]) -> list[dict[str, Any]]:
    if not values:
        return [_count(metric, 0)]
    return [_count(metric, n, q) for q, n in sorted(Counter(values).items())]


def _participant_state(conv: dict[str, Any]) -> str:
    """waiting (no agent yet), alerting or interacting: where a queue conversation stands."""
    for p in conv.get("participants") or []:
        if p.get("purpose") == "agent":
            states = [c.get("state") for media in ("callbacks", "calls", "emails", "messages", "chats")
                      for c in p.get(media) or []]
            return "alerting" if "alerting" in states else "interacting"
    return "waiting"


def queue_observations(app: EmulatorApp, body: dict[str, Any]) -> dict[str, Any]:
    flt = body.get("filter")
    queue_ids = predicate_values(flt, "queueId")
    if not queue_ids:
        raise bad_request("The filter must name at least one queue (a queueId dimension predicate).", "filter")
    media = predicate_values(flt, "mediaType")
    metrics = body.get("metrics") or list(DEFAULT_QUEUE_METRICS)
    from .users import EXPANDABLE
    results = []
    for qid in queue_ids:
        members = list(app.store.collection(f"{QUEUES}/{qid}/members").values())
        joined = []
        for m in members:
            user = app.store.get(USERS, m["id"])
            if user is not None and m.get("joined"):
                presence = user.get("presence") or EXPANDABLE["presence"](user)
                status = (user.get("routingStatus") or {}).get("status", "OFF_QUEUE")
                joined.append((presence["presenceDefinition"], status))
        on_queue = [status for definition, status in joined if definition.get("systemPresence") == "On Queue"]
        user_data: dict[str, list[dict[str, Any]]] = {
            "oMemberUsers": [_count("oMemberUsers", len(members))],
            "oActiveUsers": [_count("oActiveUsers", len(joined))],
            "oOnQueueUsers": _by_qualifier("oOnQueueUsers", on_queue),
            "oOffQueueUsers": [_count("oOffQueueUsers", len(joined) - len(on_queue))],
            "oUserPresences": _by_qualifier("oUserPresences", [d["id"] for d, _ in joined]),
            "oUserRoutingStatuses": _by_qualifier("oUserRoutingStatuses", [s for _, s in joined]),
        }
        convs = [c for c in app.store.collection(CONVERSATIONS).values()
                 if c.get("queueId") == qid and not c.get("endTime")]

        def conversation_data(selected: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
            states = Counter(_participant_state(c) for c in selected)
            return {"oWaiting": [_count("oWaiting", states["waiting"])],
                    "oAlerting": [_count("oAlerting", states["alerting"])],
                    "oInteracting": [_count("oInteracting", states["interacting"])]}
        if not media:
            data = {**user_data, **conversation_data(convs)}
            results.append({"group": {"queueId": qid}, "data": [d for m in metrics for d in data.get(m, [])]})
            continue
        results.append({"group": {"queueId": qid}, "data": [d for m in metrics for d in user_data.get(m, [])]})
        for media_type in media:
            data = conversation_data([c for c in convs if c.get("mediaType") == media_type])
            wanted = [d for m in metrics for d in data.get(m, [])]
            if wanted:
                results.append({"group": {"queueId": qid, "mediaType": media_type}, "data": wanted})
    return {"results": results}


# -- conversations ------------------------------------------------------------------------
def _parse_instant(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def parse_interval(interval: Any) -> tuple[datetime, datetime]:
    if not isinstance(interval, str) or "/" not in interval:
        raise bad_request("interval must be 'start/end' in ISO-8601, e.g. 2024-01-01T00:00:00Z/2024-01-02T00:00:00Z",
                          "interval")
    start, _, end = interval.partition("/")
    try:
        return _parse_instant(start), _parse_instant(end)
    except ValueError:
        raise bad_request("interval must be two ISO-8601 instants separated by '/' (durations are not "
                          "supported by the emulator)", "interval") from None


def _dimensions(conv: dict[str, Any]) -> dict[str, set[str]]:
    users = {p.get("userId") for p in conv.get("participants") or [] if p.get("userId")}
    return {"queueId": {conv["queueId"]} if conv.get("queueId") else set(), "userId": users,
            "mediaType": {conv.get("mediaType") or "callback"}, "conversationId": {conv["id"]}}


def select_conversations(app: EmulatorApp, body: dict[str, Any], filters: list[Any]) -> list[dict[str, Any]]:
    start, end = parse_interval(body.get("interval"))
    wanted = {d: predicate_values(filters, d) for d in CONVERSATION_DIMENSIONS}
    out = []
    for conv in app.store.collection(CONVERSATIONS).values():
        try:
            began = _parse_instant(conv.get("startTime", ""))
        except ValueError:
            continue
        if not start <= began < end:
            continue
        dims = _dimensions(conv)
        if all(not values or dims[d] & set(values) for d, values in wanted.items()):
            out.append(conv)
    return out


def analytics_conversation(conv: dict[str, Any]) -> dict[str, Any]:
    media = conv.get("mediaType") or "callback"
    participants = []
    for p in conv.get("participants") or []:
        segment: dict[str, Any] = {"segmentStart": p.get("startTime") or conv.get("startTime"),
                                   "segmentType": {"acd": "interact", "agent": "alert"}.get(p.get("purpose", ""),
                                                                                              "interact")}
        if conv.get("queueId") and p.get("purpose") in ("acd", "agent"):
            segment["queueId"] = conv["queueId"]
        session = {"mediaType": media, "direction": "inbound", "segments": [segment]}
        callbacks = p.get("callbacks") or []
        if callbacks:
            session["callbackNumbers"] = callbacks[0].get("callbackNumbers")
            session["callbackUserName"] = callbacks[0].get("callbackUserName")
        participants.append({"participantId": p["id"], "participantName": p.get("name"), "purpose": p.get("purpose"),
                             "userId": p.get("userId"), "sessions": [session]})
    out: dict[str, Any] = {"conversationId": conv["id"], "conversationStart": conv.get("startTime"),
                           "originatingDirection": "inbound", "divisionIds": [
                               d["division"]["id"] for d in conv.get("divisions") or [] if d.get("division")],
                           "participants": participants}
    if conv.get("endTime"):
        out["conversationEnd"] = conv["endTime"]
    return out


def _filters(body: dict[str, Any]) -> list[Any]:
    return [*(body.get("conversationFilters") or []), *(body.get("segmentFilters") or [])]


def conversation_details(app: EmulatorApp, body: dict[str, Any]) -> dict[str, Any]:
    convs = select_conversations(app, body, _filters(body))
    convs.sort(key=lambda c: c.get("startTime", ""), reverse=body.get("order") == "desc")
    paging = body.get("paging") or {}
    size, number = int(paging.get("pageSize") or 25), int(paging.get("pageNumber") or 1)
    if size < 1 or number < 1:
        raise bad_request("paging.pageSize and paging.pageNumber must be at least 1", "paging")
    chunk = convs[(number - 1) * size:number * size]
    out: dict[str, Any] = {"totalHits": len(convs)}
    if chunk:  # the platform leaves the list out when nothing matches
        out["conversations"] = [analytics_conversation(c) for c in chunk]
    return out


def conversation_aggregates(app: EmulatorApp, body: dict[str, Any]) -> dict[str, Any]:
    flt = body.get("filter")
    convs = select_conversations(app, body, [flt] if flt else [])
    group_by = [g for g in body.get("groupBy") or [] if g in ("queueId", "mediaType", "userId")]
    metrics = body.get("metrics") or ["nOffered"]
    groups: dict[tuple[tuple[str, str], ...], list[dict[str, Any]]] = {}
    for conv in convs:
        dims = _dimensions(conv)
        keys: list[tuple[tuple[str, str], ...]] = [()]
        for g in group_by:
            keys = [k + ((g, v),) for k in keys for v in sorted(dims[g])] if dims[g] else []
        for key in keys:
            groups.setdefault(key, []).append(conv)
    results = []
    for key, members in groups.items():
        agent = sum(1 for c in members if _participant_state(c) != "waiting")
        counts = {"nOffered": len(members), "nConnected": agent, "tAnswered": agent,
                  "nConversations": len(members)}
        data = [_count(m, counts[m]) for m in metrics if m in counts]
        results.append({"group": dict(key), "data": [{"interval": body.get("interval"), "metrics": data}]})
    return {"results": results} if results else {}


# -- registration -------------------------------------------------------------------------
def register(app: EmulatorApp) -> None:
    async def queue_observation_query(call: Call) -> tuple[int, Any]:
        return 200, queue_observations(app, call.body if isinstance(call.body, dict) else {})

    async def details_query(call: Call) -> tuple[int, Any]:
        return 200, conversation_details(app, call.body if isinstance(call.body, dict) else {})

    async def aggregates_query(call: Call) -> tuple[int, Any]:
        return 200, conversation_aggregates(app, call.body if isinstance(call.body, dict) else {})

    def job_of(call: Call, coll: str) -> dict[str, Any]:
        job = app.store.get(coll, call.values["jobId"])
        if job is None:
            raise ApiError(404, "not.found", f"Unable to find a job with id '{call.values['jobId']}'")
        app.lifecycles.refresh(coll, job)
        if job.get("state") != "FULFILLED":
            raise ApiError(400, "bad.request", f"The job is {job.get('state')}; results are available once it is "
                                               "FULFILLED.")
        return job

    async def details_job_results(call: Call) -> tuple[int, Any]:
        job = job_of(call, "/api/v2/analytics/conversations/details/jobs")
        query: dict[str, Any] = job["query"] if isinstance(job.get("query"), dict) else {}
        convs = select_conversations(app, query, _filters(query))
        convs.sort(key=lambda c: c.get("startTime", ""), reverse=query.get("order") == "desc")
        from .server import _decode_cursor, _encode_cursor, _int_query
        start = _decode_cursor(call.query.get("cursor"))
        size = _int_query(call.query, "pageSize", 100)
        out: dict[str, Any] = {"conversations": [analytics_conversation(c) for c in convs[start:start + size]]}
        if start + size < len(convs):
            out["cursor"] = _encode_cursor(start + size)
        return 200, out

    async def aggregates_job_results(call: Call) -> tuple[int, Any]:
        job = job_of(call, "/api/v2/analytics/conversations/aggregates/jobs")
        query: dict[str, Any] = job["query"] if isinstance(job.get("query"), dict) else {}
        return 200, conversation_aggregates(app, query)

    async def one_conversation(call: Call) -> tuple[int, Any]:
        conv = app.store.get(CONVERSATIONS, call.values["conversationId"])
        if conv is None:
            raise ApiError(404, "not.found", f"Unable to find a conversation with id '{call.values['conversationId']}'")
        return 200, analytics_conversation(conv)

    async def conversations_by_id(call: Call) -> tuple[int, Any]:
        ids = [i for v in call.query.getall("id", ()) for i in v.split(",") if i]
        found = [app.store.get(CONVERSATIONS, i) for i in ids]
        return 200, {"conversations": [analytics_conversation(c) for c in found if c is not None]}

    app.specials.update({
        "post_analytics_queues_observations_query": queue_observation_query,
        "post_analytics_conversations_details_query": details_query,
        "post_analytics_conversations_aggregates_query": aggregates_query,
        "get_analytics_conversations_details_job_results": details_job_results,
        "get_analytics_conversations_aggregates_job_results": aggregates_job_results,
        "get_analytics_conversation_details": one_conversation,
        "get_analytics_conversations_details": conversations_by_id,
    })
