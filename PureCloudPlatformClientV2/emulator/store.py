"""The in-memory data: one ordered collection per concrete collection path, plus singletons
(the body last PUT/PATCHed to a path without an id: an object, a list or a scalar)."""
from __future__ import annotations

import copy
from typing import Any


class Store:
    """Entities keyed by the concrete path of their collection (``/api/v2/routing/queues``,
    ``/api/v2/routing/queues/<id>/wrapupcodes``), so nested resources stay apart per parent."""

    def __init__(self) -> None:
        self.collections: dict[str, dict[str, dict[str, Any]]] = {}
        self.singletons: dict[str, Any] = {}

    def collection(self, path: str) -> dict[str, dict[str, Any]]:
        coll = self.collections.get(path)
        if coll is None:
            coll = self.collections[path] = {}
        return coll

    def get(self, path: str, entity_id: str) -> dict[str, Any] | None:
        coll = self.collections.get(path)
        return coll.get(entity_id) if coll else None

    def put(self, path: str, entity: dict[str, Any]) -> dict[str, Any]:
        self.collection(path)[entity["id"]] = entity
        return entity

    def delete(self, path: str, entity_id: str) -> dict[str, Any] | None:
        coll = self.collections.get(path)
        return coll.pop(entity_id, None) if coll else None

    def snapshot(self) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, Any]]:
        return copy.deepcopy(self.collections), copy.deepcopy(self.singletons)

    def restore(self, snap: tuple[dict[str, dict[str, dict[str, Any]]], dict[str, Any]]) -> None:
        self.collections, self.singletons = copy.deepcopy(snap[0]), copy.deepcopy(snap[1])
