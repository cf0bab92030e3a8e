"""Generic state rules that follow the platform's resource shapes, plus the few named specials
where the platform is unusual.

Generic (decided per path shape at start-up, see ``EmulatorApp._plan_all``):

- a POST of a JSON list to a collection stores every element (contact list contacts, queue
  wrap-up codes); a PUT/PATCH of a list to a collection or its ``/bulk`` path replaces/upserts
  (user routing skills and languages);
- any JSON body (object, list, scalar) PUT to a singleton path is stored as sent and read back
  by its GET (``/users/{id}/profileskills``);
- elements of nested collections that name another entity by ``id`` keep that id and are
  completed from the referenced entity (``/users/{id}/routingskills`` + ``{"id": skillId}``);
- a parent's ``?expand=name`` shows its sub-resource ``<parent>/<name>``;
- server-set fields (:data:`SERVER_SET`) sent by a client are ignored.

Specials, each named after the platform behaviour it emulates, are registered at the bottom.
"""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request, not_found, now_iso

if TYPE_CHECKING:
    from .server import Call, EmulatorApp

#: Fields the server owns: accepted on input (clients echo what they read) but never stored from it.
SERVER_SET = frozenset({"id", "selfUri", "version", "dateCreated", "dateModified", "dateLastModified",
                        "createdBy", "modifiedBy", "createdByApp", "modifiedByApp", "dateCreatedBy"})
#: Expand names whose sub-resource path is not simply the lower-cased name.
EXPAND_ALIASES = {"skills": "routingskills", "languages": "routinglanguages"}
QUEUES = "/api/v2/routing/queues"
USERS = "/api/v2/users"


