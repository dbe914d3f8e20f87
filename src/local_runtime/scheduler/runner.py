"""A planned schedule, run: every ``interval * --delay-scale`` seconds its function is invoked
asynchronously with the target's input, as EventBridge Scheduler invokes a Lambda target
("Using templated targets: Lambda Invoke", InvocationType Event). The first run comes one
interval after the start, as a rate schedule's does. What the scheduler's retry policy and
dead-letter queue cover (failing to hand the event over: throttling, a missing function) does
not happen here; a run the function fails is Lambda's (its asynchronous settings).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import Any

from local_runtime.console import Console
from local_runtime.functions.registry import Functions
from local_runtime.plan.models import ScheduleSpec


class ScheduleRunner:
    def __init__(
        self, spec: ScheduleSpec, functions: Functions, console: Console, delay_scale: float
    ) -> None:
        self.spec = spec
        self.functions = functions
        self.console = console
        self.interval = spec.interval_seconds * delay_scale
        self.runs = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def event(self) -> Any:
        """What the function receives: the target's input, as planned."""
        return json.loads(self.spec.input)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.runs += 1
            correlation = str(uuid.uuid4())
            self.functions.invoke_async(self.spec.function, self.event(), correlation)
            self.console.hop(
                "schedule",
                f"{self.spec.name} -> {self.spec.function} (run {self.runs})",
                correlation,
            )

    def status(self) -> dict[str, Any]:
        return {
            "function": self.spec.function,
            "intervalSeconds": self.interval,
            "runs": self.runs,
        }
