"""Lambda, as AWS runs it, one worker process per function.

- **Execution environment**: ``worker.py`` in a process of its own, with exactly the function's
  planned environment plus the variables the Lambda runtime sets, the package's code on
  ``PYTHONPATH`` (``src/`` by default, the unpacked zip with ``--code zip``), and the local AWS
  endpoint and the function's own credentials. One invocation at a time per function.
- **Cold starts**: the first invocation of a worker reports its init duration. With ``src/``
  code, a worker whose sources changed is replaced before its next invocation.
- **Timeout**: the function's ``timeout``; past it the worker is killed, the invocation fails
  (``Sandbox.Timedout``) and the next one starts a fresh worker. A worker that dies
  mid-invocation fails it with ``Runtime.ExitError``.
- **Asynchronous invocation** ("Asynchronous invocation" and "Capturing records of Lambda
  asynchronous invocations" in the Lambda guide): events wait in a queue; a function error is
  retried ``maximum_retry_attempts`` times, one minute then two minutes apart (scaled by
  ``--delay-scale``), while the event is younger than ``maximum_event_age_in_seconds``; then
  the invocation record (``version``, ``timestamp``, ``requestContext`` with ``condition``
  and ``approximateInvokeCount``, ``requestPayload``, ``responseContext``,
  ``responsePayload``) goes to the on-failure queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local_runtime.console import Console
from local_runtime.faults import Faults
from local_runtime.plan.models import FunctionSpec

WORKER = Path(__file__).with_name("worker.py")
# Lambda's documented waits between the attempts of an asynchronous event: 1 min, then 2 min.
ASYNC_RETRY_DELAYS = (60.0, 120.0)
INIT_TIMEOUT_SECONDS = 10.0


@dataclass
class Invocation:
    request_id: str
    ok: bool
    payload: Any
    duration_ms: float
    cold: bool
    init_ms: float | None = None

    @property
    def error_type(self) -> str:
        return str(self.payload.get("errorType", "")) if not self.ok else ""


@dataclass
class Credentials:
    access_key_id: str
    secret_access_key: str


class CodeWatcher:
    """A fingerprint of the handlers' sources, recomputed at most twice a second."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._checked = 0.0
        self._value = ""

    def fingerprint(self) -> str:
        if self.root is None:
            return ""
        now = time.monotonic()
        if now - self._checked > 0.5:
            stamps = sorted(
                (str(p), p.stat().st_mtime_ns) for p in self.root.rglob("*.py") if p.is_file()
            )
            self._value = str(hash(tuple(stamps)))
            self._checked = now
        return self._value


@dataclass
class Worker:
    process: asyncio.subprocess.Process
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    fingerprint: str
    init_ms: float
    used: bool = False

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.writer.close()