def client_fields(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` without the server-set fields."""
    return {k: v for k, v in body.items() if k not in SERVER_SET}


# -- sub-resources and references ------------------------------------------------------------
def sub_resource(app: EmulatorApp, parent_path: str, name: str) -> Any:
    """The stored value of ``<parent>/<name>`` (singleton body or collection items), else None."""
    for seg in (name.lower(), EXPAND_ALIASES.get(name)):
        if seg is None:
            continue
        path = f"{parent_path}/{seg}"
        if path in app.store.singletons:
            return app.store.singletons[path]
        coll = app.store.collections.get(path)
        if coll:
            return list(coll.values())
    return None


def expand(app: EmulatorApp, parent_path: str, entity: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """``entity`` with each expanded name filled from its stored sub-resource, where one exists."""
    out = entity
    for name in names:
        value = sub_resource(app, parent_path, name)
        if value is not None:
            if out is entity:
                out = dict(entity)
            out[name] = value
    return out


def referenced_collection(app: EmulatorApp, segment: str) -> str | None:
    """The top-level collection that items of a nested collection named ``segment`` refer to:
    ``wrapupcodes`` -> /api/v2/routing/wrapupcodes, ``routingskills`` -> /api/v2/routing/skills."""
    cache = app.reference_cache
    if segment in cache:
        return cache[segment]
    names = [segment] + ([segment[len("routing"):]] if segment.startswith("routing") else [])
    found = None
    for name in names:
        for candidate in (f"/api/v2/routing/{name}", f"/api/v2/{name}"):
            if candidate in app.collection_templates:
                found = candidate
                break
        if found:
            break
    cache[segment] = found
    return found


def complete_reference(app: EmulatorApp, coll_path: str, item: dict[str, Any], model: str | None) -> None:
    """Fill fields of an item that names another entity by id from that entity (name, ...)."""
    root = referenced_collection(app, coll_path.rsplit("/", 1)[-1])
    if root is None:
        return
    ref_id = item.get("id")
    target = app.store.get(root, ref_id) if isinstance(ref_id, str) else None
    if target is None and item.get("name"):  # WrapUpCodeReference may name the code instead
        target = next((e for e in app.store.collection(root).values() if e.get("name") == item["name"]), None)
        if target is not None:
            item["id"] = target["id"]
    if target is None:
        return
    wires = app.schema.wire_set(model or "")
    for key, value in target.items():
        if key not in item and key not in SERVER_SET and (not wires or key in wires):
            item[key] = value
    uri_field = f"{root.rsplit('/', 1)[-1].rstrip('s')}Uri"  # skillUri, languageUri
    if uri_field in wires:
        item.setdefault(uri_field, target.get("selfUri"))


def new_item(app: EmulatorApp, call: Call, coll_path: str, body: Any, model: str | None) -> dict[str, Any]:
    """An element stored into a nested collection: keeps a referenced id, else gets a new one."""
    item = client_fields(body) if isinstance(body, dict) else {"value": body}
    ref = body.get("id") if isinstance(body, dict) else None
    item["id"] = ref if isinstance(ref, str) and ref else str(uuid.uuid4())
    complete_reference(app, coll_path, item, model)
    wires = app.schema.wire_set(model or "")
    for wire, value in call.values.items():  # contactListId on a contact of that list
        if wire in wires:
            item.setdefault(wire, value)
    if "selfUri" in wires or not wires:
        item["selfUri"] = f"{coll_path}/{item['id']}"
    return item


# -- generic list bodies -----------------------------------------------------------------------
def bulk_create(app: EmulatorApp, call: Call, coll_path: str) -> tuple[int, Any]:
    """POST of a JSON list to a collection: store every element."""
    op = call.op
    if not isinstance(call.body, list):
        raise bad_request("The request body must be a JSON array.", "body")
    model = _item_model(app, op)
    stored = []
    for element in call.body:
        item = new_item(app, call, coll_path, element, model)
        existing = app.store.get(coll_path, item["id"])
        if existing is not None:
            existing.update(item)
            item = existing
        else:
            app.store.put(coll_path, item)
        stored.append(item)
    return _list_result(app, call, coll_path, stored, model)


def bulk_upsert(app: EmulatorApp, call: Call, coll_path: str, *, replace: bool) -> tuple[int, Any]:
    """PUT (replace all) or PATCH (add/update by id) of a JSON list to a collection."""
    if not isinstance(call.body, list):
        raise bad_request("The request body must be a JSON array.", "body")
    model = _item_model(app, call.op)
    coll = app.store.collection(coll_path)
    if replace:
        coll.clear()
    stored = []
    for element in call.body:
        item = new_item(app, call, coll_path, element, model)
        existing = coll.get(item["id"])
        if existing is not None:
            existing.update(item)
            item = existing
        else:
            coll[item["id"]] = item
        stored.append(item)
    return _list_result(app, call, coll_path, stored, model)


def _item_model(app: EmulatorApp, op: Any) -> str | None:
    """The model of one stored element, from the response type (list[X] or a listing of X)."""
    from ._spec import split_type
    returns = op.returns
    if returns is None:
        return None
    kind, inner = split_type(returns)
    if kind == "list":
        return inner
    return app.schema.listing_item(returns)


def _list_result(app: EmulatorApp, call: Call, coll_path: str, stored: list[dict[str, Any]],
                 model: str | None) -> tuple[int, Any]:
    returns = call.op.returns
    if returns is None:
        return 204, None
    if returns.startswith("list["):
        return 200, [app.schema.project(model, e) for e in stored]
    if app.schema.listing_item(returns) is not None:
        items = list(app.store.collection(coll_path).values())
        return 200, {"entities": [app.schema.project(model, e) for e in items], "total": len(items)}
    return 200, app.schema.synthesize(returns)


# -- named specials ------------------------------------------------------------------------------
def register(app: EmulatorApp) -> None:
    schema = app.schema

    # Queue membership lives on the queue (/routing/queues/{id}/members, one member per user id)
    # and shows through the user (/users/{id}/queues); member counts follow.
    def members_path(queue_id: str) -> str:
        return f"{QUEUES}/{queue_id}/members"

    def queue_or_404(queue_id: str) -> dict[str, Any]:
        queue = app.store.get(QUEUES, queue_id)
        if queue is None:
            raise not_found("queue", queue_id)
        return queue

    def recount(queue: dict[str, Any]) -> None:
        members = app.store.collection(members_path(queue["id"])).values()
        queue["memberCount"] = queue["userMemberCount"] = len(members)
        queue["joinedMemberCount"] = sum(1 for m in members if m.get("joined"))

    async def queue_membership_add_or_delete(call: Call) -> tuple[int, Any]:
        queue = queue_or_404(call.values["queueId"])
        if not isinstance(call.body, list):
            raise bad_request("The request body must be a JSON array of {id} of users.", "body")
        coll = app.store.collection(members_path(queue["id"]))
        delete = call.query.get("delete", "false").lower() == "true"
        for ref in call.body:
            uid = ref.get("id") if isinstance(ref, dict) else None
            if not isinstance(uid, str):
                raise bad_request("Each member needs an id.", "id")
            if delete:
                coll.pop(uid, None)
                continue
            user = app.store.get(USERS, uid)
            if user is None:
                raise not_found("user", uid)
            coll.setdefault(uid, {"id": uid, "name": user.get("name"), "ringNumber": 1, "joined": True,
                                  "memberBy": "user", "selfUri": f"{members_path(queue['id'])}/{uid}",
                                  "user": {"id": uid, "name": user.get("name"), "selfUri": user.get("selfUri")}})
        recount(queue)
        return 204, None

    async def queue_members_listing(call: Call) -> tuple[int, Any]:
        queue = queue_or_404(call.values["queueId"])
        items = list(app.store.collection(members_path(queue["id"])).values())
        joined = call.query.get("joined")
        if joined is not None:
            items = [m for m in items if str(bool(m.get("joined"))).lower() == joined.lower()]
        names = _expand_names(call)

        def with_status(member: dict[str, Any]) -> dict[str, Any]:
            user = app.store.get(USERS, member["id"]) or {}
            out = dict(member)
            from .users import EXPANDABLE
            if "routingStatus" in names or "routingstatus" in names:
                out["routingStatus"] = user.get("routingStatus") or EXPANDABLE["routingStatus"](user)
            if "presence" in names:
                out["presence"] = user.get("presence") or EXPANDABLE["presence"](user)
            return out
        return 200, app.listing(call, app.plans[call.op.name], items, transform=with_status)

    async def queue_member_join(call: Call) -> tuple[int, Any]:
        body = call.body if isinstance(call.body, dict) else {}
        set_joined(call.values["memberId"], call.values["queueId"], body.get("joined"))
        return 204, None

    async def queue_members_join_in_bulk(call: Call) -> tuple[int, Any]:
        if not isinstance(call.body, list):
            raise bad_request("The request body must be a JSON array of members.", "body")
        qid = call.values["queueId"]
        for member in call.body:
            if isinstance(member, dict):
                set_joined(str(member.get("id", "")), qid, member.get("joined"))
        items = list(app.store.collection(members_path(qid)).values())
        return 200, {"entities": [schema.project("QueueMember", m) for m in items], "total": len(items)}

    def user_queue(queue: dict[str, Any], member: dict[str, Any]) -> dict[str, Any]:
        return {**queue, "joined": bool(member.get("joined"))}

    def memberships(user_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        out = []
        for queue in app.store.collection(QUEUES).values():
            member = app.store.get(members_path(queue["id"]), user_id)
            if member is not None:
                out.append((queue, member))
        return out

    async def queue_membership_through_user(call: Call) -> tuple[int, Any]:
        uid = call.values["userId"]
        if app.store.get(USERS, uid) is None:
            raise not_found("user", uid)
        items = [user_queue(q, m) for q, m in memberships(uid)]
        joined = call.query.get("joined")
        if joined is not None:
            items = [q for q in items if str(q["joined"]).lower() == joined.lower()]
        return 200, app.listing(call, app.plans[call.op.name], items)

    def set_joined(uid: str, queue_id: str, joined: Any) -> dict[str, Any]:
        queue = queue_or_404(queue_id)
        member = app.store.get(members_path(queue_id), uid)
        if member is None:
            raise ApiError(404, "not.found", f"User '{uid}' is not a member of queue '{queue_id}'")
        if isinstance(joined, bool):
            member["joined"] = joined
        recount(queue)
        return user_queue(queue, member)

    async def queue_membership_join_through_user(call: Call) -> tuple[int, Any]:
        uid = call.values["userId"]
        if isinstance(call.body, list):
            items = [set_joined(uid, q.get("id", ""), q.get("joined")) for q in call.body if isinstance(q, dict)]
            return 200, {"entities": [schema.project("UserQueue", i) for i in items], "total": len(items)}
        body = call.body if isinstance(call.body, dict) else {}
        return 200, schema.project("UserQueue", set_joined(uid, call.values["queueId"], body.get("joined")))

    # Group membership is changed by member ids (GroupMembersUpdate), guarded by the group version.
    async def group_membership_by_member_ids(call: Call) -> tuple[int, Any]:
        gid = call.values["groupId"]
        group = app.store.get("/api/v2/groups", gid)
        if group is None:
            raise not_found("group", gid)
        coll = app.store.collection(f"/api/v2/groups/{gid}/members")
        if call.op.method == "DELETE":
            ids = [i for v in call.query.getall("ids", ()) for i in v.split(",") if i]
        else:
            body = call.body if isinstance(call.body, dict) else {}
            ids = body.get("memberIds") or []
            sent = body.get("version")
            if sent is not None and "version" in group and sent != group["version"]:
                raise ApiError(409, "general.conflict", f"The version supplied ({sent}) does not match the "
                                                        f"current version ({group['version']}).", entity_id=gid)
        for uid in ids:
            if call.op.method == "DELETE":
                coll.pop(uid, None)
                continue
            user = app.store.get(USERS, uid)
            if user is None:
                raise not_found("user", uid)
            coll[uid] = user
        group["memberCount"] = len(coll)
        if "version" in group:
            group["version"] += 1
        return 202, {}

    async def group_members_listing(call: Call) -> tuple[int, Any]:
        gid = call.values["groupId"]
        if app.store.get("/api/v2/groups", gid) is None:
            raise not_found("group", gid)
        items = list(app.store.collection(f"/api/v2/groups/{gid}/members").values())
        return 200, app.listing(call, app.plans[call.op.name], items)

    # Data table rows are keyed by the table's key field ("key"), not by a server id.
    def rows_path(call: Call) -> str:
        tid = call.values["datatableId"]
        if app.store.get("/api/v2/flows/datatables", tid) is None:
            raise not_found("datatable", tid)
        return f"/api/v2/flows/datatables/{tid}/rows"

    def row_out(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k != "id"}

    async def datatable_rows_keyed_by_key(call: Call) -> tuple[int, Any]:
        path = rows_path(call)
        method = call.op.method
        if method == "GET" and "rowId" not in call.values:
            rows = [row_out(r) for r in app.store.collection(path).values()]
            if call.query.get("showbrief", "true").lower() == "true":
                rows = [{"key": r.get("key")} for r in rows]
            return 200, app.listing(call, app.plans[call.op.name], rows)
        if method == "POST":
            body: dict[str, Any] = call.body if isinstance(call.body, dict) else {}
            key = body.get("key")
            if not isinstance(key, str) or not key:
                raise bad_request("A data table row needs a string 'key'.", "key")
            if app.store.get(path, key) is not None:
                raise ApiError(409, "flows.datatables.row.exists", f"A row with key '{key}' already exists.")
            app.store.put(path, {**body, "id": key})
            return 200, dict(body)
        row_id = call.values["rowId"]
        row = app.store.get(path, row_id)
        if row is None:
            raise not_found("row", row_id)
        if method == "GET":
            return 200, row_out(row)
        if method == "DELETE":
            app.store.delete(path, row_id)
            return 204, None
        replacement = call.body if isinstance(call.body, dict) else {}
        row.clear()
        row.update({**replacement, "key": row_id, "id": row_id})
        return 200, row_out(row)

    # A user's station is one record (UserStations) that the associate/default PUTs and DELETEs
    # change; GET /users/{id}/station and ?expand=station read it.
    async def station_association(call: Call) -> tuple[int, Any]:
        uid = call.values["userId"]
        user = app.store.get(USERS, uid)
        if user is None:
            raise not_found("user", uid)
        path = f"{USERS}/{uid}/station"
        stations = dict(app.store.singletons.get(path) or {})
        kind = "associatedStation" if "/associatedstation" in call.path else "defaultStation"
        if call.op.method == "PUT":
            sid = call.values["stationId"]
            station = app.store.get("/api/v2/stations", sid) or {"id": sid}
            ref = {"id": sid, "name": station.get("name"), "type": station.get("type")}
            if kind == "associatedStation":
                ref.update({"associatedUser": {"id": uid, "name": user.get("name")}, "associatedDate": now_iso()})
                stations["associatedStation"] = stations["effectiveStation"] = stations["lastAssociatedStation"] = ref
            else:
                ref["defaultUser"] = {"id": uid, "name": user.get("name")}
                stations["defaultStation"] = ref
                stations.setdefault("effectiveStation", ref)
        else:
            gone = stations.pop(kind, None)
            if gone is not None and stations.get("effectiveStation", {}).get("id") == gone.get("id"):
                stations.pop("effectiveStation")
                if "defaultStation" in stations:
                    stations["effectiveStation"] = stations["defaultStation"]
        app.store.singletons[path] = stations
        return 202, None

    for name in ("put_user_station_associatedstation_station_id", "put_user_station_defaultstation_station_id",
                 "delete_user_station_associatedstation", "delete_user_station_defaultstation"):
        app.specials[name] = station_association
    for name in ("post_flows_datatable_rows", "get_flows_datatable_rows", "get_flows_datatable_row",
                 "put_flows_datatable_row", "delete_flows_datatable_row"):
        app.specials[name] = datatable_rows_keyed_by_key
    app.specials.update({
        "post_routing_queue_members": queue_membership_add_or_delete,
        "get_routing_queue_members": queue_members_listing,
        "patch_routing_queue_member": queue_member_join,
        "patch_routing_queue_members": queue_members_join_in_bulk,
        "get_user_queues": queue_membership_through_user,
        "patch_user_queues": queue_membership_join_through_user,
        "patch_user_queue": queue_membership_join_through_user,
        "post_group_members": group_membership_by_member_ids,
        "delete_group_members": group_membership_by_member_ids,
        "get_group_members": group_members_listing,
    })


def _expand_names(call: Call) -> list[str]:
    return [v for value in call.query.getall("expand", ()) for v in value.split(",") if v]
