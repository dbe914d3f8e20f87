"""A pass-through Event API handler for `make bench`: every published item comes back
unchanged, so the table can show what the channel handler itself costs on the same path."""

from typing import Any


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any] | None:
    events = event.get("events")
    if events is None:  # a subscribe: allowed
        return None
    return {"events": [{"id": e["id"], "payload": e["payload"]} for e in events]}
