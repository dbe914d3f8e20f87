"""IAM on the wire: a function's request its role does not allow is refused by the local AWS
with the error each service sends (held against botocore's models and AWS's common errors),
and what it allows is served."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from local_runtime.iam.identities import Identity
from local_runtime.iam.policy import Policies
from local_runtime.iam.requests import Where
from tests.unit.runtime.shapes import error_problems, operation
from tests.unit.runtime.test_events_bus import ACCOUNT, BUS_ARN, REGION
from tests.unit.runtime.test_shapes import Local, local

__all__ = ["local"]

KEY, SECRET = "AKIALOCALFUNCTION001", "function-secret"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/shop-lambda"
PRINCIPAL = f"arn:aws:sts::{ACCOUNT}:assumed-role/shop-lambda/shop"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:PutItem", "dynamodb:CreateTable"],
            "Resource": TABLE,
        },
        {"Effect": "Allow", "Action": "sqs:CreateQueue", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "events:PutEvents",
            "Resource": BUS_ARN,
            "Condition": {"StringEquals": {"events:source": "shop"}},
        },
        {
            "Effect": "Allow",
            "Action": "lambda:InvokeFunction",
            "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:echo",
        },
        {"Effect": "Deny", "Action": "ssm:*", "Resource": "*"},
    ],
}


@pytest.fixture
def function(local: Local) -> Iterator[Local]:
    """``local``, with one function's key whose role has ``POLICY``."""
    local.aws.secrets[KEY] = SECRET
    local.aws.identities[KEY] = Identity(
        PRINCIPAL, ROLE, Policies([("shop-lambda/function", POLICY)]), Where(REGION, ACCOUNT)
    )
    yield local
    del local.aws.identities[KEY]
    del local.aws.secrets[KEY]


def _denied(local: Local, service: str, name: str, error: ClientError) -> tuple[str, str]:
    code = error.response["Error"]["Code"]
    assert error_problems(operation(service, name), local.wire.status, code) == []
    return str(code), str(error.response["Error"]["Message"])


def test_dynamodb(function: Local) -> None:
    dynamodb = function.client("dynamodb", key=KEY, secret=SECRET)
    operator = function.client("dynamodb")
    for table in ("orders", "invoices"):
        operator.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    dynamodb.put_item(TableName="orders", Item={"id": {"S": "1"}})
    with pytest.raises(ClientError) as error:
        dynamodb.put_item(TableName="invoices", Item={"id": {"S": "1"}})
    assert _denied(function, "dynamodb", "PutItem", error.value) == (
        "AccessDeniedException",
        f"User: {PRINCIPAL} is not authorized to perform: dynamodb:PutItem on resource: "
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/invoices because no identity-based policy "
        "allows the dynamodb:PutItem action",
    )
    assert function.wire.status == 400
    with pytest.raises(ClientError) as error:
        dynamodb.get_item(TableName="orders", Key={"id": {"S": "1"}})
    assert _denied(function, "dynamodb", "GetItem", error.value)[0] == "AccessDeniedException"
    assert "Item" not in operator.get_item(TableName="invoices", Key={"id": {"S": "1"}})


def test_sqs_answers_access_denied_in_lower_case(function: Local) -> None:
    sqs = function.client("sqs", key=KEY, secret=SECRET)
    url = sqs.create_queue(QueueName="failures")["QueueUrl"]
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=url, MessageBody="{}")
    assert _denied(function, "sqs", "SendMessage", error.value) == (
        "AccessDenied",
        f"User: {PRINCIPAL} is not authorized to perform: sqs:sendmessage on resource: "
        f"arn:aws:sqs:{REGION}:{ACCOUNT}:failures because no identity-based policy allows the "
        "sqs:sendmessage action",
    )
    assert function.wire.status == 403
    assert function.client("sqs").receive_message(QueueUrl=url).get("Messages") is None


def test_put_events_by_source(function: Local) -> None:
    events = function.client("events", key=KEY, secret=SECRET)
    entry = {"DetailType": "Ordered", "Detail": "{}", "EventBusName": "bus"}
    assert events.put_events(Entries=[{**entry, "Source": "shop"}])["FailedEntryCount"] == 0
    with pytest.raises(ClientError) as error:
        events.put_events(Entries=[{**entry, "Source": "shop"}, {**entry, "Source": "billing"}])
    code, message = _denied(function, "events", "PutEvents", error.value)
    assert code == "AccessDeniedException"
    assert message.endswith(
        f"events:PutEvents on resource: {BUS_ARN} because no identity-based policy allows the "
        "events:PutEvents action"
    )


def test_invoke(function: Local) -> None:
    lam = function.client("lambda", key=KEY, secret=SECRET)
    assert lam.invoke(FunctionName="echo", Payload=b"{}")["StatusCode"] == 200
    with pytest.raises(ClientError) as error:
        lam.invoke(FunctionName="fail", Payload=b"{}")
    assert _denied(function, "lambda", "Invoke", error.value)[0] == "AccessDeniedException"
    assert function.wire.status == 403
    # A qualified ARN is another resource (Lambda: "Resources and conditions").
    with pytest.raises(ClientError):
        lam.invoke(FunctionName="echo", Qualifier="$LATEST", Payload=b"{}")


def test_an_explicit_deny(function: Local) -> None:
    ssm = function.client("ssm", key=KEY, secret=SECRET)
    with pytest.raises(ClientError) as error:
        ssm.get_parameter(Name="webhook-url")
    code, message = _denied(function, "ssm", "GetParameter", error.value)
    assert code == "AccessDeniedException"
    assert message == (
        f"User: {PRINCIPAL} is not authorized to perform: ssm:GetParameter on resource: "
        f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/webhook-url with an explicit deny in an "
        "identity-based policy"
    )


def test_what_needs_no_permission_and_the_operator(function: Local) -> None:
    sts = function.client("sts", key=KEY, secret=SECRET)
    assert sts.get_caller_identity()["Account"]
    function.client("ssm").put_parameter(Name="open", Value="v", Type="String", Overwrite=True)


def test_a_secret_by_name_is_its_arn(function: Local) -> None:
    """Secrets Manager names a secret's ARN with six random characters; a request by name is
    decided on that ARN."""
    arn = function.client("secretsmanager").create_secret(Name="webhook", SecretString="x")["ARN"]
    secrets = function.client("secretsmanager", key=KEY, secret=SECRET)
    with pytest.raises(ClientError) as error:
        secrets.get_secret_value(SecretId="webhook")
    code, message = _denied(function, "secretsmanager", "GetSecretValue", error.value)
    assert code == "AccessDeniedException"
    assert f"secretsmanager:GetSecretValue on resource: {arn} because" in message
