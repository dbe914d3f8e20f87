"""EventBridge replays of the local bus's archive: ``StartReplay`` and ``DescribeReplay``.

Following the EventBridge API reference ("StartReplay", "Replay"): the source is an archive
ARN of a planned bus, the destination is that bus with optional ``FilterArns`` (rules of the
bus: only they get the replayed events); events whose ``time`` is from ``EventStartTime`` up
to, not including, ``EventEndTime`` are replayed, oldest first, each with a ``replay-name``
field as EventBridge adds it; the replay goes STARTING, RUNNING, COMPLETED. Replayed events
are not archived again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from local_runtime.events.bus import EventBus

_NAME = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")


class _RefusedError(ValueError):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _moment(value: Any) -> datetime | None:
    """A timestamp of the JSON protocol (epoch seconds, as boto3 sends it) or ISO 8601."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


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
    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self.replays: dict[str, dict[str, Any]] = {}

    def _request(self, payload: dict[str, Any]) -> _Request:
        """The checked StartReplay request; _RefusedError with EventBridge's error."""
        spec = self.bus.spec
        name = payload.get("ReplayName")
        if not isinstance(name, str) or not _NAME.match(name):
            raise _RefusedError(
                "ValidationException", "ReplayName must match [.\\-_A-Za-z0-9]{1,64}"
            )
        if name in self.replays:
            raise _RefusedError("ResourceAlreadyExistsException", f"Replay {name} already exists.")
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
            raise _RefusedError("ResourceNotFoundException", f"Archive {source} does not exist.")
        destination = payload.get("Destination") or {}
        if destination.get("Arn") != bus.arn:
            raise _RefusedError(
                "ValidationException",
                f"Destination.Arn must be the archive's event bus ({bus.arn})",
            )
        rules = {r.arn for r in self.bus.rules.get(bus.name, [])}
        wanted = frozenset(destination.get("FilterArns") or rules)
        unknown = sorted(wanted - rules)
        if unknown:
            raise _RefusedError(
                "ValidationException", f"FilterArns are not rules of {bus.name}: {unknown}"
            )
        start, end = _moment(payload.get("EventStartTime")), _moment(payload.get("EventEndTime"))
        if start is None or end is None or start >= end:
            raise _RefusedError(
                "ValidationException", "EventStartTime must be a time before EventEndTime"
            )
        return _Request(name, source, bus.name, bus.arn, bus.archive, wanted, start, end)

    def handle(self, operation: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if operation == "StartReplay":
            return self.start(payload)
        replay = self.replays.get(str(payload.get("ReplayName")))
        if replay is None:
            missing = f"Replay {payload.get('ReplayName')} does not exist."
            return 400, {"__type": "ResourceNotFoundException", "message": missing}
        return 200, _wire(replay)

    def start(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            request = self._request(payload)
        except _RefusedError as refused:
            return 400, {"__type": refused.kind, "message": str(refused)}
        spec, name, start, end = self.bus.spec, request.name, request.start, request.end
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
        path = self.bus.archive_path(request.archive)
        lines = path.read_text().splitlines() if path.is_file() else []
        events = []
        for line in lines:
            event = json.loads(line)
            moment = _moment(event.get("time"))
            if moment is not None and start <= moment < end:
                events.append(dict(event, **{"replay-name": name}))
        events.sort(key=lambda e: str(e["time"]))
        loop = self.bus.loop
        if loop is None:
            raise RuntimeError("the bus is not running")
        replay["State"] = "RUNNING"

        def run() -> None:
            self.bus.replay(events, request.bus, request.rules)
            replay["EventLastReplayedTime"] = _moment(events[-1]["time"]) if events else start
            replay["ReplayEndTime"] = datetime.now(UTC)
            replay["State"] = "COMPLETED"
            replay["StateReason"] = f"{len(events)} event(s) replayed"
            self.bus.console.hop("replay", f"{name}: {len(events)} event(s) replayed")

        loop.call_soon_threadsafe(run)
        return 200, {
            "ReplayArn": replay["ReplayArn"],
            "State": "STARTING",
            "StateReason": f"{len(events)} event(s) to replay",
            "ReplayStartTime": now.timestamp(),
        }


def _wire(replay: dict[str, Any]) -> dict[str, Any]:
    """A replay as the JSON protocol carries it (timestamps in epoch seconds)."""
    return {k: v.timestamp() if isinstance(v, datetime) else v for k, v in replay.items()}
