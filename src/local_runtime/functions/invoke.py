"""Lambda's ``Invoke`` API on the local functions, so that an operator's tool
(``platform-ops redrive``) reaches them as it reaches Lambda in AWS.

Following the Lambda API reference ("Invoke"; botocore's ``lambda`` model, REST-JSON):
``POST /2015-03-31/functions/<FunctionName>/invocations`` with the function's name, ARN or
partial ARN (``<account>:function:<name>``), optionally qualified (``:$LATEST`` or
``?Qualifier=$LATEST``); ``X-Amz-Invocation-Type`` ``RequestResponse`` (the default: 200 with
the function's answer, ``X-Amz-Executed-Version`` and, when it failed,
``X-Amz-Function-Error: Unhandled``), ``Event`` (202, queued with Lambda's retries) or
``DryRun`` (204); ``X-Amz-Log-Type: Tail`` adds the last 4 KB of the log. Errors are
Lambda's: ``x-amzn-ErrorType`` and ``{"Type", "message"}`` (``ResourceNotFoundException``
404, ``InvalidRequestContentException`` and ``InvalidParameterValueException`` 400,
``TooManyRequestsException`` 429 with ``Reason`` past the reserved concurrency).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from typing import Any

from local_runtime.functions.registry import Functions

_NAME = re.compile(
    r"^(?:arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:|\d{12}:function:)?"
    r"(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>[\w$-]+))?$"
)
Answer = tuple[int, dict[str, str], bytes]


class LambdaError(Exception):
    """A Lambda API error: its type, its message and its HTTP status."""

    def __init__(
        self, code: str, message: str, status: int, extra: dict[str, str] | None = None
    ) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra or {}
        super().__init__(f"{code}: {message}")

    def render(self) -> Answer:
        body = {"Type": "User", "message": self.message, **self.extra}
        return self.status, {"x-amzn-ErrorType": self.code}, json.dumps(body).encode()


class InvokeApi:
    """The Invoke operation over the platform's functions; called from the local AWS's
    threads, it runs each invocation on the runtime's loop."""

    def __init__(self, functions: Functions, loop: asyncio.AbstractEventLoop, arn: str) -> None:
        self.functions = functions
        self.loop = loop
        self.arn = arn  # "arn:aws:lambda:<region>:<account>:function:" (for messages)

    def invoke(
        self,
        target: str,
        kind: str,
        qualifier: str | None,
        body: bytes,
        log_type: str | None = None,
    ) -> Answer:
        try:
            status, headers, answer = self._invoke(target, kind, qualifier, body)
        except LambdaError as exc:
            return exc.render()
        if log_type == "Tail" and kind == "RequestResponse":
            headers["X-Amz-Log-Result"] = self._tail(target)
        return status, headers, answer

    def _tail(self, target: str) -> str:
        """The last 4 KB of the function's log, base64 (``LogType: Tail``); AWS's also holds
        the START, END and REPORT lines Lambda writes, which the local log does not."""
        match = _NAME.match(target)
        log = self.functions[match["name"] if match else target].sandbox.log_path
        data = log.read_bytes()[-4096:] if log.is_file() else b""
        return base64.b64encode(data).decode()

    def _invoke(self, target: str, kind: str, qualifier: str | None, body: bytes) -> Answer:
        match = _NAME.match(target)
        name = match["name"] if match else target
        qualifier = qualifier or (match["qualifier"] if match else None)
        if match is None or name not in self.functions or qualifier not in {None, "$LATEST"}:
            suffix = f":{qualifier}" if qualifier else ""
            raise LambdaError(
                "ResourceNotFoundException", f"Function not found: {self.arn}{name}{suffix}", 404
            )
        if kind not in {"RequestResponse", "Event", "DryRun"}:
            raise LambdaError(
                "InvalidParameterValueException",
                f"1 validation error detected: Value '{kind}' at 'invocationType' failed to "
                "satisfy constraint: Member must satisfy enum value set: [Event, "
                "RequestResponse, DryRun]",
                400,
            )
        try:
            payload: Any = json.loads(body or b"{}")
        except ValueError as exc:
            raise LambdaError(
                "InvalidRequestContentException",
                f"Could not parse request body into json: {exc}",
                400,
            ) from exc
        if kind == "DryRun":
            return 204, {}, b""
        if kind == "Event":
            call = asyncio.run_coroutine_threadsafe(self._queue(name, payload), self.loop)
            request_id = call.result(10)
            return 202, {"x-amzn-RequestId": request_id}, b""
        running = asyncio.run_coroutine_threadsafe(
            self.functions.invoke(name, payload, "operator"), self.loop
        )
        result = running.result(self.functions[name].spec.timeout + 30)
        if result.throttled:
            # botocore's lambda model: TooManyRequestsException, 429, with Reason.
            raise LambdaError(
                "TooManyRequestsException",
                str(result.payload["errorMessage"]),
                429,
                {"Reason": str(result.payload["Reason"])},
            )
        headers = {"X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": result.request_id}
        if not result.ok:
            headers["X-Amz-Function-Error"] = "Unhandled"
        return 200, headers, json.dumps(result.payload).encode()

    async def _queue(self, name: str, payload: Any) -> str:
        """Queue an asynchronous invocation on the runtime's loop (it schedules tasks there)."""
        return self.functions.invoke_async(name, payload, "operator")
