"""Settings of the SDK.

``Configuration()`` returns the shared instance (``PureCloudPlatformClientV2.configuration``),
as in the official SDK.  ``Configuration.new()`` makes an independent one for an
``ApiClient`` that must not share settings (several orgs, regions or proxies in
one process): ``ApiClient(configuration=Configuration.new(host=...))``.

The configuration file (``~/.genesyscloudpython/config`` or ``config_file_path``;
INI or JSON; sections logging, reauthentication, general, gateway, retry, timeouts, limits,
rate_limit) is read when the configuration is created.  Unless ``live_reload_config`` is
false it is then watched: from the moment ``config_file_path`` is set (the file may not
exist yet: it is applied once created), or, for the default path, once an ``ApiClient``
uses the configuration.
"""
from __future__ import annotations

import os
import threading

from .api_null_value import singleton  # noqa: F401 - the official module's decorator, kept importable
from .gateway_configuration import GatewayConfiguration
from .logger import LogFormat, Logger, LogLevel

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from typing import Any, Callable

    from .api_client import ApiClient
    from .retry import RetryConfiguration


def _default_config_path() -> str:
    home = os.environ.get("HOME") or os.environ.get("USERPROFILE") or os.path.expanduser("~")
    return os.path.join(home, ".genesyscloudpython", "config")


