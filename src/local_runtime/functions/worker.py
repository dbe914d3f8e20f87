"""One Lambda execution environment: a process that imports one handler and runs its
invocations, one at a time (``python worker.py <fd> <handler>``).

Standard library only and run as a script, so it works the same over ``src/`` and over the
unpacked zip, and the handlers cannot import the runtime. The parent
(``functions.runtime.Worker``) sends one JSON line per invocation on the socket ``fd`` and
reads one JSON line back; the handler's own output (Powertools' JSON log lines, EMF metrics)
goes to stdout/stderr, which the parent points at the function's log file.

Following the Lambda Python runtime: the init phase imports the handler module (its time is
reported as the init duration of the first, cold, invocation); an exception becomes
``{"errorMessage", "errorType", "requestId", "stackTrace"}``; a result that is not JSON is a
``Runtime.MarshalError``; ``_X_AMZN_TRACE_ID`` is set per invocation.

Local time: every wait AWS imposes runs at the runtime's ``--delay-scale``, and so do the
waits of the AWS SDK's retries inside the function (botocore's "standard" mode backs off
up to 2^n seconds after a throttle). When ``_LOCAL_DELAY_SCALE`` is set, botocore's backoff is
multiplied by it as botocore is imported; how many retries, and on which errors, is
botocore's own.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import signal
import socket
import sys
import time
import traceback
from typing import Any


class LambdaContext:
    """The context object the Python runtime passes (the attributes handlers read)."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = request["function_arn"]
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = request["request_id"]
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = int(request["deadline_ms"])

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _error(exc: BaseException, request_id: str | None) -> dict[str, Any]:
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id or "",
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def _log_error(error: dict[str, Any]) -> None:
    """What the runtime writes to the function's log when a handler raises (JSON format)."""
    line = {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "level": "ERROR",
        "message": error,
        "requestId": error.get("requestId", ""),
    }
    print(json.dumps(line), flush=True)


class _ScaledSdkBackoff:
    """A meta path finder that scales botocore's standard retry backoff once it is imported
    (by the handler, usually at its first AWS call: imported here it would cost every cold
    start)."""

    MODULE = "botocore.retries.standard"

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != self.MODULE:
            return None
        sys.meta_path.remove(self)  # once; and find_spec below must not come back here
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module
        scale = self.scale

        def exec_module(module: Any) -> None:
            load(module)
            backoff = module.ExponentialBackoff
            delay = backoff.delay_amount
            backoff.delay_amount = lambda self, context: delay(self, context) * scale

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def main() -> int:
    fd, handler_name = int(sys.argv[1]), sys.argv[2]
    scale = float(os.environ.get("_LOCAL_DELAY_SCALE", "1"))
    if scale < 1:
        sys.meta_path.insert(0, _ScaledSdkBackoff(scale))
    # This file's folder is not the function's code: take it off the import path.
    sys.path.pop(0)
    channel = socket.socket(fileno=fd)
    stream = channel.makefile("rwb", buffering=0)

    def send(message: dict[str, Any]) -> None:
        stream.write(json.dumps(message).encode() + b"\n")

    started = time.perf_counter()
    try:
        module_name, _, function_name = handler_name.rpartition(".")
        handler = getattr(importlib.import_module(module_name), function_name)
    except Exception as exc:  # noqa: BLE001 - any init failure is reported as the runtime does
        error = _error(exc, None)
        error["errorType"] = f"Runtime.ImportModuleError: {error['errorType']}"
        _log_error(error)
        send({"type": "init_error", "error": error})
        return 1
    send({"type": "ready", "init_ms": (time.perf_counter() - started) * 1000})

    while True:
        line = stream.readline()
        if not line:
            return 0
        request = json.loads(line)
        fault = request.get("fault")
        if fault == "crash":
            os.kill(os.getpid(), signal.SIGKILL)
        if fault == "timeout":
            time.sleep(10_000)
        os.environ["_X_AMZN_TRACE_ID"] = request.get("trace_id", "")
        context = LambdaContext(request)
        try:
            result = handler(request["payload"], context)
        except Exception as exc:  # noqa: BLE001 - the function's error is the invocation's answer
            _after_effects(fault)
            error = _error(exc, request["request_id"])
            _log_error(error)
            send({"type": "error", "error": error})
            continue
        _after_effects(fault)
        try:
            send({"type": "result", "payload": result})
        except (TypeError, ValueError) as exc:
            error = {
                "errorMessage": f"Unable to marshal response: {exc}",
                "errorType": "Runtime.MarshalError",
                "requestId": request["request_id"],
                "stackTrace": [],
            }
            send({"type": "error", "error": error})


def _after_effects(fault: Any) -> None:
    """Faults after the handler ran, its writes and posts done: the sandbox dies, or runs out
    of time, before its answer reaches Lambda (the invocation fails and is retried)."""
    if fault == "crash_after":
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == "timeout_after":
        time.sleep(10_000)


if __name__ == "__main__":
    sys.exit(main())
