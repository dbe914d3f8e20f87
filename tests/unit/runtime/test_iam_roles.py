"""Each function's identity from its role's planned policies, and the setups Lambda refuses
when the role cannot act (a stream mapping, a failure queue): refused at start with AWS's
message."""

from __future__ import annotations

import re
from typing import Any

import pytest

from local_runtime.iam.policy import Authorization
from local_runtime.iam.roles import check_setup, function_identities
from local_runtime.plan.errors import UnresolvedValueError, UnsupportedError
from local_runtime.plan.iam import RolePolicies
from local_runtime.plan.models import MappingSpec, PlatformSpec
from tests.unit.runtime.test_events_bus import spec as platform
from tests.unit.runtime.test_functions import spec as function

STREAM = "arn:aws:dynamodb:eu-west-1:123456789012:table/answers/stream/*"
QUEUE = "arn:aws:sqs:eu-west-1:123456789012:failures"


def mapping() -> MappingSpec:
    return MappingSpec(
        address="aws_lambda_event_source_mapping.answers",
        function="scorer",
        table="answers",
        starting_position="LATEST",
        batch_size=10,
        maximum_batching_window_in_seconds=0,
        maximum_retry_attempts=2,
        maximum_record_age_in_seconds=60,
        bisect_batch_on_function_error=True,
        report_batch_item_failures=True,
        on_failure_queue=None,
        filters=(),
    )


def with_scorer() -> PlatformSpec:
    return platform().model_copy(
        update={"functions": {"scorer": function("scorer", "probe.echo")}, "mappings": (mapping(),)}
    )


def role(*statements: dict[str, Any]) -> dict[str, RolePolicies]:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return {"scorer": RolePolicies(documents=[("scorer/runtime", document)])}


READ_STREAM = {
    "Effect": "Allow",
    "Action": [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ],
    "Resource": STREAM,
}
SEND = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": QUEUE}


def test_a_function_acts_as_a_session_of_its_role() -> None:
    identities = function_identities(with_scorer(), role(READ_STREAM, SEND))
    scorer = identities["scorer"]
    assert scorer.principal == "arn:aws:sts::123456789012:assumed-role/scorer/scorer"
    assert scorer.check([Authorization("sqs:SendMessage", QUEUE)]) is None
    check_setup(with_scorer(), identities)


def test_a_mapping_the_role_cannot_read_is_refused_as_lambda_refuses_it() -> None:
    identities = function_identities(with_scorer(), role(SEND))
    aws_says = (
        "Cannot access stream arn:aws:dynamodb:eu-west-1:123456789012:table/answers/stream/"
        "local. Please ensure the role can perform the GetRecords, GetShardIterator, "
        "DescribeStream, and ListStreams Actions on your stream in IAM."
    )
    with pytest.raises(UnsupportedError, match=re.escape(aws_says)):
        check_setup(with_scorer(), identities)


def test_a_failure_queue_the_role_cannot_send_to_is_refused() -> None:
    identities = function_identities(with_scorer(), role(READ_STREAM))
    aws_says = (
        "module.scorer: The provided execution role does not have permissions to call "
        "SendMessage on SQS"
    )
    with pytest.raises(UnsupportedError, match=re.escape(aws_says)):
        check_setup(with_scorer(), identities)


def test_a_role_not_all_known_or_not_evaluable_stops_the_start() -> None:
    unknown = {
        "scorer": RolePolicies(unknown=[UnresolvedValueError("aws_iam_role_policy.x", "policy")])
    }
    with pytest.raises(UnresolvedValueError, match=r"aws_iam_role_policy\.x: policy is unknown"):
        function_identities(with_scorer(), unknown)
    dated = role({**SEND, "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01"}}})
    why = "module.scorer: the policies of its role scorer cannot be evaluated locally"
    with pytest.raises(UnsupportedError, match=re.escape(why)):
        function_identities(with_scorer(), dated)
