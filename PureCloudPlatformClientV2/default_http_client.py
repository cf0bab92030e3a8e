"""The default HTTP client: urllib3, with pool, proxy, TLS/mTLS and timeouts from a Configuration."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import urllib3

from .abstract_http_client import AbstractHttpClient
from .http_request_options import HttpRequestOptions
from .rest import ApiConnectionError, ApiTimeoutError, ApiTLSError, RESTResponse

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
        config = self.configuration
        tls: dict[str, Any] = {}
        context = config.create_mtls_or_ssl_context()
        if context is not None:
            tls["ssl_context"] = context
            if not config.verify_ssl:
                import ssl
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
        elif config.verify_ssl:
            import certifi
            tls["cert_reqs"] = "CERT_REQUIRED"
            tls["ca_certs"] = config.ssl_ca_cert or certifi.where()
        else:
            tls["cert_reqs"] = "CERT_NONE"
        if context is None and config.cert_file:
            tls["cert_file"] = config.cert_file
            tls["key_file"] = config.key_file
        common = dict(num_pools=16, maxsize=max(1, int(config.pool_maxsize)), block=False,
                      retries=False, **tls)
        if config.proxy:
            proxy_headers = None
            if config.proxy_username or config.proxy_password:
                proxy_headers = urllib3.make_headers(
                    proxy_basic_auth=f"{config.proxy_username or ''}:{config.proxy_password or ''}")
            return urllib3.ProxyManager(config.proxy, proxy_headers=proxy_headers, **common)
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
        url = options.url
        query = options.query_params
        if query:
            url += ("&" if "?" in url else "?") + urlencode(
                list(query.items()) if isinstance(query, dict) else list(query))
        connect, read = self.timeouts_for(options, self.configuration)
        timeout = urllib3.Timeout(connect=connect, read=read)
        body = options["data"]
        fields = None
        if options.post_params and options.encoded_body is None and options.body is None:
            body, fields = None, options.post_params
        try:
            if fields is not None:
                extra: dict[str, Any] = {"timeout": timeout, "redirect": False, "retries": False}
                multipart = "multipart" in options.headers.get("Content-Type", "")
                headers = {k: v for k, v in options.headers.items() if not (multipart and k == "Content-Type")}
                raw = self.pool().request_encode_body(options.method, url, fields=fields, headers=headers,
                                                      encode_multipart=multipart, **extra)
            else:
                raw = self.pool().urlopen(options.method, url, body=body, headers=options.headers,
                                          timeout=timeout, redirect=False, retries=False)
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
        response = RESTResponse(raw.status, raw.reason, raw.headers, raw.data, raw)
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


def _root(exc: BaseException | None) -> str:
    # The innermost cause reads best ("Connection refused", "certificate verify failed ...").
    seen = 0
    while exc is not None and seen < 10:
        inner = getattr(exc, "reason", None) or exc.__cause__ or exc.__context__
        if not isinstance(inner, BaseException):
            break
        exc, seen = inner, seen + 1
    return str(exc) if exc is not None else "unknown error"
