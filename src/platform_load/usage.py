"""The AWS usage a load run stands for, from what it counted (and, on ``make local``, what the
local Lambda counted), in the units ``costs`` prices.

- Event API: an operation per event published, per event delivered to each subscriber, per
  connection and per subscription ("AWS AppSync pricing", Event API operations); a
  connection-minute per minute each WebSocket was open.
- Lambda: on ``make local``, the invocations and billed milliseconds ``/_local/status``
  counted during the run, at each function's planned memory (arm64). Elsewhere, one handler
  invocation per publish and per subscribe (the namespace's ``REQUEST_RESPONSE`` handler) of
  ``handler_ms`` at ``handler_mb``: an assumption the report names.
- DynamoDB: a durable namespace (its events carry ``seq``) writes per event with a message
  id: the counter's ``ADD`` (1 write unit), the message-id check (a consistent read, 1 read
  unit) and a transaction of the event and its message id (2 items, 2 write units each:
  transactional writes cost double), so 5 write units and 1 read unit (handlers/channels/dal.py).
"""

from __future__ import annotations

from typing import Any

from platform_load.costs import Usage

WRITE_UNITS_PER_KEPT_EVENT = 5
READ_UNITS_PER_KEPT_EVENT = 1


def lambda_counters(status: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    """function -> (invocations, billed ms, memory MB) from ``/_local/status``."""
    return {
        name: (
            int(f["invocations"]),
            int(f["concurrency"]["billedMs"]),
            int(f["concurrency"]["memoryMb"]),
        )
        for name, f in status["functions"].items()
    }


def usage_of(
    *,
    accepted: int,
    delivered: int,
    connections: int,
    subscriptions: int,
    connection_seconds: float,
    durable: bool,
    lambda_before: dict[str, tuple[int, int, int]] | None = None,
    lambda_after: dict[str, tuple[int, int, int]] | None = None,
    handler_ms: float = 10.0,
    handler_mb: int = 256,
) -> tuple[Usage, str]:
    """The run's usage, and how its Lambda figures were found."""
    if lambda_before is not None and lambda_after is not None:
        requests = 0
        gb_seconds = 0.0
        for name, (invocations, billed_ms, memory) in lambda_after.items():
            was = lambda_before.get(name, (0, 0, memory))
            requests += invocations - was[0]
            gb_seconds += (billed_ms - was[1]) / 1000 * memory / 1024
        how = "Lambda: counted by the local runtime during the run"
    else:
        requests = accepted + subscriptions
        gb_seconds = requests * handler_ms / 1000 * handler_mb / 1024
        how = (
            f"Lambda: assumed, one handler invocation per publish and subscribe of "
            f"{handler_ms:g} ms at {handler_mb} MB"
        )
    kept = accepted if durable else 0
    usage = Usage(
        event_api_operations=accepted + delivered + connections + subscriptions,
        event_api_connection_minutes=connection_seconds / 60,
        lambda_requests=requests,
        lambda_gb_seconds=gb_seconds,
        dynamodb_write_units=kept * WRITE_UNITS_PER_KEPT_EVENT,
        dynamodb_read_units=kept * READ_UNITS_PER_KEPT_EVENT,
    )
    return usage, how
