"""Things that change over time where scripts wait on them: jobs whose state advances on the
emulator's clock, uploads to an ``uploadUri``, callbacks that become conversations, and the
``v2.system.token_revoked`` notice.

The clock is wall time plus an offset the test can move (``Emulator.advance_clock``); a job
moves one stage per ``job_step_seconds`` of that clock. States are computed when read, so
nothing runs in the background and a test never waits on a timer.

Job stages come from the API definition: a collection under a job-like path (``.../jobs``,
``batchrequests``, ``exports``...) whose item model has a ``state``/``status`` enum with a
success value goes through the enum's waiting values in the usual order (QUEUED, PENDING,
READY, PROCESSING, ...) to that value; DELETE moves it to the enum's cancelled value.
"""
from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request, not_found, now_iso
from .security import read_body

if TYPE_CHECKING:
    from aiohttp import web

    from .server import Call, EmulatorApp

_WAITING = ("QUEUED", "SUBMITTED", "CREATED", "PENDING", "READY", "SCHEDULED", "PROCESSING", "RUNNING",
            "INPROGRESS", "EXECUTING")
_SUCCESS = ("FULFILLED", "COMPLETED", "COMPLETE", "SUCCEEDED", "SUCCESS", "SUCCESSFUL", "DONE", "FINISHED")
_CANCELLED = ("CANCELLED", "CANCELED")
_JOB_WORDS = ("job", "batch", "export", "import", "bulk")
# The platform keeps a recording bulk job READY until the client executes it with a PUT
# {"state": "PROCESSING"}; the emulator holds it there the same way.
RECORDING_JOBS = "/api/v2/recording/jobs"
RECORDING_JOB_WAITS_FOR_EXECUTE = {RECORDING_JOBS: "READY"}
UPLOAD_PREFIX = "/uploads/v2/"


def _norm(value: str) -> str:
    return value.upper().replace("_", "").replace("-", "")


@dataclass(frozen=True)
class LifecycleRule:
    field: str
    stages: tuple[str, ...]
    cancelled: str | None
    hold: str | None = None


def rule_from_model(app: EmulatorApp, template: str, model: str | None) -> LifecycleRule | None:
    """The job lifecycle of a collection, read off its item model's state enum (or None)."""
    if not any(word in seg for seg in template.split("/") for word in _JOB_WORDS):
        return None
    for name in ("state", "status"):
        entry = app.schema.fields.get(model or "", {}).get(name)
        if entry is None or entry[1] is None:
            continue
        by_norm = {_norm(v): v for v in entry[1]}
        success = next((by_norm[s] for s in _SUCCESS if s in by_norm), None)
        if success is None:
            continue
        waiting = tuple(by_norm[s] for s in _WAITING if s in by_norm)
        cancelled = next((by_norm[s] for s in _CANCELLED if s in by_norm), None)
        hold = RECORDING_JOB_WAITS_FOR_EXECUTE.get(template)
        return LifecycleRule(name, (*waiting, success), cancelled, hold if hold in waiting else None)
    return None


@dataclass
class Job:
    rule: LifecycleRule
    started: float
    released: float | None = None  # when a held job was told to go on
    final: str | None = None  # cancelled (or another forced end)

    def stage(self, now: float, step: float) -> str:
        stages = self.rule.stages
        if self.final is not None:
            return self.final
        hold = stages.index(self.rule.hold) if self.rule.hold else None

        def steps(since: float) -> int:
            return len(stages) if step <= 0 else int(max(0.0, now - since) / step)
        if hold is not None and self.released is None:
            return stages[min(steps(self.started), hold)]
        if hold is not None and self.released is not None:
            return stages[min(hold + 1 + steps(self.released), len(stages) - 1)]
        return stages[min(steps(self.started), len(stages) - 1)]


