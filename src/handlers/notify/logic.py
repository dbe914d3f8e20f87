"""What the notification says."""

from __future__ import annotations

from handlers.contracts import UploadReceived


def order_message(upload: UploadReceived) -> str:
    """A one-line summary of the order, for people watching the channel."""
    order = upload.order
    count = sum(line.quantity for line in order.items)
    noun = "item" if count == 1 else "items"
    return (
        f"New order {order.order_id} from customer {upload.customer_id}: "
        f"{count} {noun}, total {order.total:.2f} {order.currency}"
    )
