"""Every AWS operation the local runtime answers itself, driven through boto3 (parameter
validation on, as users call it) and held against botocore's service model: the raw body and
headers against the operation's output shape, every error against the operation's error
shapes (code and HTTP status) or AWS's common errors. An answer AWS could not send fails."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local_runtime.aws.server import LocalAws
from local_runtime.console import Console
from local_runtime.events.bus import EventBus
from local_runtime.faults import Faults
from local_runtime.functions.invoke import InvokeApi
from local_runtime.functions.registry import Functions
from tests.unit.runtime.shapes import error_problems, header_problems, operation, problems
from tests.unit.runtime.test_events_bus import ACCOUNT, BUS_ARN, REGION, RULE_ARN, spec
from tests.unit.runtime.test_functions import Records, runtime
from tests.unit.runtime.test_functions import spec as function_spec

KEY, SECRET = "AKIAOPERATOR00000000", "operator-secret"


@dataclass
class Wire:
    """The last raw answer boto3 received."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def record(self, http_response: Any, model: Any, **_: Any) -> None:
        self.status = http_response.status_code
        self.headers = dict(http_response.headers)
        # A streaming output (Invoke's Payload) is the function's own bytes: left unread.
        self.body = (
            b"" if model.has_streaming_output and self.status < 300 else http_response.content
        )


@dataclass
class Local:
    aws: LocalAws
    faults: Faults
    wire: Wire

    def client(
        self, service: str, *, validate: bool = True, key: str = KEY, secret: str = SECRET
    ) -> Any:
        made = boto3.client(
            service,
            endpoint_url=self.aws.endpoint,
            region_name=REGION,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(parameter_validation=validate, retries={"max_attempts": 1}),
        )
        made.meta.events.register("after-call.*.*", self.wire.record)
        return made


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Local]:
    tmp = tmp_path_factory.mktemp("shapes")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    faults = Faults()
    functions = Functions(
        {
            name: runtime(tmp, function_spec(name, handler), faults, Records())
            for name, handler in {"echo": "probe.echo", "fail": "probe.fail"}.items()
        }
    )
    aws = LocalAws(0, {KEY: SECRET}, faults, operator_keys=frozenset({KEY}))
    aws.start()
    bus = EventBus(
        spec(),
        functions=functions,
        send_sqs=lambda *_: None,
        console=Console(verbosity=0),
        archive_dir=tmp / "archive",
        delay_scale=0.001,
        faults=faults,
    )
    bus.loop = loop
    aws.events = bus.handle
    aws.invoke = InvokeApi(functions, loop, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:")
    yield Local(aws, faults, Wire())
    asyncio.run_coroutine_threadsafe(functions.stop(), loop).result(30)
    aws.stop()
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)


def answered(local: Local, service: str, name: str) -> dict[str, Any]:
    """The last raw answer, held against the operation's output shape; its JSON."""
    op = operation(service, name)
    body = json.loads(local.wire.body or b"{}") if service != "lambda" else {}
    assert problems(body, op.output_shape) == []
    assert header_problems(op, local.wire.headers) == []
    return body


def refused(local: Local, service: str, name: str, error: ClientError) -> str:
    """The error's code, held against the operation's error shapes; the code."""
    code = error.response["Error"]["Code"]
    assert error_problems(operation(service, name), local.wire.status, code) == []
    return str(code)


# --- EventBridge ---------------------------------------------------------------------------


def test_put_events(local: Local) -> None:
    events = local.client("events")
    events.put_events(
        Entries=[
            {
                "Source": "shop",
                "DetailType": "Ordered",
                "Detail": '{"a": 1}',
                "EventBusName": "bus",
            },
            {"Source": "shop", "DetailType": "Ordered", "Detail": "[1]", "EventBusName": "bus"},
        ]
    )
    body = answered(local, "events", "PutEvents")
    assert body["FailedEntryCount"] == 1
    assert body["Entries"][1] == {
        "ErrorCode": "MalformedDetail",
        "ErrorMessage": "Detail is malformed.",
    }


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([{"Source": "s", "DetailType": "d", "Detail": "{}"}] * 11, "ValidationException"),
        ([], "ValidationException"),
    ],
)
def test_put_events_refused(local: Local, entries: list[dict[str, Any]], code: str) -> None:
    with pytest.raises(ClientError) as error:
        local.client("events", validate=False).put_events(Entries=entries)
    assert refused(local, "events", "PutEvents", error.value) == code


def test_describe_rule(local: Local) -> None:
    events = local.client("events")
    events.describe_rule(Name="orders", EventBusName="bus")
    assert answered(local, "events", "DescribeRule")["Arn"] == RULE_ARN
    with pytest.raises(ClientError) as error:
        events.describe_rule(Name="nope", EventBusName="bus")
    assert refused(local, "events", "DescribeRule", error.value) == "ResourceNotFoundException"


