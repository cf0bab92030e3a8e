"""The soak benchmark (``benchmarks/soak.py``) for 30 seconds: memory flat after warm-up, no leaks.

The 10-minute run is ``python benchmarks/soak.py`` (figures in docs/reliability.md)."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _soak_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reliability_soak", ROOT / "benchmarks" / "soak.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_30_second_soak() -> None:
    figures = _soak_module().run_soak(30.0, threads=8, fault_rate=0.05, warmup=10.0, sample_every=2.0)
    print(f"\nsoak: {figures['calls']} calls, {figures['calls_per_second']} calls/s, {figures['outcomes']}, "
          f"faults {figures['faults_injected']}, RSS +{figures['rss_growth_after_warmup_mb']} MB after warm-up")
    outcomes = figures["outcomes"]
    assert not [k for k in outcomes if k.startswith("UNDOCUMENTED")], outcomes
    assert figures["crosstalk"] == 0
    assert figures["calls"] > 1000 and outcomes.get("ok", 0) / figures["calls"] > 0.9
    assert sum(figures["faults_injected"].values()) >= figures["calls"] * 0.03
    assert figures["rss_growth_after_warmup_mb"] < 5.0, figures["rss_samples_mb"]
    assert figures["after"]["threads"] <= figures["before"]["threads"]
    assert figures["after"]["sockets"] <= figures["before"]["sockets"]