@dataclass
class Upload:
    token: str
    target: tuple[str, str] | None  # (collection path, id) of the entity the file belongs to
    size: int = 0
    sha256: str | None = None
    content_type: str | None = None
    received: str | None = None

    def public(self) -> dict[str, Any]:
        return {"token": self.token, "target": list(self.target) if self.target else None, "size": self.size,
                "sha256": self.sha256, "contentType": self.content_type, "received": self.received}


@dataclass
class Lifecycles:
    app: EmulatorApp
    offset: float = 0.0
    jobs: dict[tuple[str, str], Job] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)
    channel_tokens: dict[str, str] = field(default_factory=dict)  # channel id -> token that made it

    # -- clock --------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        """Move the emulator's clock forward; returns the total offset."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += seconds
        return self.offset

    def reset(self) -> None:
        self.offset = 0.0
        self.jobs.clear()
        self.uploads.clear()
        self.channel_tokens.clear()

    # -- jobs ---------------------------------------------------------------------------
    def start(self, coll_path: str, entity: dict[str, Any], rule: LifecycleRule) -> dict[str, Any]:
        self.jobs[(coll_path, entity["id"])] = Job(rule, self.now())
        return self.refresh(coll_path, entity)

    def refresh(self, coll_path: str, entity: dict[str, Any]) -> dict[str, Any]:
        job = self.jobs.get((coll_path, entity.get("id", "")))
        if job is None:
            return entity
        stage = job.stage(self.now(), self.app.settings.job_step_seconds)
        if entity.get(job.rule.field) != stage:
            entity[job.rule.field] = stage
            if stage == job.rule.stages[-1]:
                self._completed(coll_path, entity)
        return entity

    def _completed(self, coll_path: str, entity: dict[str, Any]) -> None:
        stamp = now_iso()
        for name in ("completionDate", "dateCompleted", "dateEnd"):
            entity.setdefault(name, stamp)
        if "percentProgress" in entity or coll_path == RECORDING_JOBS:
            entity["percentProgress"] = 100
        hook = COMPLETION_HOOKS.get(coll_path)
        if hook is not None:
            hook(self.app, entity)

    def cancel(self, coll_path: str, entity: dict[str, Any]) -> bool:
        job = self.jobs.get((coll_path, entity.get("id", "")))
        if job is None or job.rule.cancelled is None:
            return False
        current = job.stage(self.now(), self.app.settings.job_step_seconds)
        if current != job.rule.stages[-1]:  # a finished job stays finished
            job.final = job.rule.cancelled
        self.refresh(coll_path, entity)
        return True

    def release(self, coll_path: str, entity: dict[str, Any]) -> None:
        job = self.jobs.get((coll_path, entity.get("id", "")))
        if job is not None and job.released is None:
            job.released = self.now()
        self.refresh(coll_path, entity)

    # -- uploads ------------------------------------------------------------------------
    def upload_url(self, request: web.Request, target: tuple[str, str] | None) -> tuple[str, str]:
        token = secrets.token_urlsafe(24)  # the URL is the credential, like a presigned one
        self.uploads[token] = Upload(token, target)
        scheme = "https" if request.secure else "http"
        return token, f"{scheme}://{request.host}{self.app.settings.prefix_api}{UPLOAD_PREFIX}{token}"

    async def receive_upload(self, request: web.Request, token: str) -> dict[str, Any]:
        upload = self.uploads.get(token)
        if upload is None:
            raise not_found("upload", None)
        if request.method not in ("PUT", "POST"):
            raise ApiError(405, "method.not.allowed", "Upload with PUT or POST.", headers={"Allow": "PUT, POST"})
        raw = await read_body(request, self.app.settings.max_body_size)
        upload.size, upload.sha256 = len(raw), hashlib.sha256(raw).hexdigest()
        upload.content_type, upload.received = request.content_type, now_iso()
        if upload.target is not None:
            entity = self.app.store.get(*upload.target)
            if entity is not None and "uploadStatus" in entity:
                # Uploaded now; transcoded one clock step later, as prompt audio is on the platform.
                entity["uploadStatus"] = "uploaded"
                entity["mediaUri"] = f"{upload.target[0]}/{upload.target[1]}/media"
                self.start(upload.target[0], entity, TRANSCODE)
        return {"uploadKey": token, "size": upload.size}


