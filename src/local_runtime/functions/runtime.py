"""Lambda, as AWS runs it: one execution environment per function, invoked one at a time.

- **Execution environment** (``worker_process``): ``worker.py`` in a process of its own, with
  exactly the function's planned environment plus the variables the Lambda runtime sets, the
  package's code on ``PYTHONPATH`` (``src/`` by default, the unpacked zip with ``--code
  zip``), and the local AWS endpoint and the function's own credentials.
- **Cold starts**: the first invocation of a worker reports its init duration. With ``src/``
  code, a worker whose sources changed is replaced before its next invocation.
- **Timeout**: the function's ``timeout``; past it the worker is killed, the invocation fails
  (``Sandbox.Timedout``) and the next one starts a fresh worker. A worker that dies
  mid-invocation fails it with ``Runtime.ExitError``.
- **Asynchronous invocation** (``asynchronous``): a queue with Lambda's retries and the
  on-failure record.
"""

from __future__ import annotations

import asyncio
import contextlib
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
        self.worker: Worker | None = None
        self.lock = asyncio.Lock()
        self.invocations = 0
        self.errors = 0
        self.asynchronous = AsyncQueue(spec, self.invoke, console, delay_scale, send_failure)

    def invoke_async(self, payload: Any, correlation: str) -> str:
        """Queue an asynchronous invocation (InvocationType=Event); its request id."""
        return self.asynchronous.invoke_async(payload, correlation)

    @property
    def backlog(self) -> int:
        """Asynchronous events waiting, retries scheduled included."""
        return self.asynchronous.backlog

    async def stop(self) -> None:
        await self.asynchronous.stop()
        if self.worker is not None:
            self.worker.kill()
            with contextlib.suppress(ProcessLookupError, TimeoutError):
                await asyncio.wait_for(self.worker.process.wait(), 5)
            self.worker = None

    async def invoke(self, payload: Any, correlation: str = "", request_id: str = "") -> Invocation:
        """Run one invocation and wait for it (RequestResponse)."""
        request_id = request_id or str(uuid.uuid4())
        async with self.lock:
            return await self._invoke_locked(payload, correlation, request_id)

    async def _invoke_locked(self, payload: Any, correlation: str, request_id: str) -> Invocation:
        name = self.spec.name
        if self.worker is not None and (
            self.worker.process.returncode is not None
            or self.worker.fingerprint != self.watcher.fingerprint()
        ):
            if self.worker.process.returncode is None:
                self.console.hop("lambda", f"{name}: code changed, next invocation is a cold start")
            self.worker.kill()
            self.worker = None
        cold = self.worker is None
        started = time.perf_counter()
        if self.worker is None:
            try:
                self.worker = await self.sandbox.start(self.watcher.fingerprint())
            except InitError as exc:
                self.invocations += 1
                self.errors += 1
                result = Invocation(request_id, False, exc.error, 0.0, True)
                self._report(result, correlation)
                return result
        worker = self.worker
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
            self.worker = None  # timed out (killed) or died: the next invocation is cold
        self.invocations += 1
        result = Invocation(request_id, ok, body, duration, cold, worker.init_ms if cold else None)
        if not result.ok:
            self.errors += 1
        self._report(result, correlation)
        return result

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
