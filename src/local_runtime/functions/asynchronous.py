"""Lambda's asynchronous invocation of one function ("Asynchronous invocation" and "Capturing
records of Lambda asynchronous invocations" in the Lambda guide): events wait in a queue; a
function error is retried ``maximum_retry_attempts`` times, one minute then two minutes apart
(scaled by ``--delay-scale``), while the event is younger than
``maximum_event_age_in_seconds``; then the invocation record (``version``, ``timestamp``,
``requestContext`` with ``condition`` and ``approximateInvokeCount``, ``requestPayload``,
``responseContext``, ``responsePayload``) goes to the on-failure queue.

Events are invoked as many at a time as the function has workers (``parallel``). A throttled
invocation (past the reserved concurrency) is no attempt: the event goes back to the queue, 1 s
after its first throttle and twice as long each time up to 5 minutes, until its maximum age
("Asynchronous invocation": "for throttling errors (429) and system errors (500-series),
Lambda returns the event to the queue"; waits scaled by ``--delay-scale``)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local_runtime.console import Console
from local_runtime.functions.worker_process import Invocation
from local_runtime.plan.models import FunctionSpec

# Lambda's documented waits between the attempts of an asynchronous event: 1 min, then 2 min.
ASYNC_RETRY_DELAYS = (60.0, 120.0)
# After a throttle: 1 s, doubling, at most 5 minutes.
THROTTLE_FIRST_DELAY, THROTTLE_MAX_DELAY = 1.0, 300.0
# (payload, correlation, request id) -> the invocation's result.
Invoke = Callable[[Any, str, str], Awaitable[Invocation]]


@dataclass
class AsyncEvent:
    payload: Any
    received: float
    correlation: str
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    attempts: int = 0
    throttles: int = 0
    last: Invocation | None = None


class AsyncQueue:
    """The asynchronous events of one function, and the task that works through them."""

    def __init__(
        self,
        spec: FunctionSpec,
        invoke: Invoke,
        console: Console,
        delay_scale: float,
        send_failure: Callable[[str, dict[str, Any]], Any],
        *,
        parallel: int = 1,
    ) -> None:
        self.spec = spec
        self.invoke = invoke
        self.console = console
        self.delay_scale = delay_scale
        self.send_failure = send_failure
        self.queue: asyncio.Queue[AsyncEvent] = asyncio.Queue()
        self._consumer: asyncio.Task[None] | None = None
        self._pending: set[asyncio.TimerHandle] = set()
        self._free = asyncio.Semaphore(parallel)
        self._attempts: set[asyncio.Task[None]] = set()

    def invoke_async(self, payload: Any, correlation: str) -> str:
        """Queue an asynchronous invocation (InvocationType=Event); its request id."""
        event = AsyncEvent(payload=payload, received=time.time(), correlation=correlation)
        if self._consumer is None:
            self._consumer = asyncio.ensure_future(self._consume())
        self.queue.put_nowait(event)
        return event.request_id

    def _requeue(self, event: AsyncEvent, delay: float) -> None:
        loop = asyncio.get_running_loop()

        def put() -> None:
            self._pending.discard(handle)
            self.queue.put_nowait(event)

        handle = loop.call_later(delay, put)
        self._pending.add(handle)

    @property
    def backlog(self) -> int:
        """Asynchronous events waiting or running, retries scheduled included."""
        return self.queue.qsize() + len(self._pending) + len(self._attempts)

    async def _consume(self) -> None:
        while True:
            event = await self.queue.get()
            await self._free.acquire()
            attempt = asyncio.ensure_future(self._attempt(event))
            self._attempts.add(attempt)
            attempt.add_done_callback(self._done)

    def _done(self, attempt: asyncio.Task[None]) -> None:
        self._attempts.discard(attempt)
        self._free.release()

    async def _attempt(self, event: AsyncEvent) -> None:
        config = self.spec.async_config
        age = time.time() - event.received
        if age > config.maximum_event_age_in_seconds:
            await self._fail(event, "EventAgeExceeded")
            return
        result = await self.invoke(event.payload, event.correlation, event.request_id)
        if result.throttled:
            event.throttles += 1
            wait = min(THROTTLE_MAX_DELAY, THROTTLE_FIRST_DELAY * 2 ** (event.throttles - 1))
            self._requeue(event, wait * self.delay_scale)
            return
        event.attempts += 1
        event.last = result
        if not result.ok:
            if event.attempts <= config.maximum_retry_attempts:
                wait = ASYNC_RETRY_DELAYS[min(event.attempts, len(ASYNC_RETRY_DELAYS)) - 1]
                delay = wait * self.delay_scale
                self.console.hop(
                    "retry",
                    f"{self.spec.name}: attempt {event.attempts + 1} of "
                    f"{config.maximum_retry_attempts + 1} in {delay:.1f} s "
                    f"(AWS: {wait:.0f} s)",
                    event.correlation,
                    tone="warn",
                )
                self._requeue(event, delay)
                return
            await self._fail(event, "RetriesExhausted")

    async def _fail(self, event: AsyncEvent, condition: str) -> None:
        queue = self.spec.async_config.on_failure_queue
        last = event.last
        record = {
            "version": "1.0",
            "timestamp": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "requestContext": {
                "requestId": event.request_id,
                "functionArn": f"{self.spec.arn}:$LATEST",
                "condition": condition,
                "approximateInvokeCount": event.attempts,
            },
            "requestPayload": event.payload,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "responsePayload": last.payload if last is not None else None,
        }
        await send_to_destination(
            self.console,
            self.send_failure,
            queue,
            record,
            what=f"{self.spec.name}: {condition} after {event.attempts} attempt(s)",
            correlation=event.correlation,
        )

    async def stop(self) -> None:
        for handle in self._pending:
            handle.cancel()
        for attempt in list(self._attempts):
            attempt.cancel()
        if self._attempts:
            await asyncio.wait(list(self._attempts), timeout=5)
        consumer = self._consumer
        # Cancel until the consumer is done: on Python 3.11, asyncio.wait_for (used while an
        # invocation runs) can swallow a cancellation that lands as its inner call finishes,
        # and the consumer would then wait on the queue for ever. Bounded: 5 s at most.
        for _ in range(50):
            if consumer is None or consumer.done():
                break
            consumer.cancel()
            await asyncio.wait({consumer}, timeout=0.1)


async def send_to_destination(
    console: Console,
    send: Callable[[str, dict[str, Any]], Any],
    queue: str | None,
    record: dict[str, Any],
    *,
    what: str,
    correlation: str,
) -> None:
    """Send an on-failure record to its queue and say so; without a queue, say it is lost."""
    if queue is None:
        console.hop("discard", f"{what}, no on-failure destination: discarded", correlation, "fail")
        return
    await send(queue, record)
    console.hop("failure", f"{what} -> {queue}", correlation, tone="fail")
