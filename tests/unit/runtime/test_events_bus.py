"""The local EventBridge without a network: PutEvents as the API reference answers it, the
rules and targets, delivery with retries and dead-letter queues, DescribeRule and replays."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from local_runtime.console import Console
from local_runtime.events.bus import EventBus
from local_runtime.faults import Faults
from local_runtime.functions.registry import Functions
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import (
    BusSpec,
    InputTransformerSpec,
    PlatformSpec,
    RuleSpec,
    TargetSpec,
)

REGION, ACCOUNT = "eu-west-1", "123456789012"
BUS_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/bus"
RULE_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/bus/orders"


def target(**changes: Any) -> TargetSpec:
    fields: dict[str, Any] = {
        "address": "aws_cloudwatch_event_target.t",
        "rule": "orders",
        "target_id": "queue",
        "arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-queue",
        "kind": "sqs",
        "input": None,
        "input_path": None,
        "input_transformer": None,
        "maximum_retry_attempts": 2,
        "maximum_event_age_in_seconds": 60,
        "dead_letter_queue": "orders-dlq",
    }
    return TargetSpec(**{**fields, **changes})


def spec(
    pattern: str = '{"source": ["shop"]}', targets: tuple[TargetSpec, ...] = ()
) -> PlatformSpec:
    rule = RuleSpec(
        address="aws_cloudwatch_event_rule.orders",
        name="orders",
        arn=RULE_ARN,
        bus="bus",
        pattern=pattern,
        enabled=True,
        targets=targets or (target(),),
    )
    return PlatformSpec(
        region=REGION,
        account_id=ACCOUNT,
        functions={},
        tables={},
        queues={},
        buses={"bus": BusSpec(address="b", name="bus", arn=BUS_ARN, archive="arch")},
        rules={"orders": rule},
        mappings=(),
        http_apis=(),
        websites=(),
        ssm_parameters={},
        outputs={},
        not_emulated={},
    )


class Sent:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str, dict[str, str] | None]] = []

    def __call__(self, queue: str, body: str, attributes: dict[str, str] | None) -> None:
        self.messages.append((queue, body, attributes))


def make_bus(
    tmp_path: Path, platform: PlatformSpec, faults: Faults | None = None
) -> tuple[EventBus, Sent]:
    sent = Sent()
    bus = EventBus(
        platform,
        functions=Functions({}),
        send_sqs=sent,
        console=Console(verbosity=0),
        archive_dir=tmp_path / "archive",
        delay_scale=0.001,
        faults=faults or Faults(),
    )
    return bus, sent


def entry(**changes: Any) -> dict[str, Any]:
    return {
        "Source": "shop",
        "DetailType": "Ordered",
        "Detail": '{"id": 1}',
        "EventBusName": "bus",
        **changes,
    }


def run(bus: EventBus, operation: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async def go() -> tuple[int, dict[str, Any]]:
        bus.loop = asyncio.get_running_loop()
        answer = bus.handle(operation, payload)
        for _ in range(200):
            await asyncio.sleep(0.005)
            if bus.delivering == 0:
                break
        return answer

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([], "ValidationException"),
        ([entry()] * 11, "ValidationException"),
        ([entry(Detail='{"x": "' + "y" * 262_144 + '"}')], "ValidationException"),
        ([entry(Time="not a time")], "SerializationException"),
    ],
)
def test_a_request_put_events_refuses_whole(tmp_path: Path, entries: list[Any], code: str) -> None:
    bus, _ = make_bus(tmp_path, spec())
    status, answer = run(bus, "PutEvents", {"Entries": entries})
    assert (status, answer["__type"]) == (400, code)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"Source": ""}, "InvalidArgument"),
        ({"Detail": "[1, 2]"}, "MalformedDetail"),
        ({"Detail": '{"a": NaN}'}, "MalformedDetail"),
        ({"Detail": '{"a": "\\ud800"}'}, "MalformedDetail"),
        ({"Detail": '{"a": ' + "[" * 1000 + "]" * 1000 + "}"}, "MalformedDetail"),
        ({"Detail": '{"a": 9223372036854775808}'}, "MalformedDetail"),
        ({"EventBusName": "other"}, "ResourceNotFoundException"),
    ],
)
def test_an_entry_fails_alone(tmp_path: Path, changes: dict[str, Any], code: str) -> None:
    bus, sent = make_bus(tmp_path, spec())
    status, answer = run(bus, "PutEvents", {"Entries": [entry(**changes), entry()]})
    assert status == 200
    assert answer["FailedEntryCount"] == 1
    assert answer["Entries"][0]["ErrorCode"] == code
    assert "EventId" in answer["Entries"][1]
    assert len(sent.messages) == 1  # the good entry was delivered


def test_a_detail_at_the_limits_is_accepted(tmp_path: Path) -> None:
    bus, sent = make_bus(tmp_path, spec())
    deep = '{"a": ' + "[" * 999 + "]" * 999 + ', "n": 9223372036854775807}'
    status, answer = run(bus, "PutEvents", {"Entries": [entry(Detail=deep)]})
    assert (status, answer["FailedEntryCount"]) == (200, 0)
    event = json.loads(sent.messages[0][1])
    assert event["detail"]["n"] == 2**63 - 1
    assert set(event) == {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    }


def test_a_transformed_input_reaches_the_target(tmp_path: Path) -> None:
    transformer = InputTransformerSpec(
        input_paths={"id": "$.detail.id"},
        input_template='{"order": <id>, "rule": <aws.events.rule-name>}',
    )
    bus, sent = make_bus(tmp_path, spec(targets=(target(input_transformer=transformer),)))
    run(bus, "PutEvents", {"Entries": [entry()]})
    assert [(q, json.loads(b)) for q, b, _ in sent.messages] == [
        ("orders-queue", {"order": 1, "rule": "orders"})
    ]


def test_a_failing_target_is_retried_then_dead_lettered(tmp_path: Path) -> None:
    faults = Faults()
    faults.arm("target", target().arn, 3)  # the first try and both retries
    bus, sent = make_bus(tmp_path, spec(), faults)
    run(bus, "PutEvents", {"Entries": [entry()]})
    [(queue, body, attributes)] = sent.messages
    assert queue == "orders-dlq"
    assert json.loads(body)["detail"] == {"id": 1}
    assert attributes == {
        "ERROR_CODE": "SDK_CLIENT_ERROR",
        "ERROR_MESSAGE": "injected fault: the target did not answer",
        "RULE_ARN": RULE_ARN,
        "TARGET_ARN": target().arn,
    }
    assert faults.snapshot()["injected"]["target"] == 3


def test_a_delivery_can_be_made_twice_as_eventbridge_may(tmp_path: Path) -> None:
    faults = Faults()
    faults.arm("duplicate_delivery", target().arn, 1)
    bus, sent = make_bus(tmp_path, spec(), faults)
    run(bus, "PutEvents", {"Entries": [entry()]})
    run(bus, "PutEvents", {"Entries": [entry()]})
    bodies = [json.loads(b) for _, b, _ in sent.messages]
    assert len(bodies) == 3  # the first event twice, the second once
    assert bodies[0] == bodies[1]
    assert bodies[0]["id"] != bodies[2]["id"]
    assert faults.snapshot()["injected"]["duplicate_delivery"] == 1


def test_a_non_matching_event_goes_nowhere_but_the_archive(tmp_path: Path) -> None:
    bus, sent = make_bus(tmp_path, spec())
    run(bus, "PutEvents", {"Entries": [entry(Source="elsewhere")]})
    assert sent.messages == []
    assert [e["source"] for e in bus.archive.events("arch")] == ["elsewhere"]


def test_describe_rule_and_unknown_operations(tmp_path: Path) -> None:
    bus, _ = make_bus(tmp_path, spec())
    status, rule = run(bus, "DescribeRule", {"Name": "orders", "EventBusName": "bus"})
    assert (status, rule["Arn"], rule["EventPattern"], rule["State"]) == (
        200,
        RULE_ARN,
        '{"source": ["shop"]}',
        "ENABLED",
    )
    assert run(bus, "DescribeRule", {"Name": "nope", "EventBusName": "bus"}) == (
        400,
        {
            "__type": "ResourceNotFoundException",
            "message": "Rule nope does not exist on EventBus bus.",
        },
    )
    status, answer = run(bus, "DeleteRule", {})
    assert (status, answer["__type"]) == (400, "UnknownOperationException")


def test_a_replay_routes_the_archive_again_to_its_rules(tmp_path: Path) -> None:
    bus, sent = make_bus(tmp_path, spec())
    run(bus, "PutEvents", {"Entries": [entry(Time=1_700_000_000), entry(Time=1_900_000_000)]})
    sent.messages.clear()
    request = {
        "ReplayName": "again",
        "EventSourceArn": f"arn:aws:events:{REGION}:{ACCOUNT}:archive/arch",
        "Destination": {"Arn": BUS_ARN},
        "EventStartTime": 1_600_000_000,
        "EventEndTime": 1_800_000_000,
    }
    status, started = run(bus, "StartReplay", request)
    assert (status, started["State"]) == (200, "STARTING")
    [(_, body, _)] = sent.messages
    assert json.loads(body)["replay-name"] == "again"
    status, replay = run(bus, "DescribeReplay", {"ReplayName": "again"})
    assert (status, replay["State"]) == (200, "COMPLETED")
    assert bus.archive.events("arch")[-1].get("replay-name") is None  # not archived again
    refused = [
        ({**request}, "ResourceAlreadyExistsException"),
        ({**request, "ReplayName": "x y"}, "ValidationException"),
        ({**request, "ReplayName": "b", "EventSourceArn": "arn:nope"}, "ResourceNotFoundException"),
        (
            {**request, "ReplayName": "c", "Destination": {"Arn": "arn:other"}},
            "ValidationException",
        ),
        (
            {
                **request,
                "ReplayName": "d",
                "Destination": {"Arn": BUS_ARN, "FilterArns": ["arn:r"]},
            },
            "ValidationException",
        ),
        ({**request, "ReplayName": "e", "EventEndTime": 1}, "ValidationException"),
    ]
    for payload, code in refused:
        status, answer = run(bus, "StartReplay", payload)
        assert (status, answer["__type"]) == (400, code), payload
    assert (
        run(bus, "DescribeReplay", {"ReplayName": "nope"})[1]["__type"]
        == "ResourceNotFoundException"
    )


def test_what_eventbridge_refuses_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedError, match="Consecutive wildcard characters at pos 2"):
        make_bus(tmp_path, spec('{"a": [{"wildcard": "x**"}]}'))
    lambda_target = target(kind="lambda", arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:gone")
    with pytest.raises(UnsupportedError, match=r"function .* is not in the plan"):
        make_bus(tmp_path, spec(targets=(lambda_target,)))
    with pytest.raises(UnsupportedError, match="PutTargets refuses it"):
        make_bus(tmp_path, spec(targets=(target(input_path="detail"),)))
