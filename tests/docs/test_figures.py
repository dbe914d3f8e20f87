"""Benchmark figures in docs/performance.md come from make bench's JSON (tools/bench_docs.py):
the page is what the record renders, a changed figure changes the page, and a partial run
replaces only what it measured."""

from __future__ import annotations

import copy
import json
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
from bench_docs import PAGE, RECORD, merge, render


def test_the_page_shows_the_record() -> None:
    page = PAGE.read_text()
    assert render(page, json.loads(RECORD.read_text())) == page, (
        "docs/performance.md's bench figures are stale: run `python tools/bench_docs.py`"
    )


def test_a_changed_figure_changes_the_page() -> None:
    record = json.loads(RECORD.read_text())
    page = PAGE.read_text()
    changed = copy.deepcopy(record)
    row = next(r for r in changed["cold_init"]["rows"] if r["name"] == "handlers.channels.handler")
    row["ratio_same_bytecode"], row["met_same_bytecode"] = 0.39, True
    changed["plan"]["median_seconds"] = 31.0
    changed["plan"]["met"] = False
    written = render(page, changed)
    assert "| `handlers.channels.handler` |" in written
    assert "**0.39x** (<= 0.40x ok)" in written
    assert "**31.0 s**" in written
    assert "budget <= 30 s: missed" in written


def test_a_partial_run_replaces_only_what_it_measured() -> None:
    record = json.loads(RECORD.read_text())
    run = {"machine": {"cpus": 2}, "plan": {**record["plan"], "median_seconds": 9.9}}
    merged = merge(record, run, "abc1234", "2026-12-06")
    assert merged["plan"]["median_seconds"] == 9.9
    assert (merged["plan"]["commit"], merged["plan"]["date"]) == ("abc1234", "2026-12-06")
    assert merged["cold_init"] == record["cold_init"]  # not measured by this run: kept
    assert merged["machine"] == {"cpus": 2}


def test_a_page_without_a_block_is_refused() -> None:
    page = PAGE.read_text().replace("<!-- bench:plan:start -->", "")
    with pytest.raises(SystemExit, match="no bench:plan:start"):
        render(page, json.loads(RECORD.read_text()))