def test_replays(local: Local) -> None:
    events = local.client("events")
    request = {
        "ReplayName": "shape-check",
        "EventSourceArn": f"arn:aws:events:{REGION}:{ACCOUNT}:archive/arch",
        "Destination": {"Arn": BUS_ARN},
        "EventStartTime": 0,
        "EventEndTime": 4_000_000_000,
    }
    events.start_replay(**request)
    assert answered(local, "events", "StartReplay")["State"] == "STARTING"
    events.describe_replay(ReplayName="shape-check")
    assert answered(local, "events", "DescribeReplay")["ReplayName"] == "shape-check"
    for payload, code in [
        (request, "ResourceAlreadyExistsException"),
        (
            {
                **request,
                "ReplayName": "x",
                "EventSourceArn": f"arn:aws:events:{REGION}:{ACCOUNT}:archive/none",
            },
            "ResourceNotFoundException",
        ),
        ({**request, "ReplayName": "y", "EventEndTime": 0}, "ValidationException"),
    ]:
        with pytest.raises(ClientError) as error:
            events.start_replay(**payload)
        assert refused(local, "events", "StartReplay", error.value) == code
    with pytest.raises(ClientError) as error:
        events.describe_replay(ReplayName="never")
    assert refused(local, "events", "DescribeReplay", error.value) == "ResourceNotFoundException"


def test_an_operation_the_local_bus_does_not_serve(local: Local) -> None:
    with pytest.raises(ClientError) as error:
        local.client("events").list_rules()
    assert refused(local, "events", "ListRules", error.value) == "UnknownOperationException"


@pytest.mark.parametrize(
    ("key", "secret", "code"),
    [
        ("AKIANOBODY0000000000", "x", "UnrecognizedClientException"),
        (KEY, "not-the-secret", "InvalidSignatureException"),
    ],
)
def test_a_bad_signature_is_refused_as_aws_refuses_it(
    local: Local, key: str, secret: str, code: str
) -> None:
    with pytest.raises(ClientError) as error:
        local.client("events", key=key, secret=secret).describe_rule(
            Name="orders", EventBusName="bus"
        )
    assert refused(local, "events", "DescribeRule", error.value) == code
    with pytest.raises(ClientError) as error:
        local.client("lambda", key=key, secret=secret).invoke(FunctionName="echo")
    assert refused(local, "lambda", "Invoke", error.value) == code


# --- Lambda ----------------------------------------------------------------------------------


def test_invoke(local: Local) -> None:
    lam = local.client("lambda")
    answer = lam.invoke(FunctionName="echo", Payload=b'{"x": 1}', LogType="Tail")
    answered(local, "lambda", "Invoke")
    assert answer["StatusCode"] == 200
    assert json.loads(answer["Payload"].read())["event"] == {"x": 1}
    base64.b64decode(answer["LogResult"], validate=True)
    failed = lam.invoke(FunctionName=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fail")
    answered(local, "lambda", "Invoke")
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Payload"].read())["errorType"] == "ValueError"
    assert lam.invoke(FunctionName="echo", InvocationType="Event")["StatusCode"] == 202
    answered(local, "lambda", "Invoke")
    assert lam.invoke(FunctionName="echo", InvocationType="DryRun")["StatusCode"] == 204


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"FunctionName": "nope"}, "ResourceNotFoundException"),
        ({"FunctionName": "echo", "Qualifier": "3"}, "ResourceNotFoundException"),
        ({"FunctionName": "echo", "Payload": b"{not json"}, "InvalidRequestContentException"),
    ],
)
def test_invoke_refused(local: Local, params: dict[str, Any], code: str) -> None:
    with pytest.raises(ClientError) as error:
        local.client("lambda").invoke(**params)
    assert refused(local, "lambda", "Invoke", error.value) == code


# --- DynamoDB's throttling fault ---------------------------------------------------------------


def test_an_injected_throttle_is_dynamodbs_error(local: Local) -> None:
    operator = local.client("dynamodb")
    operator.create_table(
        TableName="shapes",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    local.aws.secrets["AKIAFUNCTION00000000"] = "f"
    function = local.client("dynamodb", key="AKIAFUNCTION00000000", secret="f")
    local.faults.configure({"dynamodb_throttle": 1.0})
    try:
        with pytest.raises(ClientError) as error:
            function.put_item(TableName="shapes", Item={"pk": {"S": "1"}})
    finally:
        local.faults.configure({})
    code = refused(local, "dynamodb", "PutItem", error.value)
    assert code == "ProvisionedThroughputExceededException"
    assert json.loads(local.wire.body)["ThrottlingReasons"][0]["resource"].endswith("table/shapes")


def test_the_checker_itself_catches_what_aws_could_not_send() -> None:
    """The check can fail: an unknown member, a wrong type, a bad enum, a missing required
    member, an unmodelled error code and a wrong status are each caught."""
    out = operation("events", "DescribeReplay").output_shape
    assert problems({"ReplayName": "r", "Extra": 1}, out) == [
        "$.Extra: not a member of DescribeReplayResponse"
    ]
    assert problems({"State": "DONE"}, out)
    assert problems({"EventStartTime": "2026-01-01"}, out)
    assert problems({"Destination": {}}, out) == ["$.Destination.Arn: required, missing"]
    put = operation("events", "PutEvents")
    assert error_problems(put, 400, "NoSuchThingException")
    assert error_problems(operation("lambda", "Invoke"), 400, "ResourceNotFoundException")
    assert not error_problems(operation("lambda", "Invoke"), 404, "ResourceNotFoundException")
    assert Path(__file__).is_file()
