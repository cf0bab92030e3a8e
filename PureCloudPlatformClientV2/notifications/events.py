"""What callers receive: ``NotificationEvent``, the ``JsonObject`` view of event bodies,
``ChannelInfo`` snapshots, and ``NotificationError``."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


class NotificationError(Exception):
    """The handler cannot do what was asked (limits, stopped handler, failed start)."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def wrap(value: Any) -> Any:
    """JSON objects (and lists of them) as :class:`JsonObject`; other values as they are."""
    if type(value) is dict:
        return JsonObject(value)
    if type(value) is list:
        return [wrap(item) for item in value]
    return value


class JsonObject:
    """Attribute access over a JSON object, keeping every field.

    ``obj.presenceDefinition`` and ``obj.presence_definition`` both read the wire key
    ``presenceDefinition``; ``obj["key"]`` reads a key as is; ``to_dict()`` returns the JSON.
    Missing keys read as None through attributes (as unset model fields do).
    """

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        object.__setattr__(self, "_data", data)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_data":
            raise AttributeError(name)
        data = self._data
        if name in data:
            return wrap(data[name])
        return wrap(data.get(_camel(name)))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("event data is read-only")

    def __getitem__(self, key: str) -> Any:
        return wrap(self._data[key])

    def get(self, key: str, default: Any = None) -> Any:
        return wrap(self._data.get(key, default))

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> Any:
        return self._data.keys()

    def to_dict(self) -> dict[str, Any]:
        return self._data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, JsonObject):
            return self._data == other._data
        return self._data == other if isinstance(other, dict) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __dir__(self) -> list[str]:
        return sorted(set(self._data))

    def __repr__(self) -> str:
        return f"JsonObject({self._data!r})"


class NotificationEvent:
    """One notification: ``topic_name``, ``version``, ``event_body`` (a model instance when a
    model was named for the topic, else a :class:`JsonObject`), ``metadata`` (JsonObject),
    ``raw`` (the whole message as parsed JSON, unknown fields included) and ``channel_id``."""

    __slots__ = ("topic_name", "version", "event_body", "metadata", "raw", "channel_id", "received_at")

    def __init__(self, raw: dict[str, Any], event_body: Any, channel_id: str) -> None:
        self.raw = raw
        self.topic_name: str = raw.get("topicName", "")
        self.version = raw.get("version")
        self.event_body = event_body
        meta = raw.get("metadata")
        self.metadata = JsonObject(meta if isinstance(meta, dict) else {})
        self.channel_id = channel_id
        self.received_at = time.time()

    @property
    def correlation_id(self) -> str | None:
        meta = self.raw.get("metadata")
        return meta.get("CorrelationId") if isinstance(meta, dict) else None

    def to_dict(self) -> dict[str, Any]:
        return self.raw

    def __repr__(self) -> str:
        return f"<NotificationEvent {self.topic_name} on {self.channel_id}>"


@dataclass(frozen=True)
class ChannelInfo:
    """A snapshot of one channel the handler keeps."""

    id: str
    connect_uri: str
    topics: int
    connected: bool
    age: float
