"""Delivering a matched event to a rule's target, as EventBridge does.

Following the user guide ("Event retry policy and using dead-letter queues", "Using
dead-letter queues to process undelivered events"): the target gets its input
(``transform``); Lambda targets are invoked asynchronously, SQS targets get a message. A
delivery that fails is retried with exponential backoff (1, 2, 4 ... s, at most 60 s, scaled
by ``--delay-scale``: AWS documents only "exponential backoff and jitter") within the target's
retry policy (``maximum_retry_attempts``, ``maximum_event_age_in_seconds``; 185 attempts over
24 hours by default), then the event goes to the target's dead-letter queue with the message
attributes AWS sets: ``ERROR_CODE``, ``ERROR_MESSAGE``, ``RULE_ARN``, ``TARGET_ARN``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from local_runtime.console import Console
from local_runtime.events.transform import target_input
from local_runtime.faults import Faults
from local_runtime.functions.registry import Functions
from local_runtime.plan.models import RuleSpec, TargetSpec

SendSqs = Callable[[str, str, dict[str, str] | None], Any]


class DeliveryError(RuntimeError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class Delivery:
    """Every delivery in flight, and how many there are (the platform is idle at 0)."""

    def __init__(
        self,
        functions: Functions,
        send_sqs: SendSqs,
        console: Console,
        delay_scale: float,
        faults: Faults,
    ) -> None:
        self.functions = functions
        self.send_sqs = send_sqs
        self.console = console
        self.delay_scale = delay_scale
        self.faults = faults
        self.in_flight = 0
        self._tasks: set[asyncio.Future[None]] = set()

    def start(self, rule: RuleSpec, target: TargetSpec, event: dict[str, Any]) -> None:
        """Deliver ``event`` to ``target`` in the background (on the running loop)."""
        self.in_flight += 1
        task = asyncio.ensure_future(self._deliver(rule, target, event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, rule: RuleSpec, target: TargetSpec, event: dict[str, Any]) -> None:
        try:
            await self._with_retries(rule, target, event)
        finally:
            self.in_flight -= 1

    async def _with_retries(
        self, rule: RuleSpec, target: TargetSpec, event: dict[str, Any]
    ) -> None:
        correlation = event["id"]
        body = target_input(target, rule, event)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                self.once(target, body, correlation)
            except DeliveryError as exc:
                error = exc
            else:
                return
            age = time.monotonic() - started
            if (
                attempt > target.maximum_retry_attempts
                or age > target.maximum_event_age_in_seconds * self.delay_scale
            ):
                break
            delay = min(60.0, 2.0 ** (attempt - 1)) * self.delay_scale
            self.console.hop(
                "retry",
                f"{rule.name} -> {target.target_id}: {error.code}, attempt {attempt + 1} in "
                f"{delay:.2f} s",
                correlation,
                tone="warn",
            )
            await asyncio.sleep(delay)
        await self._dead_letter(rule, target, event, error, attempt)

    async def _dead_letter(
        self,
        rule: RuleSpec,
        target: TargetSpec,
        event: dict[str, Any],
        error: DeliveryError,
        attempts: int,
    ) -> None:
        correlation = event["id"]
        if target.dead_letter_queue is None:
            self.console.hop(
                "discard",
                f"{rule.name} -> {target.target_id}: {error.code}, no DLQ: event dropped",
                correlation,
                tone="fail",
            )
            return
        attributes = {
            "ERROR_CODE": error.code,
            "ERROR_MESSAGE": str(error),
            "RULE_ARN": rule.arn,
            "TARGET_ARN": target.arn,
        }
        await asyncio.to_thread(
            self.send_sqs, target.dead_letter_queue, json.dumps(event), attributes
        )
        self.console.hop(
            "dlq",
            f"{rule.name} -> {target.target_id}: {error.code} after {attempts} attempt(s) -> "
            f"{target.dead_letter_queue}",
            correlation,
            tone="fail",
        )

    def once(self, target: TargetSpec, body: str, correlation: str) -> None:
        """Hand ``body`` (the target's input text) to the target once; DeliveryError."""
        if self.faults.take("target", target.arn):
            raise DeliveryError("SDK_CLIENT_ERROR", "injected fault: the target did not answer")
        self._hand_over(target, body, correlation)
        if self.faults.take("duplicate_delivery", target.arn):
            self.console.hop(
                "fault",
                f"{target.target_id}: the event delivered once more",
                correlation,
                tone="warn",
            )
            self._hand_over(target, body, correlation)

    def _hand_over(self, target: TargetSpec, body: str, correlation: str) -> None:
        name = target.arn.rsplit(":", 1)[-1]
        if target.kind == "sqs":
            self.send_sqs(name, body, None)
            return
        try:
            payload = json.loads(body)
        except ValueError as exc:
            # Lambda's Invoke takes JSON only (InvalidRequestContentException).
            raise DeliveryError(
                "SDK_CLIENT_ERROR",
                "InvalidRequestContentException: Could not parse request body into json",
            ) from exc
        self.functions.invoke_async(name, payload, correlation)
