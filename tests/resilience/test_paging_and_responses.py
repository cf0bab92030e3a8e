"""Paging across listings and full responses, over real HTTP against the emulator."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import PureCloudPlatformClientV2 as gc
from PureCloudPlatformClientV2 import iter_pages, paginate
from PureCloudPlatformClientV2.emulator import Emulator
from tests.quality.scripted_server import Reply, ScriptedServer


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(seed_users=1049) as emu:
        emu.seed("/api/v2/assistants", [{"id": "a1", "name": "A"}])
        emu.seed("/api/v2/assistants/a1/queues", [{"id": f"q{i:04d}", "name": f"Q{i}"} for i in range(1050)])
        yield emu


@pytest.fixture
def client(emulator: Emulator) -> gc.ApiClient:
    return gc.ApiClient(host=emulator.base_url, configuration=gc.Configuration.new()).get_client_credentials_token(
        emulator.client_id, emulator.client_secret)


def test_page_number_listing_yields_every_user_once(client: gc.ApiClient, emulator: Emulator) -> None:
    before = emulator.request_count("get_users")
    users = list(paginate(gc.UsersApi(client).get_users, page_size=100))
    assert len(users) == 1050 and len({u.id for u in users}) == 1050
    assert all(isinstance(u, gc.User) for u in users)
    assert emulator.request_count("get_users") - before == 11  # stops at pageCount, no extra request
    pages = list(iter_pages(gc.UsersApi(client).get_users, page_size=100))
    assert [p.page_number for p in pages] == list(range(1, 12))


def test_cursor_listing_follows_the_token_in_next_uri(client: gc.ApiClient) -> None:
    queues = list(paginate(gc.AgentAssistantsApi(client).get_assistant_queues, "a1", page_size=100))
    assert [q.id for q in queues] == [f"q{i:04d}" for i in range(1050)]


def test_with_http_info_gives_status_headers_correlation_id_and_raw_body(client: gc.ApiClient) -> None:
    users = gc.UsersApi(client)
    response = client.with_http_info(users.get_users, page_size=2)
    assert response.status == 200
    assert isinstance(response.data, gc.UserEntityListing) and len(response.data.entities) == 2
    assert response.correlation_id and response.correlation_id == response.headers["ININ-Correlation-Id"]
    assert json.loads(response.raw_data)["pageSize"] == 2
    assert client.last_response is not None and client.last_response.status == 200


@pytest.fixture
def scripted() -> Iterator[Callable[[list[dict[str, Any]]], tuple[gc.ApiClient, ScriptedServer]]]:
    """A client on a scripted server (real HTTP on 127.0.0.1) answering ``pages`` in turn, then the last again."""
    servers: list[ScriptedServer] = []

    def start(pages: list[dict[str, Any]]) -> tuple[gc.ApiClient, ScriptedServer]:
        server = ScriptedServer(lambda seen: Reply(200, pages[min(len(server.requests), len(pages)) - 1]))
        servers.append(server.__enter__())
        client = gc.ApiClient(configuration=gc.Configuration.new(host=server.url, live_reload_config=False))
        client.access_token = "t"
        return client, server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def test_stops_on_empty_page_even_with_next_uri(scripted: Any) -> None:
    client, transport = scripted([
        {"entities": [{"id": "1"}], "pageNumber": 1, "nextUri": "/api/v2/users?pageNumber=2"},
        {"entities": [], "pageNumber": 2, "nextUri": "/api/v2/users?pageNumber=3"},
    ])
    assert [u.id for u in paginate(gc.UsersApi(client).get_users)] == ["1"]
    assert len(transport.requests) == 2


def test_stops_on_a_repeated_page(scripted: Any) -> None:
    page = {"entities": [{"id": "1"}, {"id": "2"}], "nextUri": "/api/v2/users?pageNumber=2"}
    client, transport = scripted([page, page, page])
    assert [u.id for u in paginate(gc.UsersApi(client).get_users)] == ["1", "2"]
    assert len(transport.requests) == 2


def test_cursor_field_listing_and_repeated_token(scripted: Any) -> None:
    client, transport = scripted([
        {"entities": [{"id": "a"}], "cursors": {"after": "c1"}},
        {"entities": [{"id": "b"}], "cursors": {"after": "c2"}},
        {"entities": [{"id": "c"}], "cursors": {"after": "c2"}},
    ])
    api = gc.ExternalContactsApi(client)
    ids = [s.id for s in paginate(api.get_externalcontacts_externalsources)]
    assert ids == ["a", "b", "c"]
    assert [dict(r.query).get("cursor") for r in transport.requests] == [None, "c1", "c2"]


def test_non_listing_is_rejected(scripted: Any) -> None:
    client, server = scripted([{}])
    with pytest.raises(TypeError, match="not a paged listing"):
        list(paginate(gc.UsersApi(client).get_user, "x"))
    with pytest.raises(TypeError, match="method of an API class"):
        list(paginate(len))  # type: ignore[arg-type]
    assert server.requests == []  # rejected before anything was sent
