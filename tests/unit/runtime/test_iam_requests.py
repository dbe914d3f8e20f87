"""What each request asks of IAM (``iam.requests``): actions and resource ARNs as the Service
Authorization Reference names them, and the roles' policies read from a plan
(``plan.iam``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local_runtime.iam.policy import Authorization
from local_runtime.iam.requests import Where, authorizations, lambda_invoke
from local_runtime.plan.changes import Plan
from local_runtime.plan.errors import UnresolvedValueError
from local_runtime.plan.iam import read_role_policies

WHERE = Where("eu-west-1", "123456789012")
ARN = "arn:aws:{}:eu-west-1:123456789012:{}"


def asked(target: str, body: dict[str, Any], service: str = "") -> list[tuple[str, str | None]]:
    found = authorizations(
        service=service, target=target, body=json.dumps(body).encode(), query="", where=WHERE
    )
    return [(a.action, a.resource) for a in found]


@pytest.mark.parametrize(
    ("target", "body", "expected"),
    [
        (
            "DynamoDB_20120810.Query",
            {"TableName": "reports", "IndexName": "by-day"},
            [("dynamodb:Query", ARN.format("dynamodb", "table/reports/index/by-day"))],
        ),
        (
            "DynamoDB_20120810.BatchWriteItem",
            {"RequestItems": {"a": [], "b": []}},
            [
                ("dynamodb:BatchWriteItem", ARN.format("dynamodb", "table/a")),
                ("dynamodb:BatchWriteItem", ARN.format("dynamodb", "table/b")),
            ],
        ),
        (
            "DynamoDB_20120810.TransactWriteItems",
            {
                "TransactItems": [
                    {"Put": {"TableName": "a"}},
                    {"ConditionCheck": {"TableName": "b"}},
                ]
            },
            [
                ("dynamodb:PutItem", ARN.format("dynamodb", "table/a")),
                ("dynamodb:ConditionCheckItem", ARN.format("dynamodb", "table/b")),
            ],
        ),
        (
            "DynamoDB_20120810.TransactGetItems",
            {"TransactItems": [{"Get": {"TableName": "a"}}]},
            [("dynamodb:GetItem", ARN.format("dynamodb", "table/a"))],
        ),
        ("DynamoDB_20120810.ListTables", {}, [("dynamodb:ListTables", "*")]),
        (
            "DynamoDB_20120810.ExecuteStatement",
            {"Statement": "x"},
            [("dynamodb:ExecuteStatement", None)],
        ),
        (
            "AmazonSQS.SendMessageBatch",
            {"QueueUrl": "http://127.0.0.1:4566/123456789012/poison"},
            [("sqs:SendMessage", ARN.format("sqs", "poison"))],
        ),
        (
            "AmazonSQS.GetQueueUrl",
            {"QueueName": "poison"},
            [("sqs:GetQueueUrl", ARN.format("sqs", "poison"))],
        ),
        (
            "AmazonSSM.GetParameter",
            {"Name": "/platform/webhook-url"},
            [("ssm:GetParameter", ARN.format("ssm", "parameter/platform/webhook-url"))],
        ),
        (
            "AmazonSSM.GetParameter",
            {"Name": "webhook-url:3"},
            [("ssm:GetParameter", ARN.format("ssm", "parameter/webhook-url"))],
        ),
        (
            "AmazonSSM.GetParameters",
            {"Names": ["a", "/b"]},
            [
                ("ssm:GetParameters", ARN.format("ssm", "parameter/a")),
                ("ssm:GetParameters", ARN.format("ssm", "parameter/b")),
            ],
        ),
        ("TrentService.Decrypt", {"CiphertextBlob": "x"}, [("kms:Decrypt", None)]),
    ],
)
def test_json_requests(
    target: str, body: dict[str, Any], expected: list[tuple[str, str | None]]
) -> None:
    service = {"TrentService": "kms"}.get(target.split(".", maxsplit=1)[0], "")
    assert asked(target, body, service) == expected


def test_put_events_asks_once_per_entry_with_its_source_and_detail_type() -> None:
    found = authorizations(
        service="events",
        target="AWSEvents.PutEvents",
        body=json.dumps(
            {
                "Entries": [
                    {"Source": "a", "DetailType": "A", "Detail": "{}"},
                    {"Source": "b", "DetailType": "B", "Detail": "{}", "EventBusName": "bus"},
                ]
            }
        ).encode(),
        query="",
        where=WHERE,
    )
    assert found == [
        Authorization(
            "events:PutEvents",
            ARN.format("events", "event-bus/default"),
            {"events:source": ["a"], "events:detail-type": ["A"]},
        ),
        Authorization(
            "events:PutEvents",
            ARN.format("events", "event-bus/bus"),
            {"events:source": ["b"], "events:detail-type": ["B"]},
        ),
    ]


@pytest.mark.parametrize(
    ("function", "qualifier", "resource"),
    [
        ("echo", None, "function:echo"),
        ("echo:live", None, "function:echo:live"),
        ("echo", "7", "function:echo:7"),
        ("123456789012:function:echo", None, "function:echo"),
        ("arn:aws:lambda:eu-west-1:123456789012:function:echo:live", None, "function:echo:live"),
    ],
)
def test_invoke(function: str, qualifier: str | None, resource: str) -> None:
    assert lambda_invoke(function, qualifier, WHERE) == [
        Authorization("lambda:InvokeFunction", ARN.format("lambda", resource))
    ]


def test_query_apis_and_what_needs_no_permission() -> None:
    def form(service: str, body: str) -> list[tuple[str, str | None]]:
        found = authorizations(
            service=service, target="", body=body.encode(), query="", where=WHERE
        )
        return [(a.action, a.resource) for a in found]

    assert form("sts", "Action=GetCallerIdentity&Version=2011-06-15") == []
    assert form("sns", "Action=Publish&TopicArn=t") == [("sns:Publish", None)]
    assert form("sqs", "Action=DeleteMessage&QueueUrl=http%3A%2F%2Fh%2F123456789012%2Fq") == [
        ("sqs:DeleteMessage", ARN.format("sqs", "q"))
    ]
    assert form("monitoring", "Action=PutMetricData") == [("cloudwatch:PutMetricData", None)]
    assert form("s3", "") == []


# --- the roles' policies, read from a plan -------------------------------------------------


def _change(
    address: str,
    rtype: str,
    after: dict[str, Any],
    unknown: dict[str, Any] | None = None,
    mode: str = "managed",
) -> dict[str, Any]:
    return {
        "address": address,
        "mode": mode,
        "type": rtype,
        "change": {
            "actions": ["create"] if mode == "managed" else ["read"],
            "after": after,
            "after_unknown": unknown or {},
        },
    }


def _plan(*changes: dict[str, Any], resources: list[dict[str, Any]] | None = None) -> Plan:
    module = {"resources": resources or []}
    return Plan(
        {
            "resource_changes": list(changes),
            "configuration": {"root_module": {"module_calls": {"fn": {"module": module}}}},
        }
    )


KNOWN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


def test_a_known_policy_is_read_as_planned() -> None:
    plan = _plan(
        _change(
            "module.fn.aws_iam_role_policy.this[0]",
            "aws_iam_role_policy",
            {"role": "r", "policy": json.dumps(KNOWN)},
        ),
    )
    roles = read_role_policies(plan, {})
    assert roles["r"].documents == [("module.fn.aws_iam_role_policy.this[0]", KNOWN)]
    assert roles["r"].unknown == []


def test_a_policy_unknown_until_apply_is_made_from_its_document() -> None:
    document = {
        "statement": [
            {
                "sid": "SendFailedEvents",
                "effect": None,
                "actions": ["sqs:SendMessage"],
                "resources": ["arn:aws:sqs:eu-west-1:1:q"],
                "not_actions": None,
                "not_resources": None,
                "principals": [],
                "not_principals": [],
                "condition": [
                    {
                        "test": "StringEquals",
                        "variable": "kms:ViaService",
                        "values": ["sqs.eu-west-1.amazonaws.com"],
                    }
                ],
            }
        ]
    }
    plan = _plan(
        _change(
            "module.fn.aws_iam_role_policy.runtime[0]",
            "aws_iam_role_policy",
            {"role": "r"},
            {"policy": True},
        ),
        _change(
            "module.fn.data.aws_iam_policy_document.runtime[0]",
            "aws_iam_policy_document",
            document,
            {"json": True},
            mode="data",
        ),
        resources=[
            {
                "address": "aws_iam_role_policy.runtime",
                "expressions": {
                    "policy": {
                        "references": [
                            "data.aws_iam_policy_document.runtime[0].json",
                            "data.aws_iam_policy_document.runtime[0]",
                        ]
                    }
                },
            }
        ],
    )
    ((_, made),) = read_role_policies(plan, {})["r"].documents
    assert made == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Sid": "SendFailedEvents",
                "Action": ["sqs:SendMessage"],
                "Resource": ["arn:aws:sqs:eu-west-1:1:q"],
                "Condition": {"StringEquals": {"kms:ViaService": ["sqs.eu-west-1.amazonaws.com"]}},
            }
        ],
    }


def test_what_the_plan_does_not_know_is_named() -> None:
    plan = _plan(
        _change(
            "module.fn.aws_iam_role_policy.x[0]",
            "aws_iam_role_policy",
            {"role": "r"},
            {"policy": True},
        ),
        _change(
            "aws_iam_role_policy_attachment.basic",
            "aws_iam_role_policy_attachment",
            {
                "role": "r",
                "policy_arn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            },
        ),
        _change(
            "aws_iam_role.r",
            "aws_iam_role",
            {"name": "r", "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
        ),
    )
    unknown = read_role_policies(plan, {})["r"].unknown
    assert [type(u) for u in unknown] == [UnresolvedValueError] * 3
    assert "module.fn.aws_iam_role_policy.x[0]: policy is unknown until apply" in str(unknown[0])
    assert "AWSLambdaBasicExecutionRole is not planned" in " ".join(map(str, unknown))
    assert "managed_policy_arns is arn:aws:iam::aws:policy/ReadOnlyAccess" in " ".join(
        map(str, unknown)
    )
