"""Where to send requests when an API gateway sits between the SDK and Genesys Cloud."""
from __future__ import annotations


class GatewayConfiguration:
    """Gateway address and the path prefixes for login and API requests.

    ``protocol`` defaults to ``https``; ``port`` -1 means "no port in the URL";
    ``path_params_login``/``path_params_api`` are prefixed to ``/oauth/...`` and
    ``/api/v2/...``.  ``username``/``password`` are kept for compatibility only.
    """

    def __init__(self, *, host: str | None = None, protocol: str | None = None, port: int | None = -1,
                 path_params_login: str | None = None, path_params_api: str | None = None,
                 username: str | None = None, password: str | None = None) -> None:
        self.host = host
        self.protocol = protocol  # type: ignore[assignment]
        self.port = port  # type: ignore[assignment]
        self.path_params_login = path_params_login
        self.path_params_api = path_params_api
        self.username = username
        self.password = password

    @property
    def protocol(self) -> str:
        return self._protocol

    @protocol.setter
    def protocol(self, value: str | None) -> None:
        self._protocol = value or "https"

    @property
    def port(self) -> int:
        return self._port

    @port.setter
    def port(self, value: int | str | None) -> None:
        if value is None or value == "":
            value = -1
        try:
            port = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"gateway port must be an integer (or -1 for none), got {value!r}") from None
        if port < -1 or port > 65535:
            raise ValueError(f"gateway port must be -1 or 0..65535, got {port}")
        self._port = port

    def base_url(self, kind: str) -> str:
        """``protocol://host[:port][/prefix]`` for ``kind`` ``'login'`` or ``'api'``."""
        url = f"{self.protocol}://{self.host}"
        if self.port > -1:
            url += f":{self.port}"
        prefix = self.path_params_login if kind == "login" else self.path_params_api
        if prefix:
            url += prefix if prefix.startswith("/") else "/" + prefix
        return url

    def __repr__(self) -> str:
        return (f"GatewayConfiguration(host={self.host!r}, protocol={self.protocol!r}, port={self.port!r}, "
                f"path_params_login={self.path_params_login!r}, path_params_api={self.path_params_api!r})")
