"""Helpers kept for scripts that import them from the official module path."""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

from ._serde import to_wire

string_types = (bytes, str)  # the official module's "is it text" tuple


def sanitize_for_serialization(obj: Any) -> Any:
    """JSON-ready form of a value (models by wire names, None attributes left out)."""
    return to_wire(obj)


def deprecated(reason: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: warn with DeprecationWarning when the function is called."""
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            warnings.warn(f"Call to deprecated function {func.__name__} ({reason}).", DeprecationWarning,
                          stacklevel=2)
            return func(*args, **kwargs)
        return wrapper
    return decorate
