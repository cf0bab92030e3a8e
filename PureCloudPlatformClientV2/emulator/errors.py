"""Errors in the platform's shapes, and the JSON encoder the emulator uses."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

try:  # orjson is optional; it only makes the benchmark faster.
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None  # type: ignore[assignment]


def dumps(value: Any) -> bytes:
    if _orjson is not None:
        return _orjson.dumps(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def now_iso() -> str:
    """The platform's timestamp format: UTC, milliseconds, a trailing Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class ApiError(Exception):
    """Raised by handlers; rendered as the platform's ErrorBody."""

    def __init__(self, status: int, code: str, message: str, *, details: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None, entity_id: str | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}
        self.entity_id = entity_id
        self.extra = extra or {}

    def body(self, correlation_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code, "status": self.status,
                                "contextId": correlation_id, "details": self.details, "errors": []}
        if self.entity_id:
            body["entityId"] = self.entity_id
        body.update(self.extra)
        return body


def not_found(what: str = "resource", entity_id: str | None = None) -> ApiError:
    msg = f"Unable to find a {what} with id '{entity_id}'" if entity_id else f"The requested {what} was not found."
    return ApiError(404, "not.found", msg, entity_id=entity_id)


def bad_request(message: str, field: str | None = None) -> ApiError:
    details = [{"errorCode": "invalid.value", "fieldName": field}] if field else []
    return ApiError(400, "bad.request", message, details=details)


class OAuthError(Exception):
    """Raised by the login host; rendered as {error, description, error_description}."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "description": self.description, "error_description": self.description}
