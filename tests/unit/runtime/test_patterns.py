"""The EventBridge pattern matcher against its conformance corpus (``patterns_corpus.json``):
every case is a pattern, an event and AWS's answer, or a pattern AWS refuses and its reason,
each naming where the fact comes from. Zero disagreements is the bar."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from local_runtime.events.patterns import EVENTBRIDGE, InvalidPatternError, Pattern

CORPUS = json.loads(
    (Path(__file__).with_name("patterns_corpus.json")).read_text(), parse_float=Decimal
)
CASES: list[dict[str, Any]] = CORPUS["cases"]
SOURCE = re.compile(r"^(UG|Lambda|ruler): \S.+, \S")


def _id(index: int, case: dict[str, Any]) -> str:
    return f"{index:03d}-{case['source'][:60]}"


def test_the_corpus_is_large_and_every_case_names_its_source() -> None:
    assert len(CASES) >= 200
    assert [c["source"] for c in CASES if not SOURCE.match(c["source"])] == []
    kinds = {("matches" in c, "invalid" in c) for c in CASES}
    assert kinds == {(True, False), (False, True)}
    assert sum(c.get("matches") is True for c in CASES) >= 80
    assert sum(c.get("matches") is False for c in CASES) >= 80
    assert sum("invalid" in c for c in CASES) >= 50


@pytest.mark.parametrize("case", CASES, ids=[_id(i, c) for i, c in enumerate(CASES)])
def test_case(case: dict[str, Any]) -> None:
    dialect = case.get("dialect", EVENTBRIDGE)
    if "invalid" in case:
        with pytest.raises(InvalidPatternError) as refused:
            Pattern(case["pattern"], dialect)
        assert case["invalid"] in refused.value.reason
        assert str(refused.value).startswith("Event pattern is not valid. Reason: ")
        return
    event = case["event"]
    pattern = Pattern(case["pattern"], dialect)
    assert (
        pattern.matches(CORPUS["events"][event] if isinstance(event, str) else event)
        is (case["matches"])
    )


def test_a_pattern_read_from_text_keeps_every_digit() -> None:
    """Terraform hands the pattern over as JSON text: a number no binary64 holds is refused
    there as EventBridge refuses it, though Python's own float would round it quietly."""
    with pytest.raises(InvalidPatternError, match="Cannot compare number"):
        Pattern('{"x": [{"numeric": [">", 1.00000000000000000001]}]}')
    assert Pattern('{"x": [{"numeric": [">", 1.5]}]}').matches({"x": 2})


def test_an_oversized_pattern_is_refused_as_put_rule_refuses_it() -> None:
    long = json.dumps({"source": ["x" * 4100]})
    with pytest.raises(InvalidPatternError, match="at most 4096"):
        Pattern(long)


def test_one_event_read_once_serves_every_rule() -> None:
    from local_runtime.events.patterns.matcher import by_name  # noqa: PLC0415

    event = CORPUS["events"]["ruler-readme"]
    leaves = by_name(event)
    rules = [Pattern({"source": ["aws.ec2"]}), Pattern({"detail": {"c-count": [5]}})]
    assert [r.matches_leaves(leaves) for r in rules] == [r.matches(event) for r in rules]
    assert sorted(leaves)[:3] == ["account", "detail-type", "detail.c-count"]
