"""The local IAM evaluator, on cases taken from the IAM User Guide (each names its page)."""

from __future__ import annotations

from typing import Any

import pytest

from local_runtime.iam.policy import Authorization, Policies, PolicyError

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/platform-local-security-lambda"
BUS = f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/platform-local-events"


def policies(*statements: dict[str, Any]) -> Policies:
    return Policies([("test", {"Version": "2012-10-17", "Statement": list(statements)})])


def allow(action: Any, resource: Any = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def deny(action: Any, resource: Any = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **more}


def decide(p: Policies, action: str, resource: str | None, **context: Any) -> str:
    keys = {k.replace("__", ":").replace("_", "-").lower(): list(v) for k, v in context.items()}
    decision = p.decide(Authorization(action, resource, keys))
    return "allow" if decision.allowed else f"deny ({decision.denial})"


# "Policy evaluation logic": an explicit deny overrides any allow; nothing that allows is an
# implicit deny.
def test_explicit_deny_wins_and_nothing_allowed_is_an_implicit_deny() -> None:
    p = policies(allow("dynamodb:*"), deny("dynamodb:DeleteTable"))
    assert decide(p, "dynamodb:PutItem", "arn:aws:dynamodb:eu-west-1:1:table/t") == "allow"
    assert decide(p, "dynamodb:DeleteTable", "arn:aws:dynamodb:eu-west-1:1:table/t") == (
        "deny (explicit)"
    )
    assert decide(p, "sqs:SendMessage", "arn:aws:sqs:eu-west-1:1:q") == "deny (implicit)"
    assert decide(Policies([]), "sqs:SendMessage", "*") == "deny (implicit)"


# "IAM JSON policy elements: Action": prefix and action are case-insensitive; wildcards
# ("iam:*AccessKey*" covers CreateAccessKey, DeleteAccessKey, ListAccessKeys, UpdateAccessKey).
@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("iam:CreateAccessKey", "allow"),
        ("IAM:listaccesskeys", "allow"),
        ("iam:UpdateAccessKey", "allow"),
        ("iam:CreateUser", "deny (implicit)"),
    ],
)
def test_actions_match_without_case_and_with_wildcards(action: str, expected: str) -> None:
    p = policies(allow("iam:*AccessKey*", f"arn:aws:iam::{ACCOUNT}:user/*"))
    assert decide(p, action, f"arn:aws:iam::{ACCOUNT}:user/ana") == expected


# "IAM JSON policy elements: NotAction": Allow with NotAction "iam:*" allows everything but IAM.
def test_not_action_allows_every_other_action() -> None:
    p = policies({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert decide(p, "s3:GetObject", "arn:aws:s3:::b/k") == "allow"
    assert decide(p, "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x") == "deny (implicit)"


# "IAM JSON policy elements: NotResource": Allow s3:* on everything but the payroll objects.
def test_not_resource_leaves_out_the_resources_it_names() -> None:
    p = policies(
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"],
        }
    )
    assert decide(p, "s3:GetObject", "arn:aws:s3:::HRBucket/Other/a") == "allow"
    assert decide(p, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/a") == "deny (implicit)"


# "IAM JSON policy elements: Resource": * and ? in any segment, compared with case.
@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/orders-1", "allow"),
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/orders-12", "deny (implicit)"),
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/Orders-1", "deny (implicit)"),
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/orders-1/index/by-day", "deny (implicit)"),
        ("arn:aws:dynamodbXeu-west-1:123456789012:table/orders-1", "deny (implicit)"),
    ],
)
def test_resources_match_with_case_and_wildcards(resource: str, expected: str) -> None:
    p = policies(allow("dynamodb:GetItem", "arn:aws:dynamodb:*:123456789012:table/orders-?"))
    assert decide(p, "dynamodb:GetItem", resource) == expected


