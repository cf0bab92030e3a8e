"""Async paging over 1,050 users, and the shared page/next-token decisions."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

import PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.aio import UsersApiAsync, aiter_pages, apaginate
from PureCloudPlatformClientV2.emulator import Emulator

from .helpers import new_client

USERS = 1050


@pytest.fixture(scope="module")
def big_emu() -> Iterator[Emulator]:
    with Emulator(seed_users=USERS - 1) as emulator:  # plus the admin user
        yield emulator


def test_apaginate_yields_every_user_once(big_emu):
    async def main() -> None:
        async with new_client(big_emu.base_url) as client:
            await client.get_client_credentials_token(big_emu.client_id, big_emu.client_secret)
            users = UsersApiAsync(client)
            ids = [u.id async for u in apaginate(users.get_users, page_size=100)]
            assert len(ids) == len(set(ids)) == USERS
            pages = [p async for p in aiter_pages(users.get_users, page_size=500)]
            assert [len(p.entities) for p in pages] == [500, 500, 50]
            assert all(isinstance(p, sdk.UserEntityListing) for p in pages)
    asyncio.run(main())
    assert big_emu.request_count("get_users") == 11 + 3


class _FakeApi:
    """An async 'API' whose listing answers from a script of pages (exercises the shared PageWalk)."""

    _operations = sdk.UsersApi._operations

    def __init__(self, pages: list[sdk.UserEntityListing]) -> None:
        self.pages = pages
        self.calls: list[dict[str, object]] = []

    async def get_users(self, **kwargs: object) -> sdk.UserEntityListing:
        self.calls.append(kwargs)
        return self.pages[len(self.calls) - 1]


def _page(ids: list[str], page_count: int | None = None, next_uri: str | None = None) -> sdk.UserEntityListing:
    page = sdk.UserEntityListing()
    page.entities = [sdk.User(id=i) for i in ids]
    page.page_count, page.next_uri = page_count, next_uri
    return page


def test_stops_on_an_empty_page_and_on_a_repeated_page():
    async def main() -> None:
        api = _FakeApi([_page(["a"], next_uri="/n?pageNumber=2"), _page([], next_uri="/n?pageNumber=3")])
        assert [u.id async for u in apaginate(api.get_users)] == ["a"]
        assert [c["page_number"] for c in api.calls] == [1, 2]
        api = _FakeApi([_page(["a"], next_uri="x"), _page(["a"], next_uri="x")])
        assert len([p async for p in aiter_pages(api.get_users, page_size=1)]) == 1
        assert api.calls[0]["page_size"] == 1
    asyncio.run(main())


def test_non_listing_is_rejected():
    async def main() -> None:
        async with new_client("http://127.0.0.1:9") as client:
            with pytest.raises(TypeError, match="not a paged listing"):
                async for _ in apaginate(UsersApiAsync(client).get_user, "id"):
                    pass
    asyncio.run(main())
