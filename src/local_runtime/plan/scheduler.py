"""EventBridge Scheduler schedules, as the plan gives them."""

from __future__ import annotations

import re

from local_runtime.plan.changes import Change, name_from_arn
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import ScheduleSpec

# "Schedule types on EventBridge Scheduler" (EventBridge Scheduler User Guide): a rate is a
# positive whole number and a unit; 1 takes the singular, more the plural.
_RATE = re.compile(r"rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str, address: str) -> int:
    """The interval of a ``rate(...)`` expression, in seconds; the runtime runs no other kind."""
    match = _RATE.fullmatch(expression)
    if match is None:
        raise UnsupportedError(
            f"{address}: schedule {expression!r}: the runtime runs rate(...) schedules only "
            "(cron and one-time at(...) schedules are not emulated)"
        )
    value, unit = int(match.group(1)), match.group(2)
    if (value == 1) != (not unit.endswith("s")):
        raise UnsupportedError(
            f"{address}: schedule {expression!r}: a rate of 1 takes the singular unit, more the "
            "plural (rate(1 minute), rate(5 minutes)), as EventBridge Scheduler requires"
        )
    return value * _UNIT_SECONDS[unit.rstrip("s")]


def read_schedules(by_type: dict[str, list[Change]]) -> tuple[ScheduleSpec, ...]:
    """Every enabled schedule; each must target a Lambda function (its ARN, or the runtime
    stops naming the schedule)."""
    schedules = []
    for change in by_type.get("aws_scheduler_schedule", []):
        if change.get("state", required=False) == "DISABLED":
            continue
        target = change.first("target") or {}
        arn = change.get("target", 0, "arn")
        function = name_from_arn(arn, change.address, "target.arn", "lambda")
        expression = change.get("schedule_expression")
        schedules.append(
            ScheduleSpec(
                address=change.address,
                name=change.get("name"),
                interval_seconds=rate_seconds(expression, change.address),
                function=function,
                input=target.get("input") or "{}",
            )
        )
    return tuple(schedules)