class Configuration:
    _shared: Configuration | None = None
    _shared_lock = threading.Lock()

    def __new__(cls) -> Configuration:
        # Configuration() is the shared instance, as in the official SDK.
        if cls._shared is None:
            with cls._shared_lock:
                if cls._shared is None:
                    instance = super().__new__(cls)
                    instance._setup()
                    cls._shared = instance
        return cls._shared

    def __init__(self) -> None:  # state is set once, in _setup
        pass

    @classmethod
    def new(cls, *, read_config_file: bool = False, **settings: Any) -> Configuration:
        """An independent configuration with default settings (plus ``settings``)."""
        instance = super().__new__(cls)
        instance._setup(read_config_file=read_config_file, private_logger=True)
        if "live_reload_config" in settings:  # before config_file_path, which starts the watcher
            instance.live_reload_config = settings.pop("live_reload_config")
        for name, value in settings.items():
            if not hasattr(instance, name):
                raise TypeError(f"Configuration has no setting {name!r}")
            setattr(instance, name, value)
        return instance

    def _setup(self, read_config_file: bool = True, private_logger: bool = False) -> None:
        self.host = "https://api.mypurecloud.com"
        self.api_client: ApiClient | None = None
        self.temp_folder_path: str | None = None
        self.api_key: dict[str, str] = {}
        self.api_key_prefix: dict[str, str] = {}
        self.username = ""
        self.password = ""
        self.access_token = ""
        self.should_refresh_access_token = True
        self.refresh_token_wait_time = 10
        self.verify_ssl = True
        self.ssl_ca_cert: str | None = None
        self.cert_file: str | None = None
        self.key_file: str | None = None
        self.ssl_context: ssl.SSLContext | None = None
        self.proxy: str | None = None
        self.proxy_username: str | None = None
        self.proxy_password: str | None = None
        self.gateway_configuration: GatewayConfiguration | None = None
        self.logger = Logger(private=private_logger)
        self.live_reload_config = True
        # Ours: timeouts in seconds, connection pool size, retry policy.
        self.connect_timeout: float = 10.0
        self.read_timeout: float = 60.0
        self.pool_maxsize: int = 32
        # Ours (request pipeline): the whole call's deadline in seconds, the response body limit in
        # bytes (received and decompressed), rate-limit pacing from inin-ratelimit-* headers.
        self.deadline: float = 120.0
        self.max_response_bytes: int = 256 * 1024 * 1024
        self.rate_limit_pacing: bool = True
        self._retry: RetryConfiguration | None = None
        self._watcher: Any = None
        self._file_state: tuple[Any, ...] | None = None
        self._bad_versions: set[int] = set()
        self._config_lock = threading.RLock()
        self._config_file_path = _default_config_path()
        if read_config_file:
            self._update_config_from_file()

    # -- retry -------------------------------------------------------------------
    @property
    def retry(self) -> RetryConfiguration:
        """Retry policy used by every ApiClient on this configuration (see ``retry.py``)."""
        if self._retry is None:
            from .retry import RetryConfiguration
            self._retry = RetryConfiguration()
        return self._retry

    @retry.setter
    def retry(self, value: RetryConfiguration | None | bool) -> None:
        from .retry import NO_RETRY, RetryConfiguration
        if value is False or value is None:
            value = NO_RETRY.copy()
        if not isinstance(value, RetryConfiguration):
            raise TypeError("configuration.retry must be a RetryConfiguration (or False to disable retries)")
        self._retry = value

    # -- TLS / mTLS -------------------------------------------------------------
    def set_mtls_certificates(self, certPath: str, keyPath: str, caPath: str | None = None) -> None:
        """Client certificate and key files (and optionally the CA that signs the server)."""
        for label, path in (("certificate", certPath), ("key", keyPath), ("CA", caPath)):
            if path is not None and not os.path.isfile(path):
                raise FileNotFoundError(f"mTLS {label} file not found: {path}")
        self.cert_file, self.key_file = certPath, keyPath
        if caPath:
            self.ssl_ca_cert = caPath
        self.ssl_context = None

    def set_mtls_contents(self, certContent: str, keyContent: str, caContent: str | None = None) -> None:
        """Client certificate, key and CA given as PEM text rather than files."""
        import ssl
        import tempfile
        context = ssl.create_default_context(cadata=caContent) if caContent else self._default_context()
        # load_cert_chain only reads files: write a private temporary file and remove it at once.
        fd, path = tempfile.mkstemp(suffix=".pem")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(certContent.strip() + "\n" + keyContent.strip() + "\n")
            context.load_cert_chain(path)
        finally:
            os.unlink(path)
        self.ssl_context = context

    def create_mtls_or_ssl_context(self) -> ssl.SSLContext | None:
        """The SSLContext the default HTTP client uses (None: let urllib3 build one)."""
        if self.ssl_context is not None:
            return self.ssl_context
        if self.cert_file and self.key_file:
            context = self._default_context()
            context.load_cert_chain(self.cert_file, self.key_file)
            self.ssl_context = context
        return self.ssl_context

    def _default_context(self) -> ssl.SSLContext:
        import ssl
        if self.ssl_ca_cert:
            return ssl.create_default_context(cafile=self.ssl_ca_cert)
        import certifi
        return ssl.create_default_context(cafile=certifi.where())

    # -- official helpers --------------------------------------------------------
    def get_api_key_with_prefix(self, identifier: str) -> str | None:
        key = self.api_key.get(identifier)
        if key and self.api_key_prefix.get(identifier):
            return f"{self.api_key_prefix[identifier]} {key}"
        return key

    def get_basic_auth_token(self) -> str:
        import base64
        return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()

    def auth_settings(self, access_token: str | None = None) -> dict[str, dict[str, Any]]:
        token = access_token or self.access_token
        return {"PureCloud OAuth": {"type": "oauth2", "in": "header", "key": "Authorization",
                                    "value": f"Bearer {token}"}}

    def to_debug_report(self) -> str:
        import platform
        import sys

        from . import __version__
        return (f"Python SDK Debug Report:\nOS: {platform.system()}\nPython Version: {sys.version.split()[0]}\n"
                f"Version of the API: v2\nSDK Package Version: {__version__}")

    def __repr__(self) -> str:
        # Never show secrets (tokens, proxy password).
        return f"<Configuration host={self.host!r} proxy={'set' if self.proxy else None}>"

    # -- configuration file --------------------------------------------------------
    @property
    def config_file_path(self) -> str:
        return self._config_file_path

    @config_file_path.setter
    def config_file_path(self, value: str) -> None:
        """Point at a configuration file: applied now if it exists, and (unless
        ``live_reload_config`` is false) watched from now on, so a file created or
        changed later is applied too."""
        self._config_file_path = value
        self._file_state = None
        self._update_config_from_file()
        self.stop_config_watcher()
        self.start_config_watcher()

    def apply_config_file(self) -> bool:
        """Read ``config_file_path`` now and apply it if it changed (True when applied).

        An invalid file is logged as an error and changes nothing."""
        return self._update_config_from_file()

    def _update_config_from_file(self) -> bool:
        """Apply the file if it changed; a malformed file keeps the last good settings."""
        path = self._config_file_path
        with self._config_lock:
            try:
                with open(path, "rb") as handle:
                    raw = handle.read()
            except OSError:
                return False
            state = (path, hash(raw))
            if state == self._file_state:
                return False
            try:
                settings = _parse_config(raw)
                self._apply(settings)
            except (ValueError, TypeError, KeyError) as exc:
                if state[1] not in self._bad_versions:
                    self._bad_versions.add(state[1])
                    import logging
                    logging.getLogger("PureCloudPlatformClientV2").error(
                        "invalid configuration file %s: %s; nothing of it was applied, the last good settings "
                        "stay until the file is fixed", path, exc)
                self._file_state = state
                return False
            self._file_state = state
            return True

    def _apply(self, settings: dict[str, dict[str, Any]]) -> None:
        # Validate everything first, then assign, so a bad value changes nothing.
        updates: list[tuple[Any, str, Any]] = []
        logging_ = settings.get("logging", {})
        conv: dict[str, Callable[[Any], Any]] = {"log_level": LogLevel.from_string, "log_format": LogFormat.from_string,
                "log_to_console": _to_bool, "log_file_path": str, "log_response_body": _to_bool,
                "log_request_body": _to_bool}
        for key, fn in conv.items():
            if key in logging_:
                updates.append((self.logger, key, fn(logging_[key])))
        reauth = settings.get("reauthentication", {})
        if "refresh_access_token" in reauth:
            updates.append((self, "should_refresh_access_token", _to_bool(reauth["refresh_access_token"])))
        if "refresh_token_wait_max" in reauth:
            updates.append((self, "refresh_token_wait_time", _to_number(reauth["refresh_token_wait_max"])))
        general = settings.get("general", {})
        if "host" in general:
            updates.append((self, "host", str(general["host"])))
        if "live_reload_config" in general:
            updates.append((self, "live_reload_config", _to_bool(general["live_reload_config"])))
        gateway = settings.get("gateway")
        if gateway is not None:
            if gateway.get("host"):
                gw = GatewayConfiguration(
                    host=str(gateway["host"]), protocol=gateway.get("protocol"), port=gateway.get("port", -1),
                    path_params_login=gateway.get("path_params_login"),
                    path_params_api=gateway.get("path_params_api"),
                    username=gateway.get("username"), password=gateway.get("password"))
                updates.append((self, "gateway_configuration", gw))
            else:
                updates.append((self, "gateway_configuration", None))
        retry = settings.get("retry")
        if retry is not None:
            from .retry import RetryConfiguration
            fields: dict[str, Callable[[Any], Any]] = {"max_retries": int, "max_retry_time": float, "retry_after_default": float,
                      "backoff_initial": float, "backoff_max": float, "retry_non_idempotent": _to_bool,
                      "retry_connection_errors": _to_bool, "max_timeout_retries": int}
            unknown = set(retry) - set(fields)
            if unknown:
                raise ValueError(f"unknown [retry] keys: {', '.join(sorted(unknown))}")
            updates.append((self, "retry", RetryConfiguration(
                **{k: fields[k](_to_number(v) if fields[k] in (int, float) else v) for k, v in retry.items()})))
        timeouts = settings.get("timeouts", {})
        for key in ("connect_timeout", "read_timeout", "deadline"):
            if key in timeouts:
                seconds = float(_to_number(timeouts[key]))
                if seconds <= 0:
                    raise ValueError(f"[timeouts] {key} must be a positive number of seconds")
                updates.append((self, key, seconds))
        limits = settings.get("limits", {})
        if "max_response_bytes" in limits:
            size = int(_to_number(limits["max_response_bytes"]))
            if size <= 0:
                raise ValueError("[limits] max_response_bytes must be a positive number of bytes")
            updates.append((self, "max_response_bytes", size))
        if "pacing" in settings.get("rate_limit", {}):
            updates.append((self, "rate_limit_pacing", _to_bool(settings["rate_limit"]["pacing"])))
        for target, name, value in updates:
            setattr(target, name, value)

    def start_config_watcher(self) -> None:
        """Watch the configuration file (event driven, via watchdog) and apply changes.

        The file's folder is watched, so a file created or replaced later is seen (for a path
        set in ``config_file_path``, even when its folder is created later).  For the default
        path, when ``~/.genesyscloudpython`` does not exist nothing is watched: the SDK creates
        no folders in the user's home and does not load watchdog (about 6 MB) for nothing;
        create the folder before starting the process to have it watched.
        """
        if self._watcher is not None or not self.live_reload_config:
            return
        default_folder = os.path.dirname(_default_config_path())
        folder = os.path.dirname(os.path.abspath(self._config_file_path))
        if folder == os.path.abspath(default_folder) and not os.path.isdir(folder):
            return
        from ._config_watch import ConfigWatcher
        self._watcher = ConfigWatcher(self._config_file_path, self._on_config_event)
        self._watcher.start()
        # A file written between the last read and the watch's start raised no event: read it now.
        self._update_config_from_file()

    def stop_config_watcher(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()

    def _on_config_event(self) -> None:
        if self.live_reload_config:
            self._update_config_from_file()


def __getattr__(name: str) -> Any:
    # ConfigFileEventHandler subclasses watchdog's handler: built on first use so that importing
    # the SDK does not import watchdog.
    if name == "ConfigFileEventHandler":
        from ._config_watch import config_file_event_handler_class
        handler = config_file_event_handler_class()
        globals()[name] = handler
        return handler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _to_number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None


def _parse_config(raw: bytes) -> dict[str, dict[str, Any]]:
    text = raw.decode("utf-8")
    if text.lstrip().startswith("{"):
        import json
        data = json.loads(text)
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise ValueError("JSON configuration must be an object of sections")
        return data
    import configparser
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise ValueError(str(exc).splitlines()[0]) from None
    return {section: dict(parser.items(section)) for section in parser.sections()}
