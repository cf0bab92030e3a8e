"""``ApiNullValue()``: put it in a model attribute to send an explicit JSON ``null``."""
from __future__ import annotations

import threading

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: importing the SDK stays cheap
    from typing import Any, Callable


class ApiNullValue:
    """Singleton marker: an attribute holding it is sent as ``null`` instead of being left out.

    Like a model it has ``swagger_types``/``attribute_map`` (both empty) and ``to_dict()``/
    ``to_json()``, which return None."""

    _instance: ApiNullValue | None = None
    swagger_types: dict[str, str] = {}  # noqa: RUF012 - read-only, as on a model without fields
    attribute_map: dict[str, str] = {}

    def __new__(cls) -> ApiNullValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def to_dict(self) -> None:
        return None

    def to_json(self) -> None:
        return None

    def __repr__(self) -> str:
        return "ApiNullValue()"

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, ApiNullValue)

    def __hash__(self) -> int:
        return 0


def singleton(cls: Any, *args: Any, **kw: Any) -> Callable[[], Any]:
    """The official modules' class decorator: a no-argument factory that makes ``cls(*args, **kw)``
    once and returns that instance on every call.

    Kept importable for scripts; our ``ApiNullValue`` and ``Configuration`` are shared through
    ``__new__`` instead, so ``isinstance`` keeps working with them (the decorator breaks it)."""
    instances: dict[Any, Any] = {}
    lock = threading.Lock()

    def get_instance() -> Any:
        with lock:
            if cls not in instances:
                instances[cls] = cls(*args, **kw)
            return instances[cls]
    return get_instance
