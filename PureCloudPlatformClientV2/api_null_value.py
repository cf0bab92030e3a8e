"""``ApiNullValue()``: put it in a model attribute to send an explicit JSON ``null``."""
from __future__ import annotations

from typing import Any


class ApiNullValue:
    """Singleton marker: an attribute holding it is sent as ``null`` instead of being left out."""

    _instance: ApiNullValue | None = None

    def __new__(cls) -> ApiNullValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ApiNullValue()"

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, ApiNullValue)

    def __hash__(self) -> int:
        return 0
