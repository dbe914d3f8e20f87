"""PutEvents' entries: what EventBridge accepts, what it refuses, and the event it makes.

Following the API reference ("PutEvents", "PutEventsRequestEntry", "PutEventsResultEntry")
and the user guide ("Calculating PutEvents event entry size"): a request holds 1 to 10 entries
of 256 KB in all; an entry without ``Source``, ``DetailType`` or ``Detail`` fails alone with
``InvalidArgument``; a ``Detail`` that is not a JSON object, nests deeper than the 1000 levels
PutEvents processes, holds ``NaN``, a lone surrogate or an integer beyond the int64 range
PutEvents states fails alone with ``MalformedDetail``; an entry over 256 KB, or for a bus that
does not exist, fails alone. An accepted entry becomes the event rules see: ``version``,
``id``, ``detail-type``, ``source``, ``account``, ``time``, ``region``, ``resources``,
``detail``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from local_runtime.events.errors import EventsError
from local_runtime.strict_json import JsonRefusedError, loads

MAX_ENTRIES = 10
MAX_SIZE = 256 * 1024
MAX_DEPTH = 1000  # "PutEvents will only process nested JSON up to 1000 levels deep."
INT64 = (-(2**63), 2**63 - 1)


def entry_size(entry: Mapping[str, Any]) -> int:
    """The size AWS counts for one PutEvents entry ("Calculating PutEvents event entry size")."""
    size = 14 if entry.get("Time") is not None else 0
    for key in ("Source", "DetailType", "Detail"):
        value = entry.get(key)
        if isinstance(value, str):
            size += len(value.encode("utf-8", "surrogatepass"))
    for resource in entry.get("Resources") or []:
        if isinstance(resource, str):
            size += len(resource.encode("utf-8", "surrogatepass"))
    return size


def check_request(entries: Any) -> list[dict[str, Any]]:
    """The entries of a valid request; EventsError as EventBridge refuses the whole call."""
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_ENTRIES:
        raise EventsError(
            "ValidationException",
            "1 validation error detected: Value at 'entries' failed to satisfy constraint: "
            "Member must have length less than or equal to 10",
        )
    if sum(entry_size(e) for e in entries if isinstance(e, dict)) > MAX_SIZE:
        raise EventsError(
            "ValidationException", "Total size of the entries in the request is over the limit."
        )
    for entry in entries:
        if (
            isinstance(entry, dict)
            and entry.get("Time") is not None
            and parse_time(entry["Time"]) is None
        ):
            # A timestamp the JSON protocol cannot read fails the request as a whole.
            raise EventsError(
                "SerializationException", f"Time {entry['Time']!r} is not a timestamp"
            )
    return [e if isinstance(e, dict) else {} for e in entries]


class EntryRefusedError(Exception):
    """One entry fails (PutEventsResultEntry's ``ErrorCode`` and ``ErrorMessage``)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")

    def result(self) -> dict[str, str]:
        return {"ErrorCode": self.code, "ErrorMessage": self.message}


def _out_of_range(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, int) and not isinstance(item, bool):
            if not INT64[0] <= item <= INT64[1]:
                return True
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def read_detail(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The entry's detail as an object; EntryRefusedError as EventBridge refuses the entry."""
    for key in ("Source", "DetailType", "Detail"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise EntryRefusedError(
                "InvalidArgument",
                f"Parameter {key} is not valid. Reason: {key} is a required argument.",
            )
    try:
        detail = loads(entry["Detail"], max_depth=MAX_DEPTH)
    except JsonRefusedError:
        detail = None
    if not isinstance(detail, dict) or _out_of_range(detail):
        raise EntryRefusedError("MalformedDetail", "Detail is malformed.")
    if entry_size(entry) > MAX_SIZE:
        raise EntryRefusedError("InvalidArgument", "Event size exceeds the limit of 256 KB.")
    return detail


def parse_time(value: Any) -> datetime | None:
    """A timestamp of the JSON protocol: epoch seconds (as boto3 sends it) or ISO 8601."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def _time(value: Any) -> str:
    moment = parse_time(value) if value is not None else None
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_event(
    entry: Mapping[str, Any], detail: dict[str, Any], *, account: str, region: str
) -> dict[str, Any]:
    """The event EventBridge makes of an accepted entry."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": account,
        "time": _time(entry.get("Time")),
        "region": region,
        "resources": list(entry.get("Resources") or []),
        "detail": detail,
    }
