"""Report delivery: store the report, then push it to its user's channel."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Protocol

from handlers.common.failures import PermanentError
from handlers.contracts import ReportReady

NAMESPACE = "reports"


class ReportStore(Protocol):
    def put_report(self, report: ReportReady) -> None:
        """Store ``report``; storing the same report again changes nothing."""


class Publisher(Protocol):
    def publish(self, channel: str, events: Sequence[str]) -> int:
        """Publish JSON ``events`` to ``channel``; raise when they did not get there."""


class UndeliverableReportError(PermanentError, ValueError):
    """The report names a user whose id cannot be a channel segment (permanent)."""


def channel_of(report: ReportReady) -> str:
    """``/reports/<user id>``: the channel only that user may subscribe to."""
    user = report.user_id
    if not user or "/" in user or "*" in user:
        raise UndeliverableReportError(f"user id {user!r} cannot be a channel segment")
    return f"/{NAMESPACE}/{user}"


def deliver(report: ReportReady, store: ReportStore, publisher: Publisher) -> str:
    """Store, then publish; the channel it went to. Storing first: a report the user missed
    live can still be read back. The report id is the event's ``clientMessageId``: a durable
    channel keeps a report once, however often its delivery is retried."""
    channel = channel_of(report)
    store.put_report(report)
    event = {**report.model_dump(mode="json", by_alias=True), "clientMessageId": report.report_id}
    publisher.publish(channel, [json.dumps(event, separators=(",", ":"))])
    return channel
