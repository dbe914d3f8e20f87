"""Turning an ``UploadReceived`` event into a stored order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from handlers.common.events import ParsedEvent
from handlers.contracts import UploadReceived


class OrderStore(Protocol):
    def put_if_absent(self, item: dict[str, Any]) -> bool:
        """Store ``item`` unless an order with its key exists; True when it was stored."""


@dataclass(frozen=True)
class CaptureResult:
    order_id: str
    created: bool


def order_key(customer_id: str, order_id: str) -> str:
    """One customer's order: the same ``orderId`` of two customers is two orders."""
    return f"CUSTOMER#{customer_id}#ORDER#{order_id}"


def order_item(event: ParsedEvent[UploadReceived]) -> dict[str, Any]:
    """The DynamoDB item of an order (numbers as Decimal, as DynamoDB wants them)."""
    upload, order = event.detail, event.detail.order
    return {
        "pk": order_key(upload.customer_id, order.order_id),
        "orderId": order.order_id,
        "customerId": upload.customer_id,
        "currency": order.currency,
        "items": [line.model_dump(by_alias=True) for line in order.items],
        "total": order.total,
        "note": order.note,
        "receivedAt": event.time.isoformat(),
        "eventId": event.event_id,
    }


def capture_order(event: ParsedEvent[UploadReceived], store: OrderStore) -> CaptureResult:
    """Store the order once: a redelivered event or a retried upload is a no-op."""
    item = {k: v for k, v in order_item(event).items() if v is not None}
    created = store.put_if_absent(item)
    return CaptureResult(order_id=event.detail.order.order_id, created=created)