# "Using IAM policy conditions in Amazon EventBridge": events:source and events:detail-type.
def test_put_events_conditions_on_source_and_detail_type() -> None:
    p = policies(
        allow(
            "events:PutEvents",
            BUS,
            Condition={
                "StringEquals": {
                    "events:source": "platform.security",
                    "events:detail-type": "ReportReady.v1",
                }
            },
        )
    )
    assert (
        decide(
            p,
            "events:PutEvents",
            BUS,
            events__source=["platform.security"],
            events__detail_type=["ReportReady.v1"],
        )
        == "allow"
    )
    assert (
        decide(
            p,
            "events:PutEvents",
            BUS,
            events__source=["platform.ingest"],
            events__detail_type=["ReportReady.v1"],
        )
        == "deny (implicit)"
    )
    assert decide(p, "events:PutEvents", BUS, events__source=["platform.security"]) == (
        "deny (implicit)"
    )


# "IAM JSON policy elements: Condition operators": a key absent from the request makes the
# condition false, except for negated operators (true), ...IfExists (true) and Null.
@pytest.mark.parametrize(
    ("operator", "present", "expected"),
    [
        ("StringEquals", False, "deny (implicit)"),
        ("StringNotEquals", False, "allow"),
        ("StringNotLike", False, "allow"),
        ("StringEqualsIfExists", False, "allow"),
        ("StringEqualsIfExists", True, "deny (implicit)"),
        ("StringLike", True, "deny (implicit)"),
        ("StringNotLike", True, "allow"),
        ("StringEqualsIgnoreCase", True, "deny (implicit)"),
    ],
)
def test_a_missing_key(operator: str, present: bool, expected: str) -> None:
    p = policies(allow("events:PutEvents", Condition={operator: {"events:source": "app.*"}}))
    context = {"events__source": ["other"]} if present else {}
    assert decide(p, "events:PutEvents", BUS, **context) == expected


# Condition operators: "Null": true when the key is absent, false when present.
def test_null() -> None:
    absent = policies(allow("events:PutEvents", Condition={"Null": {"events:source": "true"}}))
    present = policies(allow("events:PutEvents", Condition={"Null": {"events:source": "false"}}))
    assert decide(absent, "events:PutEvents", BUS) == "allow"
    assert decide(absent, "events:PutEvents", BUS, events__source=["x"]) == "deny (implicit)"
    assert decide(present, "events:PutEvents", BUS, events__source=["x"]) == "allow"


# "Conditions with multiple context keys or values": values ORed, NORed when negated; keys
# and operators ANDed.
def test_several_values_and_keys() -> None:
    either = policies(
        allow("events:PutEvents", Condition={"StringEquals": {"events:source": ["a", "b"]}})
    )
    neither = policies(
        allow("events:PutEvents", Condition={"StringNotEquals": {"events:source": ["a", "b"]}})
    )
    assert decide(either, "events:PutEvents", BUS, events__source=["b"]) == "allow"
    assert decide(neither, "events:PutEvents", BUS, events__source=["b"]) == "deny (implicit)"
    assert decide(neither, "events:PutEvents", BUS, events__source=["c"]) == "allow"
    both = policies(
        allow(
            "events:PutEvents",
            Condition={
                "StringEquals": {"events:source": "a"},
                "StringLike": {"events:detail-type": "Report*"},
            },
        )
    )
    assert (
        decide(
            both, "events:PutEvents", BUS, events__source=["a"], events__detail_type=["ReportReady"]
        )
        == "allow"
    )
    assert (
        decide(both, "events:PutEvents", BUS, events__source=["a"], events__detail_type=["Other"])
        == "deny (implicit)"
    )


# Set operators: ForAllValues holds for an absent key, ForAnyValue does not.
def test_set_operators_on_an_absent_key() -> None:
    for_all = policies(
        allow("events:PutEvents", Condition={"ForAllValues:StringEquals": {"events:source": "a"}})
    )
    for_any = policies(
        allow("events:PutEvents", Condition={"ForAnyValue:StringEquals": {"events:source": "a"}})
    )
    assert decide(for_all, "events:PutEvents", BUS) == "allow"
    assert decide(for_any, "events:PutEvents", BUS) == "deny (implicit)"
    assert decide(for_all, "events:PutEvents", BUS, events__source=["a", "b"]) == "deny (implicit)"
    assert decide(for_any, "events:PutEvents", BUS, events__source=["a", "b"]) == "allow"


