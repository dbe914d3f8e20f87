"""The one fault registry: rates, armed faults, immediate ones, every injection counted; and
the control API's orders that set them."""

from __future__ import annotations

from typing import Any

import pytest

from local_runtime.console import Console
from local_runtime.control import Control
from local_runtime.faults import Faults, parse_rates


def test_armed_faults_fire_count_times_for_their_key_and_are_counted() -> None:
    faults = Faults()
    faults.arm("target", "arn:t", 2)
    faults.arm("webhook_status", "webhook", 1, 502)
    assert faults.take("target", "arn:other") is None
    assert [faults.take("target", "arn:t") for _ in range(3)] == [True, True, None]
    assert faults.take("webhook_status", "webhook") == 502
    snapshot = faults.snapshot()
    assert snapshot["injected"]["target"] == 2
    assert snapshot["injected"]["webhook_status"] == 1
    assert snapshot["armed"] == {}
    with pytest.raises(ValueError, match="is not a fault that can be armed"):
        faults.arm("webhook", "webhook", 1)


def test_rates_parse_and_refuse_by_name() -> None:
    assert parse_rates("webhook=0.5, put_events=1") == {"webhook": 0.5, "put_events": 1.0}
    for bad, why in [
        ("webhook", "write kind=rate"),
        ("webhook=x", "is not a number"),
        ("nope=0.1", "unknown fault kind"),
        ("webhook=2", "from 0 to 1"),
    ]:
        with pytest.raises(ValueError, match=why):
            parse_rates(bad)


class _Quiet(Console):
    def __init__(self) -> None:
        super().__init__(verbosity=0)
        self.lines: list[str] = []

    def line(self, text: str, tone: str = "") -> None:
        self.lines.append(text)


def _control(drops: list[int]) -> tuple[Control, Faults]:
    faults = Faults()

    def drop() -> int:
        drops.append(1)
        return 3

    control = Control(_Quiet(), lambda: {}, faults, functions={"fn"}, drop_connections=drop)
    return control, faults


@pytest.mark.parametrize(
    ("order", "problem"),
    [
        ({"function": "nope", "fault": "timeout"}, "no function 'nope' in the plan"),
        ({"function": "fn", "fault": "melt"}, "fault must be timeout, crash, timeout_after or"),
        ({"stream_again": "nope"}, "no function 'nope' in the plan"),
        ({"function": "fn", "fault": "crash", "count": 0}, "count must be a positive integer"),
        ({"webhook_status": 99}, "must be an HTTP status"),
        ({"rates": {"webhook": 3}}, "from 0 to 1"),
        ({"something": 1}, "say which rates"),
    ],
)
def test_a_bad_order_is_refused_by_name(order: dict[str, Any], problem: str) -> None:
    control, _ = _control([])
    assert problem in str(control.order(order))


def test_orders_arm_and_count() -> None:
    drops: list[int] = []
    control, faults = _control(drops)
    assert control.order({"function": "fn", "fault": "crash", "count": 2}) is None
    assert control.order({"target": "arn:t"}) is None
    assert control.order({"duplicate": "arn:t", "count": 3}) is None
    assert control.order({"stream_again": "fn"}) is None
    assert control.order({"function": "fn", "fault": "crash_after"}) is None
    assert control.order({"webhook_status": 500, "count": 1}) is None
    assert control.order({"event_api": "drop_connections"}) is None
    assert control.order({"rates": {"webhook": 0.25}, "seed": 3}) is None
    snapshot = faults.snapshot()
    assert snapshot["armed"] == {
        "function_crash:fn": 2,
        "function_crash_after:fn": 1,
        "target:arn:t": 1,
        "duplicate_delivery:arn:t": 3,
        "stream_redelivery:fn": 1,
        "webhook_status:webhook": 1,
    }
    assert snapshot["injected"]["drop_connections"] == 3
    assert drops == [1]
    assert snapshot["rates"]["webhook"] == 0.25


def test_disarm_clears_what_was_armed_and_keeps_the_counts() -> None:
    control, faults = _control([])
    assert control.order({"function": "fn", "fault": "crash", "count": 2}) is None
    assert faults.take("function_crash", "fn") is True
    assert control.order({"disarm": True}) is None
    assert faults.snapshot()["armed"] == {}
    assert faults.take("function_crash", "fn") is None
    assert faults.snapshot()["injected"]["function_crash"] == 1
