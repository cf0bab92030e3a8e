"""Async iteration over listings: the asyncio twins of :func:`..paging.paginate` and ``iter_pages``.

    async for user in apaginate(UsersApiAsync(client).get_users, page_size=100):
        ...

The paging decisions (which parameter advances, when the listing ends) are the sync
module's :class:`~PureCloudPlatformClientV2.paging.PageWalk`; only the awaiting differs.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar, overload

from ..paging import MAX_PAGES, EntityListing, PageWalk, ResourceListing, ResultListing, items_of

T = TypeVar("T")


async def aiter_pages(method: Callable[..., Awaitable[T]], *args: Any, page_size: int | None = None,
                      **kwargs: Any) -> AsyncIterator[T]:
    """Yield each page (the operation's response model) until the listing ends."""
    walk = PageWalk(method, page_size, kwargs)
    for _ in range(MAX_PAGES):
        page = await method(*args, **walk.kwargs)
        emit, more = walk.step(page)
        if emit:
            yield page
        if not more:
            return


@overload
def apaginate(method: Callable[..., Awaitable[EntityListing[T]]], *args: Any, page_size: int | None = None,
              **kwargs: Any) -> AsyncIterator[T]: ...
@overload
def apaginate(method: Callable[..., Awaitable[ResourceListing[T]]], *args: Any, page_size: int | None = None,
              **kwargs: Any) -> AsyncIterator[T]: ...
@overload
def apaginate(method: Callable[..., Awaitable[ResultListing[T]]], *args: Any, page_size: int | None = None,
              **kwargs: Any) -> AsyncIterator[T]: ...
async def apaginate(method: Callable[..., Awaitable[Any]], *args: Any, page_size: int | None = None,
                    **kwargs: Any) -> AsyncIterator[Any]:
    """Yield every item of every page (``entities`` or SCIM ``Resources``); type checkers see the
    item type of the listing model (``apaginate(users.get_users)`` yields ``User``)."""
    async for page in aiter_pages(method, *args, page_size=page_size, **kwargs):
        for item in items_of(page) or ():
            yield item
