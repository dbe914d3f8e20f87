"""What a bus target receives: the user guide's "Transforming target input" examples, each as
the page gives it, plus the checks PutTargets makes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local_runtime.events.transform import check_target_input, json_path, render, target_input
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import InputTransformerSpec, RuleSpec, TargetSpec

# The page's example EC2 event.
EVENT: dict[str, Any] = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING"},
}
PATHS = {"timestamp": "$.time", "instance": "$.detail.instance-id", "state": "$.detail.state"}
RULE_ARN = "arn:aws:events:us-east-2:123456789012:rule/example"


def fill(template: str, paths: dict[str, str] = PATHS) -> str:
    return render(template, paths, EVENT, rule_arn=RULE_ARN, rule_name="example")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # "Simple string"
        ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
        # "String with escaped quotes"
        (
            '"instance \\"<instance>\\" is in <state>"',
            '"instance \\"i-0123456789\\" is in RUNNING"',
        ),
        # "Simple JSON" (minified, as the page says the target gets it)
        (
            '{\n  "instance" : <instance>,\n  "state": <state>\n}',
            '{"instance":"i-0123456789","state":"RUNNING"}',
        ),
        # "JSON with strings and variables"
        (
            '{"instance" : <instance>, "state": "<state>", '
            '"instanceStatus": "instance \\"<instance>\\" is in <state>"}',
            '{"instance":"i-0123456789","state":"RUNNING",'
            '"instanceStatus":"instance \\"i-0123456789\\" is in RUNNING"}',
        ),
        # "JSON with a mix of variables and static information"
        (
            '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}',
            '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}',
        ),
        # "Including reserved variables in a string"
        ('"<aws.events.rule-name> triggered"', '"example triggered"'),
    ],
)
def test_the_guides_examples(template: str, expected: str) -> None:
    assert fill(template) == expected


def test_reserved_variables_in_json() -> None:
    """ "Including reserved variables in JSON": the rule and the original event."""
    out = json.loads(
        fill(
            '{"instance": <instance>, "ruleArn": <aws.events.rule-arn>, '
            '"ruleName": <aws.events.rule-name>, "originalEvent": <aws.events.event>, '
            '"raw": <aws.events.event.json>, "at": "<aws.events.event.ingestion-time>"}'
        )
    )
    assert out["ruleArn"] == RULE_ARN
    assert out["ruleName"] == "example"
    assert out["originalEvent"] == EVENT
    assert json.loads(out["raw"]) == EVENT
    assert out["at"].endswith("Z")


def test_values_are_not_escaped_inside_strings() -> None:
    """'EventBridge doesn't escape values extracted by Input Path': a quote in a value breaks
    a JSON template, and the target gets the text as it is."""
    event = {**EVENT, "detail": {"state": 'say "hi"'}}
    text = render('{"s": "<s>"}', {"s": "$.detail.state"}, event, rule_arn="a", rule_name="r")
    assert text == '{"s": "say "hi""}'


def test_a_path_the_event_lacks() -> None:
    assert fill('{"a": <nope>, "b": "<nope>"}', {"nope": "$.detail.none"}) == '{"a":null,"b":""}'


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", EVENT),
        ("$.detail.state", "RUNNING"),
        ("$.resources[0]", EVENT["resources"][0]),
        ("$['detail-type']", EVENT["detail-type"]),
        ('$.detail["instance-id"]', "i-0123456789"),
    ],
)
def test_json_paths(path: str, expected: Any) -> None:
    assert json_path(EVENT, path) == expected


def _target(**kwargs: Any) -> TargetSpec:
    return TargetSpec(
        address="aws_cloudwatch_event_target.t",
        rule="r",
        target_id="t",
        arn="arn:aws:sqs:eu-west-1:123456789012:q",
        kind="sqs",
        input=kwargs.get("input"),
        input_path=kwargs.get("input_path"),
        input_transformer=kwargs.get("input_transformer"),
        maximum_retry_attempts=1,
        maximum_event_age_in_seconds=60,
        dead_letter_queue=None,
    )


RULE = RuleSpec(
    address="aws_cloudwatch_event_rule.r",
    name="r",
    arn=RULE_ARN,
    bus="default",
    pattern="{}",
    enabled=True,
    targets=(),
)


def test_what_each_kind_of_target_input_delivers() -> None:
    assert json.loads(target_input(_target(), RULE, EVENT)) == EVENT
    assert target_input(_target(input='{"fixed": 1}'), RULE, EVENT) == '{"fixed": 1}'
    assert target_input(_target(input_path="$.detail"), RULE, EVENT) == json.dumps(
        EVENT["detail"], separators=(",", ":")
    )
    transformer = InputTransformerSpec(input_paths=PATHS, input_template='"<state>"')
    assert target_input(_target(input_transformer=transformer), RULE, EVENT) == '"RUNNING"'


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        (_target(input="x" * 8193), "input is longer than 8192"),
        (_target(input_path="detail"), "must start with $"),
        (
            _target(
                input_transformer=InputTransformerSpec(
                    input_paths={"aws.events.event": "$"}, input_template="<x>"
                )
            ),
            "aws.events.event is a reserved variable name",
        ),
        (
            _target(
                input_transformer=InputTransformerSpec(
                    input_paths={"a b": "$.x"}, input_template="<x>"
                )
            ),
            "must match [A-Za-z0-9_-]+",
        ),
        (
            _target(input_transformer=InputTransformerSpec(input_paths={}, input_template="")),
            "1 to 8192 characters",
        ),
        (
            _target(
                input_transformer=InputTransformerSpec(
                    input_paths={f"v{i}": "$" for i in range(101)}, input_template="<v1>"
                )
            ),
            "more than 100 variables",
        ),
    ],
)
def test_what_put_targets_refuses_is_refused_at_start(target: TargetSpec, reason: str) -> None:
    with pytest.raises(UnsupportedError, match="PutTargets refuses it") as refused:
        check_target_input(target)
    assert reason in str(refused.value)
    assert "aws_cloudwatch_event_target.t" in str(refused.value)
