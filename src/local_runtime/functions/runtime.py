"""Lambda, as AWS runs it: execution environments per function, each invoked one at a time.

- **Execution environment** (``worker_process``): ``worker.py`` in a process of its own, with
  exactly the function's planned environment plus the variables the Lambda runtime sets, the
  package's code on ``PYTHONPATH`` (``src/`` by default, the unpacked zip with ``--code
  zip``), and the local AWS endpoint and the function's own credentials.
- **Concurrency** ("Lambda function scaling", "Configuring reserved concurrency", Lambda
  guide): a function runs as many invocations at once as it has free environments, each in a
  worker of its own, up to its reserved concurrency. Past it, an invocation is throttled at
  once, as Lambda throttles it: ``TooManyRequestsException`` (429, reason
  ``ReservedFunctionConcurrentInvocationLimitExceeded``, botocore's ``lambda`` model) to a
  synchronous caller, and the asynchronous queue and stream mappings wait and retry. This
  machine runs at most ``--concurrency`` workers of one function: a function with more
  reserved than that is never throttled here; past the local limit its invocations wait for
  a worker (AWS would have run them), so the local limit slows the platform down and never
  throttles what AWS would not.
- **Cold starts**: the first invocation of a worker reports its init duration, and each is
  counted. With ``src/`` code, a worker whose sources changed is replaced before its next
  invocation.
- **Timeout**: the function's ``timeout``; past it the worker is killed, the invocation fails
  (``Sandbox.Timedout``) and the next one starts a fresh worker. A worker that dies
  mid-invocation fails it with ``Runtime.ExitError``.
- **Asynchronous invocation** (``asynchronous``): a queue with Lambda's retries and the
  on-failure record.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from local_runtime.console import Console
from local_runtime.faults import Faults
from local_runtime.functions.asynchronous import AsyncQueue
from local_runtime.functions.worker_process import (
    CodeWatcher,
    Credentials,
    InitError,
    Invocation,
    Sandbox,
    Worker,
)
from local_runtime.plan.models import FunctionSpec

__all__ = ["CodeWatcher", "Credentials", "FunctionRuntime", "Invocation"]


class FunctionRuntime:
    """One planned function: its worker, its asynchronous queue, its failure destination."""

    def __init__(
        self,
        spec: FunctionSpec,
        *,
        region: str,
        code_dir: Path,
        watcher: CodeWatcher,
        credentials: Credentials,
        aws_endpoint: str,
        log_dir: Path,
        console: Console,
        delay_scale: float,
        send_failure: Callable[[str, dict[str, Any]], Any],
        faults: Faults,
        ca_file: Path | None = None,
        extra_code: tuple[Path, ...] = (),
        concurrency: int = 2,
    ) -> None:
        self.spec = spec
        self.sandbox = Sandbox(
            spec,
            region,
            code_dir,
            extra_code,
            credentials,
            aws_endpoint,
            log_dir / f"{spec.name}.log",
            delay_scale,
            ca_file,
        )
        self.watcher = watcher
        self.console = console
        self.faults = faults
        self.reserved = spec.reserved_concurrency  # None: the account's unreserved pool
        # Workers this machine runs at once for the function (at least one, so that a
        # function with none reserved still answers its callers: throttled).
        reserved = concurrency if self.reserved is None else self.reserved
        self.slots = max(1, min(concurrency, reserved))
        self._free = asyncio.Semaphore(self.slots)
        self.idle: list[Worker] = []  # warm workers waiting for an invocation
        self.workers: set[Worker] = set()  # every live worker, idle or busy
        self.inflight = 0  # invocations running or waiting for a worker
        self.running = 0
        self.peak = 0  # the most invocations that ran at once
        self.throttles = 0
        self.cold_starts = 0
        self.invocations = 0
        self.errors = 0
        self.billed_ms = 0  # Lambda's billed duration: each invocation's, rounded up to 1 ms
        self.asynchronous = AsyncQueue(
            spec, self.invoke, console, delay_scale, send_failure, parallel=self.slots
        )

    def invoke_async(self, payload: Any, correlation: str) -> str:
        """Queue an asynchronous invocation (InvocationType=Event); its request id."""
        return self.asynchronous.invoke_async(payload, correlation)

    @property
    def backlog(self) -> int:
        """Asynchronous events waiting, retries scheduled included."""
        return self.asynchronous.backlog

    async def stop(self) -> None:
        await self.asynchronous.stop()
        workers, self.workers, self.idle = list(self.workers), set(), []
        for worker in workers:
            worker.kill()
        for worker in workers:
            with contextlib.suppress(ProcessLookupError, TimeoutError):
                await asyncio.wait_for(worker.process.wait(), 5)

    async def invoke(self, payload: Any, correlation: str = "", request_id: str = "") -> Invocation:
        """Run one invocation and wait for it (RequestResponse); throttled past the reserved
        concurrency."""
        request_id = request_id or str(uuid.uuid4())
        # Throttled only where this machine holds the whole reserved concurrency: a function
        # with more reserved than it runs at once waits for a worker instead (in AWS those
        # would run, and locally they only wait longer than they would run there).
        # (Reserved 0 is a function switched off: every invocation is throttled.)
        if (
            self.reserved is not None
            and self.reserved <= self.slots
            and self.running >= self.reserved
        ):
            self.throttles += 1
            self.console.hop(
                "lambda",
                f"{self.spec.name} throttled: {self.running} of {self.reserved} reserved running",
                correlation,
                tone="warn",
            )
            return throttled(request_id)
        self.inflight += 1
        try:
            async with self._free:
                self.running += 1
                self.peak = max(self.peak, self.running)
                try:
                    return await self._invoke_in_worker(payload, correlation, request_id)
                finally:
                    self.running -= 1
        finally:
            self.inflight -= 1

    def _warm_worker(self) -> Worker | None:
        """An idle worker that is alive and runs the current code; stale ones are let go."""
        while self.idle:
            worker = self.idle.pop()
            if (
                worker.process.returncode is None
                and worker.fingerprint == self.watcher.fingerprint()
            ):
                return worker
            if worker.process.returncode is None:
                self.console.hop(
                    "lambda", f"{self.spec.name}: code changed, next invocation is a cold start"
                )
            worker.kill()
            self.workers.discard(worker)
        return None

    async def _invoke_in_worker(
        self, payload: Any, correlation: str, request_id: str
    ) -> Invocation:
        name = self.spec.name
        worker = self._warm_worker()
        cold = worker is None
        started = time.perf_counter()
        if worker is None:
            self.cold_starts += 1
            try:
                worker = await self.sandbox.start(self.watcher.fingerprint())
            except InitError as exc:
                self.invocations += 1
                self.errors += 1
                result = Invocation(request_id, False, exc.error, 0.0, True)
                self._report(result, correlation)
                return result
            self.workers.add(worker)
        fault = next(
            (
                kind
                for kind in ("timeout", "crash", "timeout_after", "crash_after")
                if self.faults.take(f"function_{kind}", name)
            ),
            None,
        )
        request = {
            "request_id": request_id,
            "payload": payload,
            "deadline_ms": int((time.time() + self.spec.timeout) * 1000),
            "function_arn": self.spec.arn,
            "trace_id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=1",
            "fault": fault,
        }
        watchdog = asyncio.ensure_future(self._watch(started, correlation))
        try:
            line = await worker.run(request, self.spec.timeout)
        finally:
            watchdog.cancel()
        duration = (time.perf_counter() - started) * 1000
        ok, body = await worker.outcome(line, request_id=request_id, timeout=self.spec.timeout)
        if line is None or not line:
            self.workers.discard(worker)  # timed out (killed) or died: not used again
        else:
            self.idle.append(worker)
        self.invocations += 1
        self.billed_ms += math.ceil(duration)
        result = Invocation(request_id, ok, body, duration, cold, worker.init_ms if cold else None)
        if not result.ok:
            self.errors += 1
        self._report(result, correlation)
        return result

    def concurrency(self) -> dict[str, Any]:
        """What ``GET /_local/status`` shows of the function's scaling."""
        return {
            "reserved": self.reserved,
            "localLimit": self.slots,
            "running": self.running,
            "waiting": self.inflight - self.running,
            "peak": self.peak,
            "throttles": self.throttles,
            "workers": len(self.workers),
            "coldStarts": self.cold_starts,
            "billedMs": self.billed_ms,
            "memoryMb": self.spec.memory_size,
        }

    async def _watch(self, started: float, correlation: str) -> None:
        """Say every second that an invocation is still running: a stuck function shows."""
        while True:
            await asyncio.sleep(1.0)
            running = time.perf_counter() - started
            self.console.hop(
                "lambda",
                f"{self.spec.name} still running after {running:.0f} s "
                f"(timeout {self.spec.timeout} s)",
                correlation,
                tone="warn",
            )

    def _report(self, result: Invocation, correlation: str) -> None:
        start = (
            f"cold (init {result.init_ms:.0f} ms)"
            if result.cold and result.init_ms
            else ("cold" if result.cold else "warm")
        )
        if result.ok:
            self.console.hop(
                "lambda",
                f"{self.spec.name} {start} ok {result.duration_ms:.0f} ms",
                correlation,
                tone="ok",
                payload=result.payload,
            )
        else:
            message = str(result.payload.get("errorMessage", ""))[:200]
            self.console.hop(
                "lambda",
                f"{self.spec.name} {start} FAILED {result.duration_ms:.0f} ms: "
                f"{result.error_type}: {message}",
                correlation,
                tone="fail",
            )


def throttled(request_id: str) -> Invocation:
    """Lambda's answer to an invocation past the function's reserved concurrency (botocore's
    ``lambda`` model: ``TooManyRequestsException``, HTTP 429, ``Reason``)."""
    return Invocation(
        request_id,
        False,
        {
            "errorType": "TooManyRequestsException",
            "errorMessage": "Rate Exceeded.",
            "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
        },
        0.0,
        False,
        throttled=True,
    )
