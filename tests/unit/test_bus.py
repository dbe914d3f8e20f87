"""PutEvents requests built by size as well as count; failures one by one; retries."""

from __future__ import annotations

import json
from typing import Any

import pytest

from handlers.common.bus import (
    MAX_REQUEST_BYTES,
    PermanentPublishError,
    PublishError,
    entry_size,
    put_event,
    put_events,
)
from handlers.common.failures import classify
from tests.unit.streams import RecordingEvents, throttled


def entry(detail_bytes: int, source: str = "platform.test") -> dict[str, Any]:
    filler = "x" * max(0, detail_bytes - len('{"f":""}'))
    return {"Source": source, "DetailType": "Test.v1", "Detail": json.dumps({"f": filler})}


def test_entry_size_is_counted_as_eventbridge_counts_it() -> None:
    # 14 for Time, then the UTF-8 bytes of Source, DetailType, Detail and each resource.
    e = {
        "Time": "2026-11-24T00:00:00Z",
        "Source": "plätform",  # ä is 2 bytes in UTF-8
        "DetailType": "T.v1",
        "Detail": "{}",
        "Resources": ["arn:a", "arn:bb"],
        "EventBusName": "not counted",
    }
    assert entry_size(e) == 14 + 9 + 4 + 2 + 5 + 6


def test_requests_are_cut_by_size_before_count() -> None:
    client = RecordingEvents()
    entries = [entry(100_000) for _ in range(4)]  # three of them are over 256 KB together
    assert put_events(client, entries) == [None] * 4  # type: ignore[arg-type]
    assert [len(r) for r in client.requests] == [2, 2]
    for request in client.requests:
        assert sum(entry_size(e) for e in request) < MAX_REQUEST_BYTES


def test_an_oversized_entry_fails_alone_and_permanently() -> None:
    client = RecordingEvents()
    entries = [entry(100), entry(MAX_REQUEST_BYTES), entry(100)]
    results = put_events(client, entries)  # type: ignore[arg-type]
    assert results[0] is None
    assert results[2] is None
    failure = results[1]
    assert failure is not None
    assert failure.code == "EntryTooLarge"
    assert failure.permanent
    assert [len(r) for r in client.requests] == [2]  # its neighbours went, in one request
    with pytest.raises(PermanentPublishError, match="EntryTooLarge") as raised:
        put_event(client, entries[1])  # type: ignore[arg-type]
    assert classify(raised.value) == "permanent"


def test_a_malformed_entry_is_not_sent_again_and_is_permanent() -> None:
    client = RecordingEvents(outcomes=[lambda entries: {0: "MalformedDetail"}])
    (failure,) = put_events(client, [entry(10)])  # type: ignore[arg-type]
    assert failure is not None
    assert failure.permanent
    assert len(client.requests) == 1


def test_a_whole_request_throttled_every_round_is_transient() -> None:
    client = RecordingEvents(outcomes=[lambda entries: throttled()] * 3)
    with pytest.raises(PublishError, match="ThrottlingException") as raised:
        put_event(client, entry(10))  # type: ignore[arg-type]
    assert not isinstance(raised.value, PermanentPublishError)
    assert classify(raised.value) == "transient"
    assert len(client.requests) == 3
