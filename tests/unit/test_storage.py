"""The one DynamoDB idiom (handlers.common.dynamodb) and the answers item declared once
(handlers.common.answers): written by the channel handler, read back by the stream."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from pydantic import ValidationError

from handlers.answers_stream.logic import Announced, announce, entry_of
from handlers.channels.dal import DynamoDBAnswerStore
from handlers.channels.logic import InvalidPayloadError, StorageError
from handlers.common.answers import StoredAnswer
from handlers.common.bus import EntryFailure
from handlers.common.dynamodb import condition_failed, error_code, from_attributes, to_attributes
from tests.unit.aws import REGION, create_table

AT = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)


def test_plain_values_round_trip_through_dynamodb_types() -> None:
    values = {"s": "text", "n": 3, "f": 0.25, "b": True, "l": ["a", "b"], "m": {"x": 1.5}}
    typed = to_attributes(values)
    assert typed["f"] == {"N": "0.25"}  # floats become DynamoDB numbers, not an error
    assert typed["l"] == {"L": [{"S": "a"}, {"S": "b"}]}
    assert from_attributes(typed) == {
        "s": "text",
        "n": Decimal(3),
        "f": Decimal("0.25"),
        "b": True,
        "l": ["a", "b"],
        "m": {"x": Decimal("1.5")},
    }


def test_a_refused_condition_is_told_from_a_fault() -> None:
    with mock_aws():
        create_table("cond-test", range_key=False)
        client = boto3.client("dynamodb", region_name=REGION)
        item = to_attributes({"pk": "a"})
        client.put_item(TableName="cond-test", Item=item)
        with pytest.raises(ClientError) as refused:
            client.put_item(
                TableName="cond-test", Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        with pytest.raises(ClientError) as missing:
            client.put_item(TableName="no-such-table", Item=item)
    assert condition_failed(refused.value)
    assert not condition_failed(missing.value)
    assert error_code(missing.value) == "ResourceNotFoundException"


@pytest.mark.parametrize("value", ["daily", True, 18, 2.5, ["a", "b"]])
def test_a_stored_answer_reads_back_as_written(value: object) -> None:
    answer = StoredAnswer(
        user_id="u-1", questionnaire_id="q.v1", question_id="mfa", value=value, submitted_at=AT
    )
    item = answer.to_item()
    assert item["pk"] == "USER#u-1"
    assert item["sk"] == "ANSWER#q.v1#mfa"
    # What the stream hands over: the item typed and read back (numbers as Decimal).
    image = from_attributes(to_attributes(item))
    assert StoredAnswer.from_item(image) == answer


def test_a_stored_item_that_does_not_fit_names_its_fields() -> None:
    with pytest.raises(ValidationError) as bad:
        StoredAnswer.from_item({"userId": "u-1", "questionId": "not valid!", "value": None})
    fields = {".".join(map(str, e["loc"])) for e in bad.value.errors()}
    assert {"questionnaireId", "questionId", "submittedAt"} <= fields


def test_removes_announce_nothing_and_changes_name_their_kind() -> None:
    image = StoredAnswer(
        user_id="u-1", questionnaire_id="q.v1", question_id="mfa", value=True, submitted_at=AT
    ).to_item()
    assert entry_of("REMOVE", image, "bus") is None
    created = entry_of("INSERT", image, "bus")
    updated = entry_of("MODIFY", image, "bus")
    assert created is not None
    assert updated is not None
    assert '"change":"created"' in created["Detail"]
    assert '"change":"updated"' in updated["Detail"]


def test_announce_sorts_records_by_what_the_bus_said() -> None:
    failure = EntryFailure("ThrottlingException", "slow down")
    seen: list[list[dict[str, str]]] = []

    def put(entries: object) -> list[EntryFailure | None]:
        seen.append(list(entries))  # type: ignore[call-overload]
        return [None, failure, None]

    outcome = announce([("r1", {"n": "1"}), ("r2", {"n": "2"}), ("r3", {"n": "3"})], put)
    assert outcome == Announced(published=["r1", "r3"], failed=[("r2", failure)])
    assert seen == [[{"n": "1"}, {"n": "2"}, {"n": "3"}]]
    assert announce([], put) == Announced()
    assert len(seen) == 1  # nothing to put, no call


class _Refusing:
    """A DynamoDB client double whose PutItem fails with ``code``."""

    def __init__(self, code: str) -> None:
        self.code = code

    def put_item(self, **_: object) -> None:
        raise ClientError({"Error": {"Code": self.code, "Message": "as told"}}, "PutItem")


def test_an_answer_dynamodb_cannot_hold_is_refused_not_to_be_published_again() -> None:
    answer = StoredAnswer(
        user_id="u-1", questionnaire_id="q.v1", question_id="mfa", value=True, submitted_at=AT
    )
    refusing = DynamoDBAnswerStore("answers", _Refusing("ValidationException"))  # type: ignore[arg-type]
    with pytest.raises(InvalidPayloadError, match="cannot be stored") as refused:
        refusing.put_answer(answer)
    assert "publish it again" not in str(refused.value)
    throttled = DynamoDBAnswerStore(
        "answers",
        _Refusing("ProvisionedThroughputExceededException"),  # type: ignore[arg-type]
    )
    with pytest.raises(StorageError, match="publish it again"):
        throttled.put_answer(answer)
