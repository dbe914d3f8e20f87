"""An Event API handler for the local tests (not part of the package): it makes each published
item larger than AWS's 240 KB event limit, so that its broadcast must fail."""

from typing import Any


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any] | None:
    events = event.get("events")
    if events is None:
        return None
    return {"events": [{"id": e["id"], "payload": {"padding": "x" * (250 * 1024)}} for e in events]}
