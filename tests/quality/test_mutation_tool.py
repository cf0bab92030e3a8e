"""scripts/mutation picks the tests that run against each mutant from per-test coverage. A
mistake there would inflate the published scores (a mutant "survives" only because the test
that kills it was left out), so the choice is tested here."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("mutation_driver", ROOT / "scripts" / "mutation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutation_driver"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("mutation_driver", None)


SOURCE = '''\
import functools


@functools.cache
def decide(a,
           b):
    if (a >
            b):
        return a
    total = (a +
             b)
    return total
'''


def mutant(first: int, last: int | None = None) -> SimpleNamespace:
    return SimpleNamespace(start_pos=(first, 0), end_pos=(last or first, 1))


def test_lines_of_a_statement_map_to_its_first_line_and_bodies_stay_separate(tool) -> None:
    anchors = tool.statement_lines(SOURCE)
    assert anchors[5] == 5 and anchors[6] == 5          # the def's signature, not its body
    assert anchors[7] == 7 and anchors[8] == 7          # a two-line `if` test
    assert anchors[9] == 9                              # the body of the if
    assert anchors[10] == 10 and anchors[11] == 10      # a two-line assignment
    assert 4 not in anchors                             # the decorator line belongs to no statement


def test_a_mutant_runs_exactly_the_tests_that_execute_its_statement_in_list_order(tool) -> None:
    anchors = tool.statement_lines(SOURCE)
    mapping = {"order": ["t::c", "t::a", "t::b"],
               "lines": {"7": ["t::a", "t::b"], "9": ["t::a"], "10": ["t::b", "t::c"], "5": [""]}}
    assert tool.tests_for(mutant(8), mapping, anchors) == ["t::a", "t::b"]    # continuation line of the if
    assert tool.tests_for(mutant(9), mapping, anchors) == ["t::a"]
    assert tool.tests_for(mutant(11), mapping, anchors) == ["t::c", "t::b"]   # the focused list's order
    assert tool.tests_for(mutant(9, 10), mapping, anchors) == ["t::c", "t::a", "t::b"]


def test_lines_run_outside_a_test_or_invisible_to_coverage_run_every_test(tool) -> None:
    anchors = tool.statement_lines(SOURCE)
    mapping = {"order": ["t::a"], "lines": {"5": [""], "9": ["t::a"]}}
    assert tool.tests_for(mutant(6), mapping, anchors) is None   # import time: the def line ran in no test
    assert tool.tests_for(mutant(4), mapping, anchors) is None   # a decorator: not a statement coverage maps


def test_a_statement_no_test_executes_runs_no_test(tool) -> None:
    anchors = tool.statement_lines(SOURCE)
    mapping = {"order": ["t::a"], "lines": {"9": ["t::a"]}}
    assert tool.tests_for(mutant(11), mapping, anchors) == []
