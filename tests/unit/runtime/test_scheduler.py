"""Schedules, locally: rate expressions read as EventBridge Scheduler reads them ("Schedule
types on EventBridge Scheduler": a whole number and a unit, singular for 1, plural for more),
and a runner that invokes its function every interval times --delay-scale."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest

from local_runtime.console import Console
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import ScheduleSpec
from local_runtime.plan.scheduler import rate_seconds
from local_runtime.scheduler.runner import ScheduleRunner


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(1 hour)", 3600),
        ("rate(12 hours)", 43200),
        ("rate(1 day)", 86400),
        ("rate(7 days)", 604800),
    ],
)
def test_a_rate_is_its_interval(expression: str, seconds: int) -> None:
    assert rate_seconds(expression, "aws_scheduler_schedule.x") == seconds


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("rate(1 minutes)", "a rate of 1 takes the singular unit"),
        ("rate(5 minute)", "a rate of 1 takes the singular unit"),
        ("rate(0 minutes)", "rate(...) schedules only"),
        ("rate(5 seconds)", "rate(...) schedules only"),
        ("cron(0 12 * * ? *)", "cron and one-time at(...) schedules are not emulated"),
        ("at(2026-12-05T10:00:00)", "cron and one-time at(...) schedules are not emulated"),
    ],
)
def test_what_the_runtime_does_not_run_is_refused_at_start(expression: str, words: str) -> None:
    with pytest.raises(UnsupportedError, match=r"aws_scheduler_schedule\.x: schedule") as error:
        rate_seconds(expression, "aws_scheduler_schedule.x")
    assert words in str(error.value)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def invoke_async(self, name: str, payload: Any, correlation: str) -> str:
        self.calls.append((name, payload))
        return correlation


def test_the_runner_invokes_its_function_each_interval_with_the_input() -> None:
    spec = ScheduleSpec(
        address="aws_scheduler_schedule.sweep[0]",
        name="sweep",
        interval_seconds=60,
        function="platform-local-presence-sweep",
        input='{"source": "presence-sweep-schedule"}',
    )
    functions = Recorder()

    async def run() -> None:
        runner = ScheduleRunner(spec, functions, Console(stream=io.StringIO()), delay_scale=0.001)  # type: ignore[arg-type]
        runner.start()
        await asyncio.sleep(0.25)  # about four intervals of 0.06 s
        await runner.stop()
        assert runner.status()["runs"] == len(functions.calls)

    asyncio.run(run())
    assert 2 <= len(functions.calls) <= 5
    assert all(
        call == ("platform-local-presence-sweep", {"source": "presence-sweep-schedule"})
        for call in functions.calls
    )
