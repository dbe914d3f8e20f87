"""EventBridge replays of the local bus's archive: ``StartReplay`` and ``DescribeReplay``.

Following the EventBridge API reference ("StartReplay", "Replay"): the source is an archive
ARN of a planned bus, the destination is that bus with optional ``FilterArns`` (rules of the
bus: only they get the replayed events); events whose ``time`` is from ``EventStartTime`` up
to, not including, ``EventEndTime`` are replayed, oldest first, each with a ``replay-name``
field as EventBridge adds it; the replay goes STARTING, RUNNING, COMPLETED. Replayed events
are not archived again. The bus hands this module what it needs (its spec, archive, rules and
a way to route), so the two do not import each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from local_runtime.console import Console
from local_runtime.events.archive import Archive
from local_runtime.events.entries import parse_time
from local_runtime.events.errors import EventsError
from local_runtime.plan.models import PlatformSpec, RuleSpec

_NAME = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")
# Route archived events to the given rule ARNs of a bus, on the bus's loop.
Route = Callable[[list[dict[str, Any]], str, frozenset[str]], None]


@dataclass(frozen=True)
class _Request:
    name: str
    source: str
    bus: str
    bus_arn: str
    archive: str
    rules: frozenset[str]
    start: datetime
    end: datetime


class Replays:
    def __init__(
        self,
        spec: PlatformSpec,
        archive: Archive,
        *,
        rules_of: Callable[[str], list[RuleSpec]],
        route: Route,
        call_soon: Callable[[Callable[[], None]], None],
        console: Console,
    ) -> None:
        self.spec = spec
        self.archive = archive
        self.rules_of = rules_of
        self.route = route
        self.call_soon = call_soon
        self.console = console
        self.replays: dict[str, dict[str, Any]] = {}

    def _request(self, payload: dict[str, Any]) -> _Request:
        """The checked StartReplay request; EventsError with EventBridge's error."""
        spec = self.spec
        name = payload.get("ReplayName")
        if not isinstance(name, str) or not _NAME.match(name):
            raise EventsError("ValidationException", "ReplayName must match [.\\-_A-Za-z0-9]{1,64}")
        if name in self.replays:
            raise EventsError("ResourceAlreadyExistsException", f"Replay {name} already exists.")
        source = str(payload.get("EventSourceArn") or "")
        bus = next(
            (
                b
                for b in spec.buses.values()
                if b.archive
                and source == f"arn:aws:events:{spec.region}:{spec.account_id}:archive/{b.archive}"
            ),
            None,
        )
        if bus is None or bus.archive is None:
            raise EventsError("ResourceNotFoundException", f"Archive {source} does not exist.")
        destination = payload.get("Destination") or {}
        if destination.get("Arn") != bus.arn:
            raise EventsError(
                "ValidationException",
                f"Destination.Arn must be the archive's event bus ({bus.arn})",
            )
        rules = {r.arn for r in self.rules_of(bus.name)}
        wanted = frozenset(destination.get("FilterArns") or rules)
        unknown = sorted(wanted - rules)
        if unknown:
            raise EventsError(
                "ValidationException", f"FilterArns are not rules of {bus.name}: {unknown}"
            )
        start = parse_time(payload.get("EventStartTime"))
        end = parse_time(payload.get("EventEndTime"))
        if start is None or end is None or start >= end:
            raise EventsError(
                "ValidationException", "EventStartTime must be a time before EventEndTime"
            )
        return _Request(name, source, bus.name, bus.arn, bus.archive, wanted, start, end)

    def describe(self, payload: dict[str, Any]) -> dict[str, Any]:
        replay = self.replays.get(str(payload.get("ReplayName")))
        if replay is None:
            raise EventsError(
                "ResourceNotFoundException", f"Replay {payload.get('ReplayName')} does not exist."
            )
        return _wire(replay)

    def start(self, payload: dict[str, Any]) -> dict[str, Any]:
        request = self._request(payload)
        spec, name, start, end = self.spec, request.name, request.start, request.end
        now = datetime.now(UTC)
        replay: dict[str, Any] = {
            "ReplayName": name,
            "ReplayArn": f"arn:aws:events:{spec.region}:{spec.account_id}:replay/{name}",
            "EventSourceArn": request.source,
            "Destination": {"Arn": request.bus_arn, "FilterArns": sorted(request.rules)},
            "EventStartTime": start,
            "EventEndTime": end,
            "ReplayStartTime": now,
            "State": "STARTING",
        }
        self.replays[name] = replay
        events = []
        for event in self.archive.events(request.archive):
            moment = parse_time(event.get("time"))
            if moment is not None and start <= moment < end:
                events.append(dict(event, **{"replay-name": name}))
        events.sort(key=lambda e: str(e["time"]))
        replay["State"] = "RUNNING"

        def run() -> None:
            self.route(events, request.bus, request.rules)
            replay["EventLastReplayedTime"] = parse_time(events[-1]["time"]) if events else start
            replay["ReplayEndTime"] = datetime.now(UTC)
            replay["State"] = "COMPLETED"
            replay["StateReason"] = f"{len(events)} event(s) replayed"
            self.console.hop("replay", f"{name}: {len(events)} event(s) replayed")

        self.call_soon(run)
        return {
            "ReplayArn": replay["ReplayArn"],
            "State": "STARTING",
            "StateReason": f"{len(events)} event(s) to replay",
            "ReplayStartTime": now.timestamp(),
        }


def _wire(replay: dict[str, Any]) -> dict[str, Any]:
    """A replay as the JSON protocol carries it (timestamps in epoch seconds)."""
    return {k: v.timestamp() if isinstance(v, datetime) else v for k, v in replay.items()}
