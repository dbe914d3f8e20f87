"""What the notification says."""

from __future__ import annotations

from handlers.contracts import UploadReceived


def order_message(upload: UploadReceived) -> str:
    """A one-line summary of the order, for people watching the channel."""
    count = sum(line.quantity for line in upload.items)
    noun = "item" if count == 1 else "items"
    return (
        f"New order {upload.order_id} from customer {upload.customer_id}: "
        f"{count} {noun}, total {upload.total:.2f} {upload.currency}"
    )
