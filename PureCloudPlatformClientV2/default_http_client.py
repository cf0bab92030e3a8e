"""The default HTTP client: urllib3, with pool, proxy, TLS/mTLS and timeouts from a Configuration."""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import urllib3

from ._body import BodyReader
from ._transport_config import DEFAULT_MAX_RESPONSE_BYTES, url_with_query
from .abstract_http_client import AbstractHttpClient
from .http_request_options import HttpRequestOptions
from .rest import ApiConnectionError, ApiDeadlineError, ApiException, ApiTimeoutError, ApiTLSError, RESTResponse

if TYPE_CHECKING:
    from .configuration import Configuration


class DefaultHttpClient(AbstractHttpClient):
    """Sends requests with a urllib3 pool built from the configuration's proxy and TLS settings.

    urllib3's own retries and redirects are off: the ApiClient's retry policy is
    the only one, and redirects are never followed (an Authorization header must
    not travel to another host).
    """

    def __init__(self, timeout: float | None = None, https_agent: Any = None,
                 configuration: Configuration | None = None) -> None:
        super().__init__()
        if timeout is not None:
            self.set_timeout(timeout)
        self.https_agent = https_agent
        self._configuration = configuration
        self._pool: urllib3.PoolManager | None = None
        self._pool_lock = threading.Lock()

    @property
    def configuration(self) -> Configuration:
        if self._configuration is None:
            from .configuration import Configuration
            self._configuration = Configuration()
        return self._configuration

    def _build_pool(self) -> urllib3.PoolManager:
        from ._transport_config import proxy_for, ssl_context_for
        config = self.configuration
        # A new SSLContext for this pool (never one shared with another client, never modified later).
        common: dict[str, Any] = dict(num_pools=16, maxsize=max(1, int(config.pool_maxsize)), block=False,
                      retries=False, ssl_context=ssl_context_for(config))
        proxy = proxy_for(config)
        if proxy is not None:
            return urllib3.ProxyManager(proxy.url, proxy_headers=proxy.headers, **common)
        return urllib3.PoolManager(**common)

    def pool(self) -> urllib3.PoolManager:
        pool = self._pool
        if pool is None:
            with self._pool_lock:
                if self._pool is None:
                    self._pool = self._build_pool()
                pool = self._pool
        return pool

    def reset(self) -> None:
        """Drop pooled connections (e.g. after TLS or proxy settings changed)."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.clear()

    def request(self, http_request_options: Any) -> Any:
        options = http_request_options
        if not isinstance(options, HttpRequestOptions):
            raise ValueError("http_request_options must be an HttpRequestOptions")
        if self.pre_hook is not None:
            replaced = self.pre_hook(options)
            if replaced is not None:
                options = replaced
        url = url_with_query(options.url, options.query_params)
        if options.timeouts is not None:  # from the pipeline: final seconds
            connect, read = options.timeouts
        else:
            connect, read = self.timeouts_for(options, self.configuration)
        timeout = urllib3.Timeout(connect=connect, read=read)
        body = options["data"]
        fields = None
        if options.post_params and options.encoded_body is None:  # as options["data"]: fields before body
            body, fields = None, options.post_params
        try:
            if fields is not None:
                extra: dict[str, Any] = {"timeout": timeout, "redirect": False, "retries": False,
                                         "preload_content": False, "decode_content": False}
                multipart = "multipart" in _content_type(options.headers)
                headers = {k: v for k, v in options.headers.items()
                           if not (multipart and k.lower() == "content-type")}
                raw = self.pool().request_encode_body(options.method, url, fields=fields, headers=headers,
                                                      encode_multipart=multipart, **extra)
            else:
                raw = self.pool().urlopen(options.method, url, body=body, headers=options.headers,
                                          timeout=timeout, redirect=False, retries=False, preload_content=False,
                                          decode_content=False)
        except urllib3.exceptions.NewConnectionError as exc:
            # Refused, unreachable, DNS failure: urllib3 derives these from ConnectTimeoutError.
            raise ApiConnectionError(f"connection failed: {_root(exc)}", options.url) from None
        except urllib3.exceptions.ConnectTimeoutError:
            raise ApiTimeoutError("connect", connect, options.url) from None
        except urllib3.exceptions.ReadTimeoutError:
            raise ApiTimeoutError("read", read, options.url) from None
        except urllib3.exceptions.SSLError as exc:
            raise ApiTLSError(f"TLS handshake failed: {_root(exc)}", options.url) from None
        except urllib3.exceptions.ProxyError as exc:
            raise ApiConnectionError(f"proxy failed: {_root(exc)}", options.url) from None
        except urllib3.exceptions.MaxRetryError as exc:
            reason = exc.reason
            if isinstance(reason, urllib3.exceptions.NewConnectionError):
                raise ApiConnectionError(f"connection failed: {_root(reason)}", options.url) from None
            if isinstance(reason, urllib3.exceptions.ConnectTimeoutError):
                raise ApiTimeoutError("connect", connect, options.url) from None
            if isinstance(reason, urllib3.exceptions.ReadTimeoutError):
                raise ApiTimeoutError("read", read, options.url) from None
            if isinstance(reason, urllib3.exceptions.SSLError):
                raise ApiTLSError(f"TLS handshake failed: {_root(reason)}", options.url) from None
            raise ApiConnectionError(f"connection failed: {_root(reason)}", options.url) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if "timed out" in str(exc):
                raise ApiTimeoutError("read", read, options.url) from None
            raise ApiConnectionError(f"connection failed: {_root(exc)}", options.url) from None
        content = _read_body(raw, options, read)
        response = RESTResponse(raw.status, raw.reason, raw.headers, content, raw)
        if self.post_hook is not None:
            replaced = self.post_hook(response)
            if replaced is not None:
                response = replaced
        return response

    # -- official compatibility members ---------------------------------------------------
    @property
    def rest_client(self) -> Any:
        """The official low-level client (``rest.RESTClientObject``), sending through this client."""
        client = self.__dict__.get("_rest_client")
        if client is None:
            from ._rest_client import RESTClientObject
            client = self.__dict__["_rest_client"] = RESTClientObject(http_client=self)
        return client

    def to_rest_client_config(self, http_request_options: Any) -> dict[str, Any]:
        """The request as the keyword arguments of ``rest_client`` (url, method, headers,
        query_params, post_params, body, timeout), as the official client builds them."""
        options = http_request_options
        if not options.url or not options.method:
            raise ValueError("Mandatory fields 'url' and 'method' must be set before making a request")
        return {"url": options.url, "method": options.method, "headers": options.headers or {},
                "query_params": options.query_params or {}, "post_params": options.post_params or {},
                "body": options.body, "timeout": self.timeout if self.timeout else None}


def _read_body(raw: urllib3.BaseHTTPResponse, options: HttpRequestOptions, read: float) -> bytes:
    """Read the body in the chunks the socket delivers, bounded in size (received and
    decompressed) and in time: each wait for data is cut to what is left before the deadline,
    so a body that drips a byte at a time ends at the deadline, not after it."""
    deadline_at = options.deadline_at
    reader = BodyReader(options.max_response_bytes or DEFAULT_MAX_RESPONSE_BYTES,
                        raw.headers.get("Content-Encoding"), options.url, raw.status, deadline_at, options.deadline)
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    done = False
    try:
        reader.check_length(raw.headers.get("Content-Length"))
        while True:
            if deadline_at is not None and sock is not None:
                left = deadline_at - time.monotonic()
                if left <= 0:
                    raise ApiDeadlineError(options.deadline, options.url, during="reading the response body")
                if left < read:  # each wait for data ends by the deadline (urllib3 set `read` already)
                    sock.settimeout(left)
            chunk = raw.read1(65536, decode_content=False)
            if not chunk:
                break
            reader.feed(chunk)
            if getattr(raw, "length_remaining", None) == 0:  # all announced bytes are in: no read for the end
                break
        done = True
    except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
        if deadline_at is not None and time.monotonic() >= deadline_at - 0.005:
            raise ApiDeadlineError(options.deadline, options.url, during="reading the response body") from None
        raise ApiTimeoutError("read", read, options.url) from None
    except ApiException:
        raise
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise ApiConnectionError(f"connection failed while reading the body: {_root(exc)}", options.url) from None
    finally:
        if not done:
            raw.close()  # never hand a half-read connection back to the pool
        raw.release_conn()
    return reader.finish()


def _content_type(headers: dict[str, str]) -> str:
    """The Content-Type header, whatever the case of its name."""
    return next((value for name, value in headers.items() if name.lower() == "content-type"), "")


def _root(exc: BaseException | None) -> str:
    # The innermost cause reads best ("Connection refused", "certificate verify failed ...").
    seen = 0
    while exc is not None and seen < 10:
        inner = getattr(exc, "reason", None) or exc.__cause__ or exc.__context__
        if not isinstance(inner, BaseException):
            break
        exc, seen = inner, seen + 1
    return str(exc) if exc is not None else "unknown error"