TRANSCODE = LifecycleRule("uploadStatus", ("uploaded", "transcoded"), None)


def _recording_batch_results(app: EmulatorApp, entity: dict[str, Any]) -> None:
    """A finished recording batch request lists one result per requested recording."""
    requests = entity.get("batchDownloadRequestList") or []
    entity["results"] = [{"conversationId": r.get("conversationId"), "recordingId": r.get("recordingId"),
                          "resultUrl": f"/api/v2/recording/batchrequests/{entity['id']}/results/{i}",
                          "contentType": "audio/ogg"} for i, r in enumerate(requests) if isinstance(r, dict)]
    entity["resultCount"] = len(entity["results"])


COMPLETION_HOOKS = {"/api/v2/recording/batchrequests": _recording_batch_results}


# -- specials -------------------------------------------------------------------------------
def register(app: EmulatorApp) -> None:
    life = app.lifecycles
    schema = app.schema

    async def recording_job_executes_on_put(call: Call) -> tuple[int, Any]:
        job = app.store.get(RECORDING_JOBS, call.values["jobId"])
        if job is None:
            raise not_found("job", call.values["jobId"])
        life.refresh(RECORDING_JOBS, job)
        wanted = str((call.body or {}).get("state", "")).upper()
        if wanted == "PROCESSING":
            if job.get("state") not in ("READY", "PROCESSING", "FULFILLED"):
                raise bad_request(f"The job is {job.get('state')}; it can be executed once READY.", "state")
            life.release(RECORDING_JOBS, job)
        elif wanted in _CANCELLED:
            life.cancel(RECORDING_JOBS, job)
        else:
            raise bad_request("state must be PROCESSING (execute) or CANCELLED.", "state")
        return 200, schema.project("RecordingJob", job)

    async def recording_batch_request(call: Call) -> tuple[int, Any]:
        body = call.body if isinstance(call.body, dict) else {}
        items = body.get("batchDownloadRequestList")
        if not isinstance(items, list) or not items:
            raise bad_request("batchDownloadRequestList must list at least one recording.", "batchDownloadRequestList")
        coll = "/api/v2/recording/batchrequests"
        job = app.create(coll, {"batchDownloadRequestList": items}, "BatchDownloadJobStatusResult")
        job.update({"jobId": job["id"], "expectedResultCount": len(items), "resultCount": 0, "errorCount": 0})
        rule = rule_from_model(app, coll, "BatchDownloadJobStatusResult")
        if rule is not None:
            life.start(coll, job, rule)
        return 200, schema.project("BatchDownloadJobSubmissionResult", job)

    def with_upload_uri(create_op: str) -> Any:
        generic_create = app.specials.get(create_op)

        async def prompt_resource_gets_upload_uri(call: Call) -> tuple[int, Any]:
            # Prompt resources are addressed by their language (/resources/{languageCode}).
            if isinstance(call.body, dict) and isinstance(call.body.get("language"), str):
                call.body = {**call.body, "id": call.body["language"]}
            if generic_create is not None:
                status, payload = await generic_create(call)
            else:
                status, payload = app.generic(call)
            coll = call.path
            entity = app.store.get(coll, payload.get("id", "")) if isinstance(payload, dict) else None
            if entity is not None:
                _, url = life.upload_url(call.request, (coll, entity["id"]))
                entity.setdefault("uploadStatus", "created")
                entity["uploadUri"] = url
                payload = schema.project(call.op.returns, entity)
            return status, payload
        return prompt_resource_gets_upload_uri

    async def upload_url_for_parent(call: Call) -> tuple[int, Any]:
        """POST .../uploads (and the other upload-URL operations): a URL on the emulator that takes
        the file; for a prompt resource the file lands on that resource."""
        target = None
        if "languageCode" in call.values:
            coll = call.path.rsplit("/", 2)[0]
            if app.store.get(coll, call.values["languageCode"]) is not None:
                target = (coll, call.values["languageCode"])
        token, url = life.upload_url(call.request, target)
        wires = schema.wire_set(call.op.returns or "")
        out: dict[str, Any] = {}
        for url_field, headers_field in (("url", "headers"), ("uploadUrl", "uploadHeaders")):
            if url_field in wires:
                out[url_field] = url
                if headers_field in wires:
                    out[headers_field] = {}
        for key_field in ("uploadKey", "uploadId", "id", "fileId", "attachmentId"):
            if key_field in wires:
                out[key_field] = token
                break
        return 200, schema.synthesize(call.op.returns, out)

    for op in app.operations:
        wires = schema.wire_set(op.returns or "")
        if op.method == "POST" and (({"url", "headers"} <= wires) or ({"uploadUrl", "uploadHeaders"} <= wires)):
            app.specials.setdefault(op.name, upload_url_for_parent)
        elif op.method == "POST" and "uploadUri" in schema.wire_set(op.returns or "") and \
                app.plans[op.name].kind == "create":
            app.specials[op.name] = with_upload_uri(op.name)

    app.specials.update({
        "put_recording_job": recording_job_executes_on_put,
        "post_recording_batchrequests": recording_batch_request,
    })
    _register_conversations(app)
    _register_token_revoked(app)


