"""Handlers for the local runtime's own tests (not part of the package): each shows one thing
a Lambda function can do to its runtime."""

import os
import time
from typing import Any

STARTED = time.time()


def echo(event: Any, context: Any) -> dict[str, Any]:
    """The event back, with what the runtime gave the function."""
    return {
        "event": event,
        "request_id": context.aws_request_id,
        "function": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
        "remaining_ms": context.get_remaining_time_in_millis(),
        "trace": os.environ.get("_X_AMZN_TRACE_ID", ""),
    }


def fail(event: Any, context: Any) -> None:
    raise ValueError(f"refused {event!r}")


def unmarshallable(event: Any, context: Any) -> object:
    return object()


def sleepy(event: Any, context: Any) -> str:
    time.sleep(float(event.get("seconds", 0)))
    if "write" in event:  # a side effect the caller can look for
        with open(event["write"], "w") as out:
            out.write("written")
    return "awake"
