"""Topic names: the grammar the handler accepts, combined topics, and callback patterns."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

HEARTBEAT_TOPIC = "channel.metadata"
SOCKET_CLOSING_TOPIC = "v2.system.socket_closing"
TOKEN_REVOKED_PREFIX = "v2.system.token_revoked"
MAX_TOPICS_PER_CHANNEL = 1000
MAX_CHANNELS = 20

_SEGMENT = r"[A-Za-z0-9_\-]+"
_TOPIC_RE = re.compile(rf"v2(?:\.{_SEGMENT})+(?:\?{_SEGMENT}(?:&{_SEGMENT})*)?")


def validate_topic(topic: Any) -> str:
    """Return ``topic`` if it is a well-formed topic name, else raise ValueError.

    Accepted: ``v2.`` followed by dot-separated segments of letters, digits, ``-`` and ``_``,
    optionally with the combined form ``v2.users.{id}?presence&routingStatus``. A placeholder
    left in (``{id}``), spaces, or the server-side topics (``channel.metadata``, ``v2.system.*``)
    are rejected.
    """
    if not isinstance(topic, str):
        raise ValueError(f"a topic is a string, not {type(topic).__name__}")
    if not _TOPIC_RE.fullmatch(topic):
        hint = " (replace the {id} placeholder)" if "{" in topic else ""
        raise ValueError(f"invalid topic name {topic!r}{hint}")
    if topic.startswith("v2.system."):
        raise ValueError(f"{topic!r} is sent by the server; it cannot be subscribed")
    return topic


def expand_topic(topic: str) -> list[str]:
    """The topic names events arrive with: ``v2.users.X?presence&routingStatus`` gives
    ``v2.users.X.presence`` and ``v2.users.X.routingStatus``; a plain topic gives itself."""
    base, sep, rest = topic.partition("?")
    if not sep:
        return [topic]
    return [f"{base}.{part}" for part in rest.split("&") if part]


def as_topic_list(topics: str | Iterable[str]) -> list[str]:
    """One topic or many, validated, duplicates removed, order kept."""
    items = [topics] if isinstance(topics, str) else list(topics)
    seen: dict[str, None] = {}
    for topic in items:
        seen[validate_topic(topic)] = None
    return list(seen)


def pattern_regex(pattern: str | re.Pattern[str]) -> re.Pattern[str]:
    """``*`` matches any run of characters (dots included); everything else is literal."""
    if isinstance(pattern, re.Pattern):
        return pattern
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))
