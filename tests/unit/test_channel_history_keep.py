"""Durable channels, write side: numbering, keeping and the publisher's message id
(``handlers.channels.history``) over a store in memory, then the DynamoDB store on moto."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.channels.dal import DynamoDBHistoryStore
from handlers.channels.history import AlreadyPublishedError, Entry, Seen, keep
from handlers.channels.logic import StorageError
from handlers.common.history import KeptEvent, message_pk
from tests.unit.aws import REGION, create_history_table

CHANNEL = "/chat/room-1"
NOW = datetime(2026, 12, 5, 8, 0, 0, tzinfo=UTC)


class MemoryStore:
    """The store protocol in memory, with the failures a test asks for."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}
        self.events: dict[tuple[str, int], KeptEvent] = {}
        self.messages: dict[tuple[str, str], Seen] = {}
        self.fail_allocate = False
        self.fail_writes = 0
        self.race: dict[str, Seen] = {}  # recorded by "another publish" at the next write

    def allocate(self, channel: str, count: int) -> int:
        if self.fail_allocate:
            raise StorageError("counter throttled")
        self.last[channel] = self.last.get(channel, 0) + count
        return self.last[channel]

    def seen(self, channel: str, message_ids: Sequence[str]) -> dict[str, Seen]:
        return {m: self.messages[channel, m] for m in message_ids if (channel, m) in self.messages}

    def write(self, events: Sequence[KeptEvent]) -> set[str]:
        if self.fail_writes:
            self.fail_writes -= 1
            raise StorageError("write throttled")
        for message_id, first in self.race.items():
            self.messages[events[0].channel, message_id] = first
        self.race = {}
        raced = {e.message_id for e in events if (e.channel, e.message_id) in self.messages} - {
            None
        }
        if raced:
            return {str(m) for m in raced}
        for event in events:
            self.events[event.channel, event.seq] = event
            if event.message_id is not None:
                self.messages[event.channel, event.message_id] = Seen(event.seq, event.id)
        return set()


def entries(*message_ids: str | None, start: int = 0) -> list[Entry]:
    return [
        Entry(f"evt-{start + n}", m, {"text": f"hello {start + n}"})
        for n, m in enumerate(message_ids)
    ]


def run(store: Any, batch: list[Entry], channel: str = CHANNEL) -> list[Any]:
    return keep(channel, batch, store, ttl_days=7, now=lambda: NOW)


def test_accepted_events_are_numbered_in_order_stamped_and_kept() -> None:
    store = MemoryStore()
    first = run(store, entries(None, None, None))
    second = run(store, entries(None, None, start=3))
    assert [o["seq"] for o in first + second] == [1, 2, 3, 4, 5]
    assert first[0] == {"text": "hello 0", "seq": 1, "id": "evt-0"}
    kept = store.events[CHANNEL, 5]
    assert (kept.id, kept.payload, kept.published_at) == (
        "evt-4",
        second[1],
        "2026-12-05T08:00:00.000Z",
    )
    assert kept.expires_at == int(datetime(2026, 12, 12, 8, tzinfo=UTC).timestamp())
    # channels count apart
    assert run(store, entries(None), channel="/chat/room-2")[0]["seq"] == 1


def test_a_message_id_is_kept_once_and_a_repeat_names_the_first_seq() -> None:
    store = MemoryStore()
    [first] = run(store, entries("m-1"))
    [again] = run(store, entries("m-1", start=9))
    assert isinstance(again, AlreadyPublishedError)
    assert (again.first.seq, again.first.id) == (first["seq"], "evt-0")
    assert str(again) == "message id m-1 was published as seq 1 (event id evt-0)"
    assert len(store.events) == 1
    # the same id on another channel is another message
    assert run(store, entries("m-1"), channel="/chat/room-2")[0]["seq"] == 1


def test_a_repeat_within_one_request_is_answered_with_the_first_of_it() -> None:
    store = MemoryStore()
    outcomes = run(store, entries("m-1", None, "m-1"))
    assert outcomes[0]["seq"] == 1
    assert outcomes[1]["seq"] == 2
    assert isinstance(outcomes[2], AlreadyPublishedError)
    assert outcomes[2].first == Seen(1, "evt-0")
    assert store.last[CHANNEL] == 2  # no number spent on the repeat