# "aws:SecureTransport" (global condition keys): the usual "deny unless HTTPS" statement; and
# ArnLike on aws:PrincipalArn, compared part by part.
def test_bool_and_arn_conditions() -> None:
    p = policies(
        allow("sqs:SendMessage"),
        deny("*", Condition={"Bool": {"aws:SecureTransport": "false"}}),
    )
    assert (
        decide(p, "sqs:SendMessage", "arn:aws:sqs:eu-west-1:1:q", aws__SecureTransport=["true"])
        == "allow"
    )
    assert (
        decide(p, "sqs:SendMessage", "arn:aws:sqs:eu-west-1:1:q", aws__SecureTransport=["false"])
        == "deny (explicit)"
    )
    by_role = policies(
        allow(
            "sqs:SendMessage",
            Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/platform-*"}},
        )
    )
    assert decide(by_role, "sqs:SendMessage", "q", aws__PrincipalArn=[ROLE]) == "allow"
    assert (
        decide(
            by_role,
            "sqs:SendMessage",
            "q",
            aws__PrincipalArn=[f"arn:aws:iam::{ACCOUNT}:user/platform-x"],
        )
        == "deny (implicit)"
    )


# A resource the runtime cannot tell: denied only where AWS denies whatever the resource.
def test_an_unknown_resource_is_never_denied_by_a_guess() -> None:
    p = policies(allow("kms:Decrypt", "arn:aws:kms:eu-west-1:1:key/k"))
    assert decide(p, "kms:Decrypt", None) == "allow"
    assert decide(p, "kms:Encrypt", None) == "deny (implicit)"
    walled = policies(allow("kms:*", "arn:aws:kms:eu-west-1:1:key/k"), deny("kms:Decrypt", "*"))
    assert decide(walled, "kms:Decrypt", None) == "deny (explicit)"
    partly = policies(allow("kms:*"), deny("kms:Decrypt", "arn:aws:kms:eu-west-1:1:key/k"))
    assert decide(partly, "kms:Decrypt", None) == "allow"


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ({**allow("s3:*"), "Principal": "*"}, "Principal belongs to resource-based policies"),
        ({"Effect": "Permit", "Action": "s3:*", "Resource": "*"}, "Effect must be Allow or Deny"),
        ({"Effect": "Allow", "Resource": "*"}, "give exactly one of Action and NotAction"),
        (allow("s3:*", "arn:aws:s3:::b/${aws:username}/*"), "policy variables"),
        (
            allow("s3:*", Condition={"DateLessThan": {"aws:CurrentTime": "2027-01-01"}}),
            "'DateLessThan' is not evaluated",
        ),
        (
            allow("s3:*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
            "'IpAddress' is not evaluated",
        ),
        (
            allow("s3:*", Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}),
            "'aws:SourceVpce' is not evaluated",
        ),
        (
            allow("s3:*", Condition={"ForEach:StringEquals": {"events:source": "a"}}),
            "unknown set operator",
        ),
    ],
)
def test_what_cannot_be_evaluated_is_refused_with_the_reason(
    statement: dict[str, Any], reason: str
) -> None:
    with pytest.raises(PolicyError, match=reason.replace("$", r"\$").replace("{", r"\{")):
        policies(statement)


def test_a_document_that_is_not_a_policy_is_refused() -> None:
    with pytest.raises(PolicyError, match="not JSON"):
        Policies([("p", "{nope")])
    with pytest.raises(PolicyError, match="with a Statement"):
        Policies([("p", {"Version": "2012-10-17"})])
    with pytest.raises(PolicyError, match="unknown policy Version"):
        Policies([("p", {"Version": "2020-01-01", "Statement": []})])
