"""Users, presence and routing status: the resources where generic CRUD is not realistic enough."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from . import state
from .errors import ApiError, bad_request, not_found, now_iso

if TYPE_CHECKING:
    from .server import Call, EmulatorApp

USERS = "/api/v2/users"
PRESENCE_DEFINITIONS = ("/api/v2/presencedefinitions", "/api/v2/presence/definitions")
# The emulator's user-update topic. The platform has no single documented "user changed" topic;
# this name is the emulator's choice and is documented as such.
USER_UPDATE_TOPIC = "v2.users.{id}"
SYSTEM_PRESENCES = ("Available", "Away", "Busy", "Offline", "Idle", "On Queue", "Break", "Meal", "Meeting",
                    "Training")
_PRESENCE_IDS = {name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"emulator:presence:{name}")) for name in SYSTEM_PRESENCES}
# Fields the platform only returns when asked for with ?expand=, and what an untouched user has.
EXPANDABLE: dict[str, Any] = {
    "routingStatus": lambda u: {"userId": u["id"], "status": "OFF_QUEUE", "startTime": u.get("dateCreated")},
    "presence": lambda u: _default_presence(u),
    "integrationPresence": lambda u: None,
    "conversationSummary": lambda u: {"userId": u["id"], "call": {}, "callback": {}, "email": {}, "message": {},
                                      "chat": {}, "socialExpression": {}, "video": {}},
    "outOfOffice": lambda u: {"id": u["id"], "active": False, "indefinite": False},
    "geolocation": lambda u: {"id": u["id"], "primary": True},
    "station": lambda u: {},
    "authorization": lambda u: {"roles": [], "unusedRoles": [], "permissions": [], "permissionPolicies": []},
    "profileSkills": lambda u: [],
    "certifications": lambda u: [],
    "locations": lambda u: [],
    "groups": lambda u: [],
    "team": lambda u: None,
    "skills": lambda u: [],
    "languages": lambda u: [],
    "languagePreference": lambda u: "en-us",
    "employerInfo": lambda u: {},
    "biography": lambda u: {},
    "dateLastLogin": lambda u: None,
    "lastTokenIssued": lambda u: None,
    "workPlanBidRanks": lambda u: None,
}


def _default_presence(user: dict[str, Any]) -> dict[str, Any]:
    return _presence_body("Offline", user.get("dateCreated") or now_iso())


def _presence_body(system: str, when: str, message: str = "", source: str = "PURECLOUD") -> dict[str, Any]:
    pid = _PRESENCE_IDS.get(system, _PRESENCE_IDS["Offline"])
    return {"source": source, "primary": True, "message": message, "modifiedDate": when,
            "presenceDefinition": {"id": pid, "systemPresence": system,
                                   "selfUri": f"/api/v2/presencedefinitions/{pid}"}}


def seed_presence_definitions(app: EmulatorApp) -> None:
    for coll in PRESENCE_DEFINITIONS:
        for name, pid in _PRESENCE_IDS.items():
            app.store.put(coll, {"id": pid, "systemPresence": name, "languageLabels": {"en_US": name},
                                 "primary": True, "deactivated": False, "type": "System",
                                 "selfUri": f"{coll}/{pid}"})


def create_user(app: EmulatorApp, body: dict[str, Any]) -> dict[str, Any]:
    missing = [f for f in ("name", "email") if not body.get(f)]
    if missing:
        raise bad_request(f"Missing required field(s): {', '.join(missing)}", missing[0])
    email = body["email"]
    for other in app.store.collection(USERS).values():
        if other.get("email", "").lower() == email.lower():
            raise ApiError(409, "general.conflict", f"A user with email '{email}' already exists.",
                           entity_id=other["id"])
    uid = str(uuid.uuid4())
    stamp = now_iso()
    user = {k: v for k, v in body.items() if k not in ("password", "divisionId")}
    user.update({
        "id": uid, "state": body.get("state") or "active", "username": email, "version": 1,
        "division": {"id": body.get("divisionId") or "00000000-0000-4000-8000-000000000001", "name": "Home"},
        "chat": {"jabberId": f"{uid}@emulator.example"},
        "primaryContactInfo": [{"address": email, "mediaType": "EMAIL", "type": "PRIMARY"}],
        "addresses": body.get("addresses") or [], "acdAutoAnswer": False, "dateCreated": stamp,
        "selfUri": f"{USERS}/{uid}",
    })
    return app.store.put(USERS, user)


def expand_user(user: dict[str, Any], expand: list[str], app: EmulatorApp | None = None) -> dict[str, Any]:
    # Stored expandable values (presence set by PATCH, skills...) are hidden unless expanded,
    # as on the platform. Sub-resources stored under the user (profileskills, routingskills,
    # station...) are what an expand shows.
    out = {k: v for k, v in user.items() if k not in EXPANDABLE or k in expand}
    if app is not None and expand:
        out = state.expand(app, f"{USERS}/{user['id']}", out, expand)
    for name in expand:
        if name in EXPANDABLE and name not in out:
            value = EXPANDABLE[name](user)
            if value is not None:
                out[name] = value
    return out


def _expand(call: Call) -> list[str]:
    out: list[str] = []
    for value in call.query.getall("expand", ()):
        out.extend(v for v in value.split(",") if v)
    return out


def register(app: EmulatorApp) -> None:
    schema = app.schema

    def store() -> Any:
        return app.store  # looked up per call: reset() may swap the data underneath

    def get_or_404(user_id: str) -> dict[str, Any]:
        user = store().get(USERS, user_id)
        if user is None:
            raise not_found("user", user_id)
        return user

    async def post_users(call: Call) -> tuple[int, Any]:
        return 200, schema.project("User", create_user(app, call.body or {}))

    async def get_user(call: Call) -> tuple[int, Any]:
        return 200, schema.project("User", expand_user(get_or_404(call.values["userId"]), _expand(call), app))

    async def patch_user(call: Call) -> tuple[int, Any]:
        user = get_or_404(call.values["userId"])
        body = dict(call.body or {})
        body.pop("password", None)
        app.update(user, body, replace=False, require_version=True)
        if "email" in body:
            user["username"] = body.get("username") or body["email"]
        app.channels.publish(USER_UPDATE_TOPIC.format(id=user["id"]), schema.project("User", expand_user(user, [])))
        return 200, schema.project("User", expand_user(user, []))

    async def delete_user(call: Call) -> tuple[int, Any]:
        user = get_or_404(call.values["userId"])
        store().delete(USERS, user["id"])
        return 200, {}

    async def get_users(call: Call) -> tuple[int, Any]:
        state = call.query.get("state", "active")
        items = [u for u in store().collection(USERS).values() if state == "any" or u.get("state") == state]
        expand = _expand(call)
        plan = app.plans[call.op.name]
        if any(name in EXPANDABLE for name in expand):
            return 200, app.listing(call, plan, items, transform=lambda u: expand_user(u, expand, app))
        # Fast path (the common case): hiding unexpanded fields and projecting onto User is one key filter.
        visible = schema.wire_set("User") - EXPANDABLE.keys()
        return 200, app.listing(call, plan, items, keys=visible)

    async def get_users_me(call: Call) -> tuple[int, Any]:
        token = call.token
        if token is None or token.user_id is None:
            raise ApiError(400, "bad.request", "This request requires a user context. Client credentials cannot be "
                                               "used for requests to this resource.")
        return 200, schema.project("UserMe", expand_user(get_or_404(token.user_id), _expand(call), app))

    async def get_presence(call: Call) -> tuple[int, Any]:
        user = get_or_404(call.values["userId"])
        presence = user.get("presence") or _default_presence(user)
        return 200, schema.project("UserPresence", presence)

    async def patch_presence(call: Call) -> tuple[int, Any]:
        user = get_or_404(call.values["userId"])
        body = call.body or {}
        definition = body.get("presenceDefinition") or {}
        pid = definition.get("id")
        system = definition.get("systemPresence")
        if pid:
            system = next((n for n, i in _PRESENCE_IDS.items() if i == pid), None)
            if system is None:
                raise bad_request(f"Unknown presence definition '{pid}'", "presenceDefinition.id")
        if not system:
            raise bad_request("presenceDefinition.id is required", "presenceDefinition.id")
        source = call.values.get("sourceId", "PURECLOUD")
        presence = _presence_body(system, now_iso(), body.get("message", ""),
                                  "PURECLOUD" if source.lower() == "purecloud" else source)
        user["presence"] = presence
        event = {"source": presence["source"], "presenceDefinition": presence["presenceDefinition"],
                 "message": presence["message"], "modifiedDate": presence["modifiedDate"]}
        app.channels.publish(f"v2.users.{user['id']}.presence", event)
        going_on_queue_makes_the_agent_idle(user, system)
        return 200, schema.project("UserPresence", presence)

    def going_on_queue_makes_the_agent_idle(user: dict[str, Any], system: str) -> None:
        """On the platform, presence On Queue puts the agent's routing status to IDLE and leaving
        it puts it OFF_QUEUE; each change is published as on a routing-status PUT."""
        current = (user.get("routingStatus") or {}).get("status", "OFF_QUEUE")
        wanted = ("IDLE" if current == "OFF_QUEUE" else current) if system == "On Queue" else "OFF_QUEUE"
        if wanted != current:
            status = {"userId": user["id"], "status": wanted, "startTime": now_iso()}
            user["routingStatus"] = status
            app.channels.publish(f"v2.users.{user['id']}.routingStatus", {"routingStatus": status})

    async def get_routingstatus(call: Call) -> tuple[int, Any]:
        user = get_or_404(call.values["userId"])
        return 200, user.get("routingStatus") or EXPANDABLE["routingStatus"](user)

    async def put_routingstatus(call: Call) -> tuple[int, Any]:
        user = get_or_404(call.values["userId"])
        body = call.body or {}
        status = {"userId": user["id"], "status": body.get("status") or "OFF_QUEUE", "startTime": now_iso()}
        user["routingStatus"] = status
        app.channels.publish(f"v2.users.{user['id']}.routingStatus", {"routingStatus": status})
        return 200, status

    async def get_tokens_me(call: Call) -> tuple[int, Any]:
        token = call.token
        client = app.oauth.clients.get(token.client_id)
        org = {"id": "00000000-0000-4000-8000-0000000000aa", "name": "Emulator Org",
               "selfUri": "/api/v2/organizations/me"}
        return 200, {"organization": org, "homeOrganization": org, "authorizedScope": [],
                     "OAuthClient": {"id": token.client_id, "name": client.client_id if client else token.client_id,
                                     "organization": org}}

    async def delete_tokens_me(call: Call) -> tuple[int, Any]:
        app.oauth.revoke(call.token.value)
        return 204, None

    app.specials.update({
        "get_tokens_me": get_tokens_me, "delete_tokens_me": delete_tokens_me,
        "post_users": post_users, "get_user": get_user, "patch_user": patch_user, "delete_user": delete_user,
        "get_users": get_users, "get_users_me": get_users_me,
        "get_user_presence": get_presence, "get_user_presences_purecloud": get_presence,
        "patch_user_presence": patch_presence, "patch_user_presences_purecloud": patch_presence,
        "get_user_routingstatus": get_routingstatus, "put_user_routingstatus": put_routingstatus,
    })
