"""One Lambda execution environment as a process (``worker.py``), seen from the parent: its
environment (exactly the function's planned variables plus those the Lambda runtime sets, the
local AWS endpoint and the function's own credentials), its start (the init phase, refused
after 10 s), one invocation over its socket, and how the invocation ended: an answer, a
timeout (``Sandbox.Timedout``) or a death (``Runtime.ExitError``), as the Python runtime
reports them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_runtime.plan.models import FunctionSpec

WORKER = Path(__file__).with_name("worker.py")
INIT_TIMEOUT_SECONDS = 10.0


@dataclass
class Invocation:
    request_id: str
    ok: bool
    payload: Any
    duration_ms: float
    cold: bool
    init_ms: float | None = None
    throttled: bool = False  # never ran: past the reserved concurrency

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


class InitError(RuntimeError):
    def __init__(self, error: dict[str, Any]) -> None:
        self.error = error
        super().__init__(error.get("errorMessage", "init failed"))


@dataclass(frozen=True)
class Sandbox:
    """Everything a function's execution environment is made from."""

    spec: FunctionSpec
    region: str
    code_dir: Path
    extra_code: tuple[Path, ...]
    credentials: Credentials
    aws_endpoint: str
    log_path: Path
    delay_scale: float
    ca_file: Path | None

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

    async def start(self, fingerprint: str) -> Worker:
        """A new worker past its init phase; InitError with the runtime's error if not."""
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


@dataclass(eq=False)  # one worker is itself only (kept in sets)
class Worker:
    process: asyncio.subprocess.Process
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    fingerprint: str
    init_ms: float

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.writer.close()

    async def run(self, request: dict[str, Any], timeout: float) -> bytes | None:
        """One invocation: the worker's answer line, None past ``timeout``, b"" if it died."""
        self.writer.write(json.dumps(request).encode() + b"\n")
        try:
            await self.writer.drain()
            return await asyncio.wait_for(self.reader.readline(), timeout)
        except TimeoutError:
            return None
        except (ConnectionError, OSError):
            return b""

    async def outcome(
        self, line: bytes | None, *, request_id: str, timeout: int
    ) -> tuple[bool, dict[str, Any] | Any]:
        """(ok, payload or error) of a ``run``; a timeout kills the worker."""
        if line is None:
            self.kill()
            return False, {
                "errorType": "Sandbox.Timedout",
                "errorMessage": (
                    f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"
                ),
            }
        if not line:
            code = await _exit_code(self.process)
            how = f"signal: {_signal_name(-code)}" if code < 0 else f"exit status {code}"
            return False, {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {how}",
            }
        message = json.loads(line)
        ok = message["type"] == "result"
        return ok, message.get("payload") if ok else message.get("error")


async def _exit_code(process: asyncio.subprocess.Process) -> int:
    try:
        return await asyncio.wait_for(process.wait(), 5)
    except TimeoutError:
        process.kill()
        return await process.wait()


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name.removeprefix("SIG").lower()
    except ValueError:
        return str(number)