# -- callbacks become conversations ----------------------------------------------------------
CONVERSATIONS = "/api/v2/conversations"
CALLBACKS = "/api/v2/conversations/callbacks"


def _register_conversations(app: EmulatorApp) -> None:
    schema = app.schema

    def available_agent(queue_id: str) -> dict[str, Any] | None:
        """A joined member whose routing status is IDLE (on queue, free), as ACD would pick."""
        for member in app.store.collection(f"/api/v2/routing/queues/{queue_id}/members").values():
            user = app.store.get("/api/v2/users", member["id"])
            if user and member.get("joined") and (user.get("routingStatus") or {}).get("status") == "IDLE":
                return user
        return None

    def queue_of(queue_id: str | None) -> dict[str, Any] | None:
        queue = app.store.get("/api/v2/routing/queues", queue_id) if queue_id else None
        if queue_id and queue is None:
            raise not_found("queue", queue_id)
        return queue

    def start_conversation(media: str, customer: dict[str, Any], queue: dict[str, Any] | None,
                           agent: dict[str, Any] | None, direction: str, extra: dict[str, Any]) -> dict[str, Any]:
        """Store a conversation of ``media`` (callback, email, call) with customer, ACD and agent
        participants, and publish the queue and user topics the platform would."""
        cid, stamp = str(uuid.uuid4()), now_iso()
        queue_ref = {"id": queue["id"], "selfUri": queue.get("selfUri")} if queue else None
        people = [{"id": str(uuid.uuid4()), "purpose": "customer", "state": "connected", **customer}]
        if queue is not None:
            people.append({"id": str(uuid.uuid4()), "purpose": "acd", "name": queue.get("name"),
                           "state": "connected", "queue": queue_ref})
        if agent is not None:
            people.append({"id": str(uuid.uuid4()), "purpose": "agent", "name": agent.get("name"),
                           "state": "alerting" if direction == "inbound" else "connected",
                           "user": {"id": agent["id"], "selfUri": agent.get("selfUri")}, "queue": queue_ref})
        for p in people:
            p.update({"direction": direction, "startTime": stamp})
        media_list = f"{media}s"
        app.store.put(f"{CONVERSATIONS}/{media_list}", {"id": cid, "participants": people,
                                                        "selfUri": f"{CONVERSATIONS}/{media_list}/{cid}"})
        conversation = {
            "id": cid, "startTime": stamp, "state": "connected", "selfUri": f"{CONVERSATIONS}/{cid}",
            "participants": [{"id": p["id"], "purpose": p["purpose"], "name": p.get("name"), "startTime": stamp,
                              "queueId": queue["id"] if queue else None,
                              "queueName": queue.get("name") if queue else None,
                              "userId": (p.get("user") or {}).get("id"), "address": p.get("address"),
                              "attributes": p.get("attributes") or {},
                              media_list: [{"state": p["state"], "id": str(uuid.uuid4()), "direction": direction,
                                            **extra}]}
                             for p in people],
            "divisions": [{"division": {"id": "00000000-0000-4000-8000-000000000001"}}],
            # What analytics reads back: one conversation, its media and queue.
            "mediaType": media, "queueId": queue["id"] if queue else None,
        }
        app.store.put(CONVERSATIONS, conversation)
        event = {"id": cid, "participants": people}
        if queue is not None:
            app.channels.publish(f"v2.routing.queues.{queue['id']}.conversations", event)
            app.channels.publish(f"v2.routing.queues.{queue['id']}.conversations.{media_list}", event)
        if agent is not None:
            app.channels.publish(f"v2.users.{agent['id']}.conversations", event)
            app.channels.publish(f"v2.users.{agent['id']}.conversations.{media_list}", event)
        return conversation

    async def callback_creates_conversation(call: Call) -> tuple[int, Any]:
        body = call.body if isinstance(call.body, dict) else {}
        numbers = body.get("callbackNumbers")
        if not isinstance(numbers, list) or not numbers:
            raise bad_request("callbackNumbers must list at least one number.", "callbackNumbers")
        queue = queue_of(body.get("queueId") or (body.get("routingData") or {}).get("queueId"))
        if queue is None and not body.get("scriptId"):
            raise bad_request("A callback needs a queueId (or routingData.queueId).", "queueId")
        conv = start_conversation("callback", {"name": body.get("callbackUserName"), "address": numbers[0],
                                               "attributes": body.get("data") or {}},
                                  queue, available_agent(queue["id"]) if queue else None, "inbound",
                                  {"callbackNumbers": numbers, "callbackUserName": body.get("callbackUserName"),
                                   "callbackScheduledTime": body.get("callbackScheduledTime")})
        ids = {p["purpose"]: p["id"] for p in conv["participants"]}
        return 200, {"conversation": {"id": conv["id"], "selfUri": conv["selfUri"]},
                     "callbackIdentifiers": [{"type": "EXTERNAL", "id": ids["customer"]}] + (
                         [{"type": "ACD", "id": ids["acd"]}] if "acd" in ids else [])}

    async def inbound_email_creates_conversation(call: Call) -> tuple[int, Any]:
        body = call.body if isinstance(call.body, dict) else {}
        queue = queue_of(body.get("queueId"))
        if queue is None and not body.get("flowId"):
            raise bad_request("An email needs a queueId or a flowId.", "queueId")
        if not body.get("provider"):
            raise bad_request("provider is required.", "provider")
        conv = start_conversation("email", {"name": body.get("fromName"), "address": body.get("fromAddress"),
                                            "attributes": body.get("attributes") or {}},
                                  queue, available_agent(queue["id"]) if queue else None,
                                  str(body.get("direction") or "inbound").lower(),
                                  {"subject": body.get("subject")})
        return 200, app.store.get(f"{CONVERSATIONS}/emails", conv["id"])

    async def outbound_call_from_the_user(call: Call) -> tuple[int, Any]:
        body = call.body if isinstance(call.body, dict) else {}
        token = call.token
        if token is None or token.user_id is None:
            raise ApiError(400, "bad.request", "This request requires a user context. Client credentials cannot be "
                                               "used for requests to this resource.")
        if not (body.get("phoneNumber") or body.get("callUserId") or body.get("callQueueId")):
            raise bad_request("Give a phoneNumber, callUserId or callQueueId to call.", "phoneNumber")
        user = app.store.get("/api/v2/users", token.user_id)
        queue = queue_of(body.get("callFromQueueId"))
        conv = start_conversation("call", {"address": body.get("phoneNumber"),
                                           "attributes": body.get("attributes") or {}},
                                  queue, user, "outbound", {})
        return 200, {"id": conv["id"], "selfUri": conv["selfUri"]}

    async def disconnect_ends_the_conversation(call: Call) -> tuple[int, Any]:
        """PATCH {"state": "disconnected"} on a callback/call/email ends it for every participant."""
        cid = call.values["conversationId"]
        conv = app.store.get(CONVERSATIONS, cid)
        media_list = call.path.split("/")[4]  # callbacks | calls | emails
        view = app.store.get(f"{CONVERSATIONS}/{media_list}", cid)
        if conv is None or view is None:
            raise not_found("conversation", cid)
        body = call.body if isinstance(call.body, dict) else {}
        if str(body.get("state", "")).lower() == "disconnected" and not conv.get("endTime"):
            stamp = now_iso()
            conv.update({"endTime": stamp, "state": "disconnected"})
            for p in conv["participants"]:
                p["endTime"] = stamp
                for comm in p.get(media_list) or []:
                    comm["state"] = "disconnected"
            for p in view["participants"]:
                p.update({"state": "disconnected", "endTime": stamp})
            event = {"id": cid, "participants": view["participants"]}
            if conv.get("queueId"):
                app.channels.publish(f"v2.routing.queues.{conv['queueId']}.conversations", event)
                app.channels.publish(f"v2.routing.queues.{conv['queueId']}.conversations.{media_list}", event)
            for p in view["participants"]:
                uid = (p.get("user") or {}).get("id")
                if uid:
                    app.channels.publish(f"v2.users.{uid}.conversations", event)
                    app.channels.publish(f"v2.users.{uid}.conversations.{media_list}", event)
        return 200, schema.project("Conversation", conv)

    async def get_conversation(call: Call) -> tuple[int, Any]:
        conv = app.store.get(CONVERSATIONS, call.values["conversationId"])
        if conv is None:
            raise not_found("conversation", call.values["conversationId"])
        return 200, schema.project("Conversation", conv)

    app.specials.update({"post_conversations_callbacks": callback_creates_conversation,
                         "post_conversations_emails": inbound_email_creates_conversation,
                         "post_conversations_calls": outbound_call_from_the_user,
                         "get_conversation": get_conversation,
                         "patch_conversations_callback": disconnect_ends_the_conversation,
                         "patch_conversations_call": disconnect_ends_the_conversation,
                         "patch_conversations_email": disconnect_ends_the_conversation})