def test_a_failed_counter_write_fails_the_fresh_items_and_answers_the_repeats() -> None:
    store = MemoryStore()
    run(store, entries("m-1"))
    store.fail_allocate = True
    outcomes = run(store, entries("m-1", "m-2", start=1))
    assert isinstance(outcomes[0], AlreadyPublishedError)
    assert isinstance(outcomes[1], StorageError)
    assert len(store.events) == 1


def test_a_write_that_fails_after_allocation_loses_nothing_and_never_reuses_a_number() -> None:
    store = MemoryStore()
    store.fail_writes = 1
    failed = run(store, entries("m-1", "m-2"))
    assert all(isinstance(o, StorageError) for o in failed)
    assert store.events == {}
    # published again (same ids): kept once, with numbers after the spent ones
    again = run(store, entries("m-1", "m-2"))
    assert [o["seq"] for o in again] == [3, 4]
    assert isinstance(run(store, entries("m-1"))[0], AlreadyPublishedError)


def test_a_publish_that_loses_a_race_on_its_message_id_keeps_the_rest_on_its_numbers() -> None:
    store = MemoryStore()
    store.race = {"m-2": Seen(40, "evt-other")}
    outcomes = run(store, entries("m-1", "m-2", "m-3"))
    assert [o["seq"] for o in (outcomes[0], outcomes[2])] == [1, 2]
    assert isinstance(outcomes[1], AlreadyPublishedError)
    assert outcomes[1].first == Seen(40, "evt-other")
    assert sorted(seq for _, seq in store.events) == [1, 2]


# --- the DynamoDB store ---------------------------------------------------------------------

TABLE = "history-test"


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        yield create_history_table(TABLE)


def dynamodb_store() -> DynamoDBHistoryStore:
    return DynamoDBHistoryStore(TABLE, boto3.client("dynamodb", region_name=REGION))


def test_dynamodb_keeps_events_with_ttl_and_message_records(table: Any) -> None:
    store = dynamodb_store()
    outcomes = run(store, entries("m-1", None))
    assert [o["seq"] for o in outcomes] == [1, 2]
    item = table.get_item(Key={"pk": CHANNEL, "sk": 1})["Item"]
    assert item["expiresAt"] == int(datetime(2026, 12, 12, 8, tzinfo=UTC).timestamp())
    assert KeptEvent.from_item(item).payload == outcomes[0]
    record = table.get_item(Key={"pk": message_pk(CHANNEL, "m-1"), "sk": 0})["Item"]
    assert (record["seq"], record["id"], record["expiresAt"]) == (1, "evt-0", item["expiresAt"])
    assert table.get_item(Key={"pk": CHANNEL, "sk": 0})["Item"]["last"] == 2
    again = run(store, entries("m-1", start=5))
    assert isinstance(again[0], AlreadyPublishedError)
    assert again[0].first == Seen(1, "evt-0")


def test_dynamodb_reports_a_message_id_recorded_first_by_another_publish(table: Any) -> None:
    table.put_item(Item={"pk": message_pk(CHANNEL, "m-2"), "sk": 0, "seq": 9, "id": "x"})
    store = dynamodb_store()
    event = KeptEvent(CHANNEL, 10, "evt-0", "t", {"a": 1}, 1, "m-2")
    assert store.write([event]) == {"m-2"}
    assert "Item" not in table.get_item(Key={"pk": CHANNEL, "sk": 10})


def test_dynamodb_failures_become_storage_errors(table: Any) -> None:
    store = DynamoDBHistoryStore("no-such-table", boto3.client("dynamodb", region_name=REGION))
    [outcome] = run(store, entries(None))
    assert isinstance(outcome, StorageError)
    assert "ResourceNotFoundException" in str(outcome)


def test_a_channel_past_its_partitions_limit_fails_retryably_and_keeps_nothing() -> None:
    """DynamoDB's answer past a partition's throughput, after the SDK's own retries: the
    items fail with a StorageError naming it, none is delivered or written."""
    from botocore.config import Config  # noqa: PLC0415
    from botocore.stub import Stubber  # noqa: PLC0415

    client = boto3.client(
        "dynamodb",
        region_name=REGION,
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    stubber = Stubber(client)
    stubber.add_client_error(
        "update_item",
        service_error_code="ProvisionedThroughputExceededException",
        http_status_code=400,
    )
    with stubber:
        outcomes = run(DynamoDBHistoryStore(TABLE, client), entries(None, None))
    assert all(isinstance(o, StorageError) for o in outcomes)
    assert "ProvisionedThroughputExceededException" in str(outcomes[0])
    assert "publish them again" in str(outcomes[0])
    stubber.assert_no_pending_responses()
