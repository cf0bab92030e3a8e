"""Iterate over every item (or page) of a listing operation, across pages.

    for user in paginate(users_api.get_users, page_size=100):
        ...
    for page in iter_pages(routing_api.get_routing_queues, page_size=500):
        ...

One mechanism serves every listing: the operation's own parameters say how to
ask for the next page (``page_number``; or a token parameter ``cursor``,
``after`` or ``next_page``; or SCIM's ``start_index``), and the response says
where that next page is (``pageCount``, ``cursor``, ``cursors.after``,
``after``, ``nextPage``, or the token inside ``nextUri``).  Iteration stops on an
empty page, a page identical to the previous one, or when no next page is
indicated, so listings that keep returning ``nextUri`` on empty pages end too.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar, overload
from urllib.parse import parse_qs, urlsplit

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


# How type checkers see a listing's items: a page model has them in ``entities``, SCIM
# listings in ``resources``, search results in ``results``; ``paginate`` yields that type.
class EntityListing(Protocol[T_co]):
    @property
    def entities(self) -> Sequence[T_co] | None: ...


class ResourceListing(Protocol[T_co]):
    @property
    def resources(self) -> Sequence[T_co] | None: ...


class ResultListing(Protocol[T_co]):
    @property
    def results(self) -> Sequence[T_co] | None: ...
_ITEM_FIELDS = ("entities", "resources", "results")
_TOKEN_PARAMS = ("cursor", "after", "next_page")
MAX_PAGES = 100_000  # a guard against a server that never stops


def _operation(method: Callable[..., Any]) -> Any:
    api = getattr(method, "__self__", None)
    ops = getattr(type(api), "_operations", None)
    if not ops or method.__name__ not in ops:
        raise TypeError("paginate/iter_pages (and apaginate/aiter_pages) need a method of an API class, "
                        "e.g. users_api.get_users")
    return ops[method.__name__]


def items_of(page: Any) -> list[Any] | None:
    """The list of items in a page (``entities``, SCIM ``Resources`` ...), or None."""
    for name in _ITEM_FIELDS:
        value = getattr(page, name, None)
        if isinstance(value, list):
            return value
    return None


def _next_token(page: Any, wire: str) -> str | None:
    cursors = getattr(page, "cursors", None)
    for value in (getattr(page, "cursor", None) if wire == "cursor" else None,
                  getattr(cursors, "after", None) if wire in ("after", "cursor") else None,
                  getattr(page, "after", None) if wire == "after" else None,
                  getattr(page, "next_page", None) if wire == "nextPage" else None):
        if isinstance(value, str) and value:
            return value
    next_uri = getattr(page, "next_uri", None)
    if isinstance(next_uri, str) and next_uri:
        found = parse_qs(urlsplit(next_uri).query).get(wire)
        if found and found[0]:
            return found[0]
    return None


class PageWalk:
    """The paging decisions of one listing, without I/O (shared by the sync and asyncio iterators).

    ``kwargs`` are the arguments of the next request; :meth:`step` takes the page it
    returned and says whether to yield it and whether another request follows.
    """

    __slots__ = ("op", "kwargs", "token_param", "by_number", "by_index", "previous", "seen_tokens")

    def __init__(self, method: Callable[..., Any], page_size: int | None, kwargs: dict[str, Any]) -> None:
        op = self.op = _operation(method)
        names = {p.name: p for p in op.params}
        if page_size is not None:
            if "page_size" in names:
                kwargs["page_size"] = page_size
            elif "count" in names:
                kwargs["count"] = page_size
            else:
                raise TypeError(f"{op.name} has no page size parameter")
        token_param = next((names[n] for n in _TOKEN_PARAMS if n in names), None)
        by_number = "page_number" in names
        by_index = "start_index" in names
        if token_param is None and not by_number and not by_index:
            raise TypeError(f"{op.name} is not a paged listing (no page_number, cursor, after or start_index)")
        if by_number and token_param is not None and token_param.name == "next_page":
            token_param = None  # these listings page by number; nextPage is an alternative token
        if by_number:
            kwargs.setdefault("page_number", 1)
        if by_index:
            kwargs.setdefault("start_index", 1)
        self.kwargs = kwargs
        self.token_param, self.by_number, self.by_index = token_param, by_number, by_index
        self.previous: list[Any] | None = None
        self.seen_tokens: set[str] = set()

    def step(self, page: Any) -> tuple[bool, bool]:
        """``(yield this page, request another)``; prepares ``kwargs`` for the next request."""
        if page is None:
            return False, False
        items = items_of(page)
        if items is not None and (not items or items == self.previous):
            # an empty page is still a page; the same page again means the server is not advancing
            return not items, False
        self.previous = items
        kwargs = self.kwargs
        if self.token_param is not None:
            token = _next_token(page, self.token_param.wire)
            if token is None or token in self.seen_tokens:
                return True, False
            self.seen_tokens.add(token)
            kwargs[self.token_param.name] = token
        elif self.by_number:
            number = kwargs["page_number"]
            count = getattr(page, "page_count", None)
            if isinstance(count, int) and number >= count:
                return True, False
            if count is None and getattr(page, "next_uri", "") is None and hasattr(page, "next_uri"):
                return True, False
            kwargs["page_number"] = number + 1
        else:
            per_page = getattr(page, "items_per_page", None) or len(items or [])
            total = getattr(page, "total_results", None)
            kwargs["start_index"] = kwargs["start_index"] + per_page
            if not per_page or (isinstance(total, int) and kwargs["start_index"] > total):
                return True, False
        return True, True


def iter_pages(method: Callable[..., T], *args: Any, page_size: int | None = None, **kwargs: Any) -> Iterator[T]:
    """Yield each page (the operation's response model) until the listing ends."""
    walk = PageWalk(method, page_size, kwargs)
    for _ in range(MAX_PAGES):
        page = method(*args, **walk.kwargs)
        emit, more = walk.step(page)
        if emit:
            yield page
        if not more:
            return


@overload
def paginate(method: Callable[..., EntityListing[T]], *args: Any, page_size: int | None = None,
             **kwargs: Any) -> Iterator[T]: ...
@overload
def paginate(method: Callable[..., ResourceListing[T]], *args: Any, page_size: int | None = None,
             **kwargs: Any) -> Iterator[T]: ...
@overload
def paginate(method: Callable[..., ResultListing[T]], *args: Any, page_size: int | None = None,
             **kwargs: Any) -> Iterator[T]: ...
def paginate(method: Callable[..., Any], *args: Any, page_size: int | None = None, **kwargs: Any) -> Iterator[Any]:
    """Yield every item of every page (``entities`` or SCIM ``Resources``); type checkers see the
    item type of the listing model (``paginate(users_api.get_users)`` yields ``User``)."""
    for page in iter_pages(method, *args, page_size=page_size, **kwargs):
        yield from items_of(page) or ()