@dataclass
class AsyncEvent:
    payload: Any
    received: float
    correlation: str
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    attempts: int = 0
    last: Invocation | None = None


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
        self.ca_file = ca_file
        self.extra_code = extra_code
        self.spec = spec
        self.region = region
        self.code_dir = code_dir
        self.watcher = watcher
        self.credentials = credentials
        self.aws_endpoint = aws_endpoint
        self.log_path = log_dir / f"{spec.name}.log"
        self.console = console
        self.delay_scale = delay_scale
        self.send_failure = send_failure
        self.worker: Worker | None = None
        self.lock = asyncio.Lock()
        self.queue: asyncio.Queue[AsyncEvent] = asyncio.Queue()
        self.faults = faults
        self.invocations = 0
        self.errors = 0
        self._consumer: asyncio.Task[None] | None = None
        self._pending: set[asyncio.TimerHandle] = set()

    # --- the execution environment ---------------------------------------------------------

    def environment(self) -> dict[str, str]:
        spec = self.spec
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PYTHONPATH": os.pathsep.join(str(p) for p in (self.code_dir, *self.extra_code)),
            "LAMBDA_TASK_ROOT": str(self.code_dir),
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[$LATEST]{uuid.uuid4().hex}",
            "AWS_LAMBDA_LOG_FORMAT": spec.log_format,
            "_HANDLER": spec.handler,
            # The local AWS, and this function's own credentials (never the caller's).
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "AWS_ACCESS_KEY_ID": self.credentials.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.credentials.secret_access_key,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            # The SDK's retry backoff in local time too (worker.py).
            "_LOCAL_DELAY_SCALE": str(self.delay_scale),
        }
        if spec.application_log_level:
            env["AWS_LAMBDA_LOG_LEVEL"] = spec.application_log_level
        if self.ca_file is not None:
            # The local Event API's certificate is issued by the local CA (tls.py): the
            # function trusts it as a deployed one trusts AWS's.
            env["SSL_CERT_FILE"] = str(self.ca_file)
        env.update(spec.environment)
        return env

    async def _start(self) -> Worker:
        parent, child = socket.socketpair()
        log = self.log_path.open("ab")
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(WORKER),
                str(child.fileno()),
                self.spec.handler,
                env=self.environment(),
                cwd=str(self.code_dir),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                pass_fds=(child.fileno(),),
                start_new_session=True,
            )
        finally:
            child.close()
            log.close()
        reader, writer = await asyncio.open_unix_connection(sock=parent, limit=16 * 1024 * 1024)
        fingerprint = self.watcher.fingerprint()
        try:
            line = await asyncio.wait_for(reader.readline(), INIT_TIMEOUT_SECONDS)
        except TimeoutError:
            line = b""
        message = json.loads(line) if line else {}
        if message.get("type") != "ready":
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            writer.close()
            error = message.get("error") or {
                "errorType": "Runtime.Unknown",
                "errorMessage": f"the worker did not start in {INIT_TIMEOUT_SECONDS:.0f} s",
            }
            raise InitError(error)
        return Worker(process, reader, writer, fingerprint, float(message["init_ms"]))

    async def stop(self) -> None:
        for handle in self._pending:
            handle.cancel()
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
        if self.worker is not None:
            self.worker.kill()
            with contextlib.suppress(ProcessLookupError, TimeoutError):
                await asyncio.wait_for(self.worker.process.wait(), 5)
            self.worker = None

    # --- synchronous invocation -----------------------------------------------------------

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
                self.worker = await self._start()
            except InitError as exc:
                self.invocations += 1
                self.errors += 1
                result = Invocation(request_id, False, exc.error, 0.0, True)
                self._report(result, correlation)
                return result
        worker = self.worker
        fault = (
            "timeout"
            if self.faults.take("function_timeout", self.spec.name)
            else "crash"
            if self.faults.take("function_crash", self.spec.name)
            else None
        )
        deadline = time.time() + self.spec.timeout
        request = {
            "request_id": request_id,
            "payload": payload,
            "deadline_ms": int(deadline * 1000),
            "function_arn": self.spec.arn,
            "trace_id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=1",
            "fault": fault,
        }
        worker.writer.write(json.dumps(request).encode() + b"\n")
        watchdog = asyncio.ensure_future(self._watch(started, correlation))
        line: bytes | None
        try:
            await worker.writer.drain()
            line = await asyncio.wait_for(worker.reader.readline(), self.spec.timeout)
        except TimeoutError:
            line = None
        except (ConnectionError, OSError):
            line = b""
        finally:
            watchdog.cancel()
        duration = (time.perf_counter() - started) * 1000
        self.invocations += 1
        result = await self._outcome(
            line,
            worker=worker,
            request_id=request_id,
            duration=duration,
            cold=cold,
            init_ms=worker.init_ms if cold else None,
        )
        if not result.ok:
            self.errors += 1
        self._report(result, correlation)
        return result

    async def _outcome(
        self,
        line: bytes | None,
        *,
        worker: Worker,
        request_id: str,
        duration: float,
        cold: bool,
        init_ms: float | None,
    ) -> Invocation:
        """The invocation's result: the worker's answer, a timeout (None) or a death (b"")."""
        if line is None:
            worker.kill()
            self.worker = None
            error = {
                "errorType": "Sandbox.Timedout",
                "errorMessage": (
                    f"RequestId: {request_id} Error: Task timed out after "
                    f"{self.spec.timeout:.2f} seconds"
                ),
            }
            return Invocation(request_id, False, error, duration, cold, init_ms)
        if not line:
            code = await _exit_code(worker.process)
            self.worker = None
            how = f"signal: {_signal_name(-code)}" if code < 0 else f"exit status {code}"
            error = {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {how}",
            }
            return Invocation(request_id, False, error, duration, cold, init_ms)
        message = json.loads(line)
        ok = message["type"] == "result"
        body = message.get("payload") if ok else message.get("error")
        return Invocation(request_id, ok, body, duration, cold, init_ms)

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

    # --- asynchronous invocation ----------------------------------------------------------

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
        """Asynchronous events waiting, retries scheduled included."""
        return self.queue.qsize() + len(self._pending)

    async def _consume(self) -> None:
        config = self.spec.async_config
        while True:
            event = await self.queue.get()
            age = time.time() - event.received
            if age > config.maximum_event_age_in_seconds:
                await self._fail(event, "EventAgeExceeded")
                continue
            event.attempts += 1
            result = await self.invoke(event.payload, event.correlation, event.request_id)
            event.last = result
            if result.ok:
                continue
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
                continue
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


class InitError(RuntimeError):
    def __init__(self, error: dict[str, Any]) -> None:
        self.error = error
        super().__init__(error.get("errorMessage", "init failed"))


async def _exit_code(process: asyncio.subprocess.Process) -> int:
    try:
        return await asyncio.wait_for(process.wait(), 5)
    except TimeoutError:
        process.kill()
        return await process.wait()


def _signal_name(number: int) -> str:
    import signal  # noqa: PLC0415 - only on this rare path

    try:
        return signal.Signals(number).name.removeprefix("SIG").lower()
    except ValueError:
        return str(number)
