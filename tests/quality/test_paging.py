"""Paging decisions over real HTTP: SCIM ``startIndex`` listings, page numbers, tokens.

The scripted server pages a list the way each listing style does and records the query of
every request, so the tests see the exact sequence of pages the client asked for.
"""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2 import iter_pages, paginate
from PureCloudPlatformClientV2.aio import AsyncApiClient, SCIMApiAsync, aiter_pages, apaginate

from .conftest import sync_client
from .scripted_server import Reply, ScriptedServer, Seen

SCIM_USERS = [{"id": f"s{i}", "userName": f"user{i}@example.com", "active": True} for i in range(1, 8)]


def scim_handler(total: bool = True, per_page: bool = True):
    def handler(seen: Seen) -> Reply:
        query = dict(seen.query)
        start, count = int(query.get("startIndex", 1)), int(query.get("count", 3))
        chunk = SCIM_USERS[start - 1: start - 1 + count]
        body: dict[str, Any] = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                                "startIndex": start, "Resources": chunk}
        if total:
            body["totalResults"] = len(SCIM_USERS)
        if per_page:
            body["itemsPerPage"] = len(chunk)
        return Reply(200, body)
    return handler


def _client(server: ScriptedServer) -> sdk.ApiClient:
    client = sync_client(server.url)
    client.access_token = "t"
    return client


def _start_indexes(server: ScriptedServer) -> list[int]:
    return [int(dict(r.query)["startIndex"]) for r in server.requests]


def test_scim_start_index_paging_walks_every_page_and_stops_at_total_results() -> None:
    with ScriptedServer(scim_handler()) as server:
        users = list(paginate(sdk.SCIMApi(_client(server)).get_scim_users, count=3))
        assert [u.id for u in users] == [u["id"] for u in SCIM_USERS]
        assert _start_indexes(server) == [1, 4, 7]  # 7 > totalResults after the third page: no fourth request
        assert all(dict(r.query)["count"] == "3" for r in server.requests)


def test_scim_page_size_maps_to_count_and_pages_are_models() -> None:
    with ScriptedServer(scim_handler()) as server:
        pages = list(iter_pages(sdk.SCIMApi(_client(server)).get_scim_users, page_size=4))
        assert [len(p.resources) for p in pages] == [4, 3]
        assert all(isinstance(p, sdk.ScimUserListResponse) for p in pages)
        assert _start_indexes(server) == [1, 5]


def test_scim_without_total_results_stops_on_the_empty_page() -> None:
    with ScriptedServer(scim_handler(total=False, per_page=False)) as server:
        users = list(paginate(sdk.SCIMApi(_client(server)).get_scim_users, count=3))
        assert len(users) == 7
        assert _start_indexes(server) == [1, 4, 7, 8]  # the last page held one item; the next is empty


def test_scim_explicit_start_index_is_respected() -> None:
    with ScriptedServer(scim_handler()) as server:
        users = list(paginate(sdk.SCIMApi(_client(server)).get_scim_users, count=2, start_index=4))
        assert [u.id for u in users] == ["s4", "s5", "s6", "s7"]
        assert _start_indexes(server) == [4, 6]


def test_scim_paging_asyncio() -> None:
    async def main(url: str) -> tuple[list[str], int]:
        async with AsyncApiClient(configuration=sdk.Configuration.new(host=url, live_reload_config=False)) as client:
            client.access_token = "t"
            api = SCIMApiAsync(client)
            ids = [u.id async for u in apaginate(api.get_scim_users, count=3)]
            pages = [p async for p in aiter_pages(api.get_scim_users, page_size=5)]
            return ids, len(pages)

    with ScriptedServer(scim_handler()) as server:
        ids, pages = asyncio.run(main(server.url))
        assert ids == [u["id"] for u in SCIM_USERS] and pages == 2
        assert _start_indexes(server) == [1, 4, 7, 1, 6]


def _numbered(total_pages: int | None, size: int = 2, with_next_uri: bool = True):
    def handler(seen: Seen) -> Reply:
        number = int(dict(seen.query).get("pageNumber", 1))
        entities = [{"id": f"u{number}-{i}"} for i in range(size)] if number <= (total_pages or 3) else []
        body: dict[str, Any] = {"entities": entities, "pageNumber": number, "pageSize": size}
        if total_pages is not None:
            body["pageCount"] = total_pages
        if with_next_uri:
            more = total_pages is None or number < total_pages
            body["nextUri"] = f"/api/v2/users?pageNumber={number + 1}" if more else None
        return Reply(200, body)
    return handler


def test_page_number_listing_stops_at_page_count() -> None:
    with ScriptedServer(_numbered(3)) as server:
        ids = [u.id for u in paginate(sdk.UsersApi(_client(server)).get_users, page_size=2)]
        assert len(ids) == 6
        assert [dict(r.query)["pageNumber"] for r in server.requests] == ["1", "2", "3"]


def test_page_number_listing_without_page_count_stops_when_next_uri_is_null() -> None:
    def handler(seen: Seen) -> Reply:
        number = int(dict(seen.query).get("pageNumber", 1))
        return Reply(200, {"entities": [{"id": f"u{number}"}], "pageNumber": number,
                           "nextUri": f"/api/v2/users?pageNumber={number + 1}" if number < 2 else None})

    with ScriptedServer(handler) as server:
        assert [u.id for u in paginate(sdk.UsersApi(_client(server)).get_users)] == ["u1", "u2"]
        assert len(server.requests) == 2


