"""What a load run saw: each event published (its id, channel and when), each one every
subscriber received, and from those the figures: delivered, lost, duplicated, out of order,
delivery latency. Plain logic, no I/O."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile (the smallest value with at least ``fraction`` of the
    values at or below it); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Tally:
    """Publications by id, and what each subscriber received."""

    # subscriber -> its channel
    channel_of: dict[int, str] = field(default_factory=dict)
    # event id -> (channel, monotonic send time); only events the platform accepted count
    sent: dict[str, tuple[str, float]] = field(default_factory=dict)
    # subscriber -> how often each event id arrived
    received: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    latencies_ms: list[float] = field(default_factory=list)
    # event id -> monotonic time its publish was answered (accepted)
    answered: dict[str, float] = field(default_factory=dict)
    out_of_order: int = 0  # behind an event published after this one was answered
    reordered: int = 0  # behind an event whose publish overlapped this one's: no order owed
    sequenced: bool = False  # some event carried a ``seq`` (a durable channel)
    _last: dict[int, tuple[int, str]] = field(default_factory=dict)  # subscriber -> (seq, id)
    unknown: int = 0  # events received that this run did not publish

    def subscribe(self, subscriber: int, channel: str) -> None:
        self.channel_of[subscriber] = channel

    def accepted(self, event_id: str, channel: str, sent_at: float) -> None:
        self.sent[event_id] = (channel, sent_at)

    def receive(self, subscriber: int, event: Any, at: float) -> None:
        """An event ``subscriber`` received at monotonic time ``at``."""
        event_id = event.get("clientMessageId") if isinstance(event, dict) else None
        if not isinstance(event_id, str):
            self.unknown += 1
            return
        counts = self.received[subscriber]
        counts[event_id] += 1
        sent = self.sent.get(event_id)
        if counts[event_id] == 1 and sent is not None:
            self.latencies_ms.append((at - sent[1]) * 1000)
        seq = event.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool):
            self.sequenced = True
            last = self._last.get(subscriber)
            if last is None or seq > last[0]:
                self._last[subscriber] = (seq, event_id)
            elif seq < last[0]:
                self._count_behind(event_id, later=last[1])

    def _count_behind(self, event_id: str, later: str) -> None:
        """An event arrived after one numbered later. Two publishes that overlapped (the later
        one sent before this one was answered) owe no order: concurrent invocations of the
        handler number them and answer in either order, as in AWS; subscribers order by
        ``seq``. Otherwise the platform delivered out of order."""
        later_sent = self.sent.get(later, ("", math.inf))[1]
        this_answered = self.answered.get(event_id)
        if this_answered is None or later_sent < this_answered:
            self.reordered += 1
        else:
            self.out_of_order += 1

    def figures(self) -> dict[str, Any]:
        """The run's figures (``out_of_order`` and ``reordered_concurrent`` are None when no
        channel numbered its events)."""
        per_channel: dict[str, set[str]] = defaultdict(set)
        for event_id, (channel, _) in self.sent.items():
            per_channel[channel].add(event_id)
        expected = delivered = duplicated = lost = 0
        for subscriber, channel in self.channel_of.items():
            wanted = per_channel.get(channel, set())
            counts = self.received.get(subscriber, Counter())
            expected += len(wanted)
            delivered += sum(1 for e in wanted if counts[e] > 0)
            duplicated += sum(n - 1 for e, n in counts.items() if n > 1)
            lost += sum(1 for e in wanted if counts[e] == 0)
        return {
            "expected": expected,
            "delivered": delivered,
            "lost": lost,
            "duplicated": duplicated,
            "out_of_order": self.out_of_order if self.sequenced else None,
            "reordered_concurrent": self.reordered if self.sequenced else None,
            "latency_ms": {
                "p50": _round(percentile(self.latencies_ms, 0.50)),
                "p95": _round(percentile(self.latencies_ms, 0.95)),
                "p99": _round(percentile(self.latencies_ms, 0.99)),
                "max": _round(max(self.latencies_ms, default=None)),
            },
        }

    def outstanding(self) -> int:
        """Deliveries still expected: 0 when every subscriber has every accepted event."""
        figures = self.figures()
        return int(figures["lost"])


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
