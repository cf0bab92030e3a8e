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
    """One parameter: Python name, wire name, location, spec type, required flag, local checks, and
    the annotation of the method's argument (``inspect.signature``; the stubs carry the same)."""

    __slots__ = ("name", "wire", "location", "type", "required", "checks", "annotation")

    def __init__(self, name: str, wire: str, location: str, type_: str, required: bool = False,
                 checks: dict[str, Any] | None = None, annotation: str | None = None) -> None:
        self.name = name
        self.wire = wire
        self.location = location
        self.type = type_
        self.required = required
        self.checks = checks
        self.annotation = annotation or type_


class Operation:
    """One API operation, as data; :meth:`build_request` binds arguments to an HTTP request."""

    __slots__ = ("name", "method", "path", "returns", "params", "auth", "accepts", "content_types", "deprecated",
                 "preview", "annotation", "_accept", "_content_type")

    def __init__(self, name: str, method: str, path: str, returns: str | None, params: tuple[Param, ...], *,
                 auth: bool = True, accepts: tuple[str, ...] = ("application/json",),
                 content_types: tuple[str, ...] = ("application/json",), deprecated: bool = False,
                 preview: bool = False, annotation: str | None = None) -> None:
        self.name = name
        self.annotation = annotation or str(returns)  # the method's return annotation
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

    @staticmethod
    def rows(rows: tuple[tuple[Any, ...], ...]) -> dict[str, Operation]:
        """The operations of a generated module, from constant rows (compact in bytecode, unlike
        one constructor call per operation and parameter):
        ``(name, method, path, returns, return annotation, params, options)``, a param being
        ``(name, wire, location, type, annotation, required, checks)`` (trailing items optional,
        ``checks`` and ``options`` as key/value pairs)."""
        ops = {}
        for name, method, path, returns, annotation, params, *options in rows:
            ps = tuple(Param(p[0], p[1], p[2], p[3], len(p) > 5 and p[5], dict(p[6]) if len(p) > 6 else None, p[4])
                       for p in params)
            ops[name] = Operation(name, method, path, returns, ps, annotation=annotation,
                                  **dict(options[0] if options else ()))
        return ops

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


def _method_body(self: Any, **options: Any) -> Any:
    # Every generated method runs this code: ``add_methods`` copies it with an operation's
    # parameter names (so it may refer to no local by name but ``self``, the first) and the
    # placeholder constant replaced by the operation.  ``_call`` is called from here directly, so
    # a warning's stack level counts the same frames as for a written-out method.
    return self._call("<operation>", *_arguments("<operation>", locals()))


def _arguments(op: Any, local_values: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """(arguments in the operation's parameter order, call options) from a method's locals."""
    return tuple([local_values[p.name] for p in op.params]), local_values["options"]


def add_methods(cls: type, module_file: str) -> None:
    """Give a generated API class one method per operation of its ``_operations`` table.

    Each is a real function with the operation's signature (required parameters positional,
    optional ones keyword-only defaulting to ``None``, then ``**options``), so Python binds and
    checks the arguments and ``inspect.signature`` shows them, annotations included.  They are
    built from the table rather than written out in the module: 3,500 ``def`` statements cost
    megabytes of source and bytecode on disk for identical bodies.  Docstrings come from the
    stub (:func:`attach_docs`)."""
    template = _method_body.__code__
    function: Any = type(_method_body)  # types.FunctionType, without importing types
    namespace = _method_body.__globals__
    consts = list(template.co_consts)
    slot = consts.index("<operation>")
    prefix, module = cls.__name__ + ".", cls.__module__
    qualified = hasattr(template, "co_qualname")  # 3.11+
    for name, op in cls._operations.items():  # type: ignore[attr-defined]
        required = [p for p in op.params if p.required]
        optional = [p for p in op.params if not p.required]
        names = ("self", *[p.name for p in required], *[p.name for p in optional], "options")
        consts[slot] = op
        code = template.replace(co_argcount=1 + len(required), co_kwonlyargcount=len(optional), co_varnames=names,
                                co_nlocals=len(names), co_name=name, co_consts=tuple(consts),
                                **({"co_qualname": prefix + name} if qualified else {}))
        fn = function(code, namespace, name)
        fn.__qualname__ = prefix + name
        fn.__module__ = module
        annotations = {p.name: p.annotation for p in required}
        if optional:
            fn.__kwdefaults__ = dict.fromkeys(names[1 + len(required):-1])
            for p in optional:
                annotations[p.name] = p.annotation + " | None"
        annotations["options"] = "Unpack[CallOptions]"
        annotations["return"] = op.annotation
        fn.__annotations__ = annotations
        setattr(cls, name, fn)
    attach_docs(cls, module_file)


def attach_docs(cls: type, module_file: str) -> None:
    """Set the docstrings of a generated API class's methods from the typing stub beside its module.

    The docstrings are stored once, in ``apis/<module>.pyi`` (what IDEs and type checkers read);
    writing them into the ``.py`` as well would store them twice more on disk (source and
    bytecode).  This is one file read and a string split (no parsing) when the module is imported.
    Without the stub (stripped install, ``python -OO``) the methods simply have no docstring."""
    if __import__("sys").flags.optimize >= 2:
        return
    try:
        with open(module_file.rpartition(".")[0] + ".pyi", encoding="utf-8") as f:
            parts = f.read().split('"""')
    except OSError:
        return
    # parts alternate: code, docstring, code, ...; a method's docstring follows its ``def`` line.
    methods = cls.__dict__
    for i in range(1, len(parts), 2):
        head = parts[i - 1]
        start = head.rfind("\n    def ")
        if start == -1:
            continue
        fn = methods.get(head[start + 9:head.find("(", start)])
        if fn is not None:
            doc = parts[i]  # the generator doubles each backslash in the stub: undo that
            fn.__doc__ = doc.replace("\\\\", "\\") if "\\" in doc else doc


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
