"""Base class of HTTP clients the SDK can use (``ApiClient.set_http_client``)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable


def _check_hook(hook: Any, what: str) -> Callable[[Any], Any]:
    # Any callable taking one argument: functions, bound methods, lambdas, callable objects.
    if not callable(hook):
        raise ValueError(f"{what} must be callable with one argument ({type(hook).__name__} given)")
    import inspect
    try:
        inspect.signature(hook).bind(object())
    except TypeError:
        raise ValueError(f"{what} must accept exactly one positional argument") from None
    except ValueError:
        pass  # builtins without a signature: trust the caller
    return hook  # type: ignore[no-any-return]


class HttpClientSettings:
    """What every transport, sync or asyncio, is configured with: the official timeout (in
    milliseconds) and the pre/post request hooks."""

    def __init__(self) -> None:
        self.timeout: float | None = 16000  # milliseconds, official default
        self._timeout_set = False
        self.https_agent: Any = None
        self.pre_hook: Callable[[Any], Any] | None = None
        self.post_hook: Callable[[Any], Any] | None = None

    def set_timeout(self, timeout: float) -> None:
        """Request timeout in milliseconds (connect and read each)."""
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ValueError("The 'timeout' property must be a positive number of milliseconds")
        self.timeout = timeout
        self._timeout_set = True

    def set_pre_request_hook(self, hook: Callable[[Any], Any]) -> None:
        """``hook(options)`` runs before each request; it may return replacement options
        (an asyncio transport also awaits a coroutine hook)."""
        self.pre_hook = _check_hook(hook, "the pre-request hook")

    def set_post_request_hook(self, hook: Callable[[Any], Any]) -> None:
        """``hook(response)`` runs after each response; it may return a replacement response
        (an asyncio transport also awaits a coroutine hook)."""
        self.post_hook = _check_hook(hook, "the post-request hook")

    @property
    def timeout_seconds(self) -> float | None:
        """What ``set_timeout`` set, in seconds (None when it was not called): the client-level
        timeout the pipeline uses when a call gives no ``_request_timeout``."""
        return float(self.timeout) / 1000.0 if self._timeout_set and self.timeout else None

    def timeouts_for(self, options: Any, configuration: Any) -> tuple[float, float]:
        """(connect, read) seconds for a request: the call's ``_request_timeout``, else this
        client's ``set_timeout``, else the configuration's ``connect_timeout``/``read_timeout``."""
        if options.timeouts is not None:
            return options.timeouts  # type: ignore[no-any-return]
        if self._timeout_set and self.timeout:
            seconds = float(self.timeout) / 1000.0
            return seconds, seconds
        return configuration.connect_timeout, configuration.read_timeout


class AbstractHttpClient(HttpClientSettings, ABC):
    """Implement :meth:`request`: take :class:`HttpRequestOptions`, return a response.

    The response may be the SDK's ``RESTResponse``, a urllib3 response, or a
    ``requests.Response``: the pipeline reads status, headers and body from any
    of them and raises ``ApiException`` for statuses outside 200-299 itself.
    """

    @abstractmethod
    def request(self, http_request_options: Any) -> Any:
        raise NotImplementedError("method must be implemented")
