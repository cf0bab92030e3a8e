"""Base class of the generated asyncio API classes (``aio/apis/``) and ``awaited``, which makes their methods."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from collections.abc import Coroutine
    from typing import Generic, TypeVar, overload

    from typing_extensions import Concatenate, ParamSpec

    from .._api import Operation
    from .client import AsyncApiClient

    P = ParamSpec("P")
    R = TypeVar("R")

    class _Awaited(Generic[P, R]):
        """How type checkers see an async method: the sync method's parameters, an awaited result."""

        @overload
        def __get__(self, obj: None, owner: Any) -> _Awaited[P, R]: ...

        @overload
        def __get__(self, obj: object, owner: Any) -> Callable[P, Coroutine[Any, Any, R]]: ...

        def __get__(self, obj: Any, owner: Any) -> Any: ...


def awaited(method: Callable[Concatenate[Any, P], R]) -> _Awaited[P, R]:
    """The coroutine twin of a generated sync method.

    The sync function binds the arguments (its signature, defaults, required-parameter and
    unknown-keyword checks) and hands its operation descriptor to ``self._call``, which on an
    async API returns the coroutine that runs the call; this wrapper awaits it.  ``inspect``
    and ``help()`` see the sync signature and docs through ``__wrapped__``.
    """
    async def call(self: AsyncBaseApi, *args: Any, **kwargs: Any) -> Any:
        return await method(self, *args, **kwargs)  # type: ignore[misc]

    call.__name__ = call.__qualname__ = method.__name__
    call.__doc__ = method.__doc__
    call.__wrapped__ = method  # type: ignore[attr-defined]
    return call  # type: ignore[return-value]


def add_awaited(cls: type, sync_cls: type) -> None:
    """Give a generated ``<Name>Async`` class the :func:`awaited` twin of each method of its sync class."""
    for name in sync_cls._operations:  # type: ignore[attr-defined]
        setattr(cls, name, awaited(getattr(sync_cls, name)))


class AsyncBaseApi:
    """Base of every ``<Name>Async`` class: holds the :class:`AsyncApiClient` the calls go through."""

    _operations: dict[str, Operation] = {}

    def __init__(self, api_client: AsyncApiClient) -> None:
        from .client import AsyncApiClient
        if not isinstance(api_client, AsyncApiClient):
            raise TypeError(f"{type(self).__name__} needs an AsyncApiClient (an ApiClient goes with the sync "
                            f"{type(self).__name__.removesuffix('Async')})")
        self.api_client = api_client

    def _call(self, op: Operation, args: tuple[Any, ...], options: Any) -> Any:
        # Called by the sync method body: return the coroutine, which ``awaited`` awaits.
        return self.api_client._invoke(op, args, options)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
