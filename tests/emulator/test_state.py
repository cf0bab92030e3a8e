"""Stored state over HTTP: collections by short name, list/scalar bodies, sub-resources and expand,
server-set fields, versions, enum case."""
from __future__ import annotations

import pytest


def test_short_collection_names(api, emulator):
    created = api.post("/api/v2/routing/queues", json={"name": "Short Names"}).json()
    assert [q["id"] for q in emulator.entities("queues")] == [created["id"]]
    assert emulator.entities("routing/queues") == emulator.entities("/api/v2/routing/queues")
    assert len(emulator.entities("users")) == 31  # 30 seeded + admin
    assert emulator.get_entity("queues", created["id"])["name"] == "Short Names"
    with pytest.raises(ValueError, match="unknown collection 'quesues'"):
        emulator.entities("quesues")
    with pytest.raises(ValueError, match="ambiguous"):
        emulator.entities("jobs")
    with pytest.raises(ValueError, match="unknown collection"):
        emulator.entities("/api/v2/no/such/thing")
    seeded = emulator.seed("skills", [{"name": "Seeded skill"}])
    assert api.get(f"/api/v2/routing/skills/{seeded[0]['id']}").json()["name"] == "Seeded skill"