# -- v2.system.token_revoked ----------------------------------------------------------------
def _register_token_revoked(app: EmulatorApp) -> None:
    life = app.lifecycles
    create_channel = app.specials["post_notifications_channels"]
    revoke_me = app.specials["delete_tokens_me"]

    async def channel_remembers_its_token(call: Call) -> tuple[int, Any]:
        status, payload = await create_channel(call)
        if call.token is not None and isinstance(payload, dict) and payload.get("id"):
            life.channel_tokens[payload["id"]] = call.token.value
        return status, payload

    async def revoke_and_notify(call: Call) -> tuple[int, Any]:
        result = await revoke_me(call)
        notify_revoked(app, call.token.value)
        return result

    app.specials["post_notifications_channels"] = channel_remembers_its_token
    app.specials["delete_tokens_me"] = revoke_and_notify


def notify_revoked(app: EmulatorApp, token_value: str) -> int:
    """Send ``v2.system.token_revoked`` on every connected channel made with this token."""
    from .notifications import message
    token = app.oauth.tokens.get(token_value)
    sent = 0
    for channel_id, value in list(app.lifecycles.channel_tokens.items()):
        if value != token_value:
            continue
        channel = app.channels.channels.get(channel_id)
        if channel is None or channel.queue is None:
            continue
        channel.queue.put_nowait(message("v2.system.token_revoked", {
            "channelId": channel_id, "systemTopicType": "token_revoked", "reason": "user_tokens_revoked",
            "userId": token.user_id if token else None, "oauthClientId": token.client_id if token else None,
            "message": "The token this channel was created with has been revoked."}))
        sent += 1
    return sent
