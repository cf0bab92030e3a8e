"""Operation descriptors and the base class of the generated API classes."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._request import AsyncCallOptions as AsyncCallOptions  # asyncio stubs: ``**options: Unpack[...]``
    from ._request import CallOptions as CallOptions  # generated signatures: ``**options: Unpack[CallOptions]``
    from ._request import Request
    from .api_client import ApiClient


class Param:
    """One parameter: Python name, wire name, location, spec type, required flag, local checks."""

    __slots__ = ("name", "wire", "location", "type", "required", "checks")

    def __init__(self, name: str, wire: str, location: str, type_: str, required: bool = False,
                 checks: dict[str, Any] | None = None) -> None:
        self.name = name
        self.wire = wire
        self.location = location
        self.type = type_
        self.required = required
        self.checks = checks


class Operation:
    """One API operation, as data; :meth:`build_request` binds arguments to an HTTP request."""

    __slots__ = ("name", "method", "path", "returns", "params", "auth", "accepts", "content_types", "deprecated",
                 "preview", "_accept", "_content_type")

    def __init__(self, name: str, method: str, path: str, returns: str | None, params: tuple[Param, ...], *,
                 auth: bool = True, accepts: tuple[str, ...] = ("application/json",),
                 content_types: tuple[str, ...] = ("application/json",), deprecated: bool = False,
                 preview: bool = False) -> None:
        self.name = name
        self.method = method
        self.path = path
        self.returns = returns
        self.params = params
        self.auth = auth
        self.accepts = accepts
        self.content_types = content_types
        self.deprecated = deprecated
        self.preview = preview
        lowered = [a.lower() for a in accepts]
        self._accept = "application/json" if "application/json" in lowered else ", ".join(lowered)
        lowered = [c.lower() for c in content_types]
        self._content_type = "application/json" if "application/json" in lowered else lowered[0]

    @staticmethod
    def table(*ops: Operation) -> dict[str, Operation]:
        return {op.name: op for op in ops}

    def __repr__(self) -> str:
        return f"<Operation {self.name}: {self.method} {self.path}>"

    def build_request(self, args: tuple[Any, ...]) -> Request:
        if _helpers is None:
            _load_helpers()
        Request, check_header, param_text, quote_path_segment, ApiNullValue = _helpers  # type: ignore[misc]
        path = self.path
        query: list[tuple[str, str]] = []
        headers = {"Accept": self._accept, "Content-Type": self._content_type}
        body = None
        for param, value in zip(self.params, args, strict=True):
            if value is None or isinstance(value, ApiNullValue):
                if param.required:
                    raise ValueError(f"Missing the required parameter `{param.name}` when calling `{self.name}`")
                continue
            if param.checks:
                _check(self.name, param, value)
            location = param.location
            if location == "query":
                query.append((param.wire, param_text(value)))
            elif location == "path":
                path = path.replace("{" + param.wire + "}", quote_path_segment(value))
            elif location == "body":
                body = value
            elif location == "header":
                text = param_text(value)
                check_header(param.wire, text)
                headers[param.wire] = text
        return Request(self.method, path, query=query, headers=headers, body=body, auth=self.auth,
                        returns=self.returns, name=self.name)


_helpers: tuple[Any, ...] | None = None


def _load_helpers() -> None:
    # Loaded on the first call, not at import: using an API class must not load typing and the
    # request machinery before its first call (tests/test_import_cost.py).
    global _helpers
    from ._request import Request, check_header, param_text, quote_path_segment
    from .api_null_value import ApiNullValue
    _helpers = (Request, check_header, param_text, quote_path_segment, ApiNullValue)


def _check(op_name: str, param: Param, value: Any) -> None:
    """The local validations the official SDK makes (patterns, bounds, lengths)."""
    checks = param.checks or {}
    where = f"parameter `{param.name}` when calling `{op_name}`"
    pattern = checks.get("pattern")
    if pattern is not None and not __import__("re").match(pattern, str(value)):
        raise ValueError(f"Invalid value for {where}: {value!r} must match the pattern `{pattern}`")
    if "maximum" in checks or "minimum" in checks:
        try:
            number = float(value)  # some bounded parameters are declared as strings
        except (TypeError, ValueError):
            raise ValueError(f"Invalid value for {where}: expected a number, got {value!r}") from None
        if "maximum" in checks and number > checks["maximum"]:
            raise ValueError(f"Invalid value for {where}: must be at most {checks['maximum']}, got {value!r}")
        if "minimum" in checks and number < checks["minimum"]:
            raise ValueError(f"Invalid value for {where}: must be at least {checks['minimum']}, got {value!r}")
    if "maxLength" in checks and len(value) > checks["maxLength"]:
        raise ValueError(f"Invalid value for {where}: length must be at most {checks['maxLength']}")
    if "minLength" in checks and len(value) < checks["minLength"]:
        raise ValueError(f"Invalid value for {where}: length must be at least {checks['minLength']}")


def attach_docs(cls: type, module_file: str) -> None:
    """Set the docstrings of a generated API class's methods from the typing stub beside its module.

    The docstrings are stored once, in ``apis/<module>.pyi`` (what IDEs and type checkers read);
    writing them into the ``.py`` as well would store them twice more on disk (source and
    bytecode).  This is one file read and a string scan (no parsing) when the module is imported.
    Without the stub (stripped install, ``python -OO``) the methods simply have no docstring."""
    if __import__("sys").flags.optimize >= 2:
        return
    try:
        with open(module_file.rpartition(".")[0] + ".pyi", encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return
    methods = cls.__dict__
    marker = "\n    def "
    pos = text.find(marker)
    while pos != -1:
        start = pos + len(marker)
        following = text.find(marker, start)
        doc_start = text.find('"""', start)
        if doc_start != -1 and (following == -1 or doc_start < following):
            fn = methods.get(text[start:text.find("(", start)])
            if fn is not None:  # the generator doubles each backslash in the stub: undo that
                fn.__doc__ = text[doc_start + 3:text.find('"""', doc_start + 3)].replace("\\\\", "\\")
        pos = following


class BaseApi:
    """Base of every API class: holds the ``ApiClient`` the calls go through."""

    _operations: dict[str, Operation] = {}

    def __init__(self, api_client: ApiClient | None = None) -> None:
        if api_client is None:
            from .api_client import ApiClient
            from .configuration import Configuration
            config = Configuration()
            if config.api_client is None:
                config.api_client = ApiClient()
            api_client = config.api_client
        self.api_client = api_client

    def _call(self, op: Operation, args: tuple[Any, ...], options: Any) -> Any:
        return self.api_client._invoke(op, args, options)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