def test_page_size_on_an_operation_without_one_is_a_type_error() -> None:
    with ScriptedServer(scim_handler()) as server:
        api = sdk.UsersApi(_client(server))
        with pytest.raises(TypeError, match="not a paged listing"):
            list(paginate(api.get_user, "u1"))
        with pytest.raises(TypeError, match="need a method of an API class"):
            list(paginate(api.__init__))  # a method of an API class, but not an operation
        with pytest.raises(TypeError, match="need a method of an API class"):
            list(paginate(len))  # type: ignore[arg-type]
        assert server.requests == []


def test_after_token_listing_follows_cursors_after() -> None:
    def handler(seen: Seen) -> Reply:
        after = dict(seen.query).get("cursor")
        pages = {None: ("a", "t1"), "t1": ("b", "t2"), "t2": ("c", None)}
        item, nxt = pages[after]
        body: dict[str, Any] = {"entities": [{"id": item}]}
        if nxt:
            body["cursors"] = {"after": nxt}
        return Reply(200, body)

    with ScriptedServer(handler) as server:
        api = sdk.ExternalContactsApi(_client(server))
        assert [s.id for s in paginate(api.get_externalcontacts_externalsources)] == ["a", "b", "c"]
        assert [dict(r.query).get("cursor") for r in server.requests] == [None, "t1", "t2"]


def test_after_field_listing_follows_the_top_level_after() -> None:
    def handler(seen: Seen) -> Reply:
        after = dict(seen.query).get("after")
        item, nxt = {None: (1, "a1"), "a1": (2, "a2"), "a2": (3, None)}[after]
        body: dict[str, Any] = {"entities": [{"version": item}]}
        if nxt:
            body["after"] = nxt
        return Reply(200, body)

    with ScriptedServer(handler) as server:
        api = sdk.TaskManagementApi(_client(server))
        assert [c.version for c in paginate(api.get_taskmanagement_workbin_history, "wb1", page_size=1)] == [1, 2, 3]
        assert [dict(r.query).get("after") for r in server.requests] == [None, "a1", "a2"]
        assert all(r.path == "/api/v2/taskmanagement/workbins/wb1/history" for r in server.requests)


def test_next_page_token_in_next_uri_is_followed() -> None:
    def handler(seen: Seen) -> Reply:
        token = dict(seen.query).get("nextPage")
        item, nxt = {None: ("p1", "n1"), "n1": ("p2", None)}[token]
        body: dict[str, Any] = {"entities": [{"id": item}]}
        if nxt:
            body["nextUri"] = f"/api/v2/speechandtextanalytics/programs?nextPage={nxt}&pageSize=1"
        return Reply(200, body)

    with ScriptedServer(handler) as server:
        api = sdk.SpeechTextAnalyticsApi(_client(server))
        assert [p.id for p in paginate(api.get_speechandtextanalytics_programs, page_size=1)] == ["p1", "p2"]
        assert [dict(r.query).get("nextPage") for r in server.requests] == [None, "n1"]


def test_cursor_field_listing_follows_the_top_level_cursor() -> None:
    def handler(seen: Seen) -> Reply:
        cursor = dict(seen.query).get("cursor")
        item, nxt = {None: ("r1", "c1"), "c1": ("r2", None)}[cursor]
        body: dict[str, Any] = {"results": [{"group": {"queueId": item}}]}
        if nxt:
            body["cursor"] = nxt
        return Reply(200, body)

    with ScriptedServer(handler) as server:
        api = sdk.AnalyticsApi(_client(server))
        pages = list(iter_pages(api.get_analytics_actions_aggregates_job_results, "job-1"))
        assert [p.results[0].group["queueId"] for p in pages] == ["r1", "r2"]
        assert [dict(r.query).get("cursor") for r in server.requests] == [None, "c1"]


def test_a_listing_with_page_number_and_cursor_follows_the_cursor() -> None:
    """get_recording_jobs takes both pageNumber and cursor: the cursor in nextUri is what advances."""
    def handler(seen: Seen) -> Reply:
        cursor = dict(seen.query).get("cursor")
        item, nxt = {None: ("j1", "k1"), "k1": ("j2", None)}[cursor]
        body: dict[str, Any] = {"entities": [{"id": item}], "pageNumber": 1}
        if nxt:
            body["nextUri"] = f"/api/v2/recording/jobs?cursor={nxt}"
        return Reply(200, body)

    with ScriptedServer(handler) as server:
        api = sdk.RecordingApi(_client(server))
        assert [j.id for j in paginate(api.get_recording_jobs)] == ["j1", "j2"]
        assert [dict(r.query).get("cursor") for r in server.requests] == [None, "k1"]


def test_an_empty_answer_ends_the_listing() -> None:
    with ScriptedServer(lambda seen: Reply(204)) as server:
        assert list(iter_pages(sdk.UsersApi(_client(server)).get_users)) == []
        assert len(server.requests) == 1


@pytest.mark.parametrize("ending", [{"cursors": {"after": ""}}, {"nextUri": "/api/v2/externalcontacts/externalsources?limit=1"},
                                    {"nextUri": ""}])
def test_token_listing_ends_without_a_usable_token(ending: dict[str, Any]) -> None:
    with ScriptedServer(lambda seen: Reply(200, {"entities": [{"id": "only"}], **ending})) as server:
        api = sdk.ExternalContactsApi(_client(server))
        assert [s.id for s in paginate(api.get_externalcontacts_externalsources)] == ["only"]
        assert len(server.requests) == 1
