"""Apply the ingest modules to a moto server on 127.0.0.1, check them with boto3, destroy.

moto stands in for AWS here (no account, no network): it stores what Terraform creates
and answers the provider's reads, so apply -> plan (no changes) -> destroy proves the
modules are coherent end to end. It does not execute routes or invoke Lambda (no Docker).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from handlers.contracts import UPLOAD_RECEIVED
from tests.terraform.tfplan import FIXTURES, ROOT, TerraformDir, make_zip

pytestmark = [pytest.mark.terraform, pytest.mark.apply]

# Attributes moto 5.2.5 accepts but does not store, so a re-plan always wants to set them
# again. Anything else that drifts fails the test.
MOTO_UNSTORED = {("aws_lambda_function", "logging_config")}


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def applied(
    moto_endpoint: str, workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TerraformDir, dict[str, Any], dict[str, str]]]:
    # Same depth as in the checkout, so the fixture's ../../../../modules resolves.
    tfdir = workspace / "tests" / "terraform" / "fixtures" / "ingest_apply"
    shutil.copytree(FIXTURES / "ingest_apply", tfdir)
    zip_path = make_zip(tmp_path_factory.mktemp("zip") / "handlers.zip")
    tf_vars = {
        "endpoint": moto_endpoint,
        "lambda_zip": str(zip_path),
        "contracts_file": str(ROOT / "terraform" / "contracts.json"),
    }
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    tf = TerraformDir(tfdir, env=env)
    tf.tf.apply(tf_vars=tf_vars)
    outputs = dict(tf.tf.output().items())
    try:
        yield tf, outputs, tf_vars
    finally:
        tf.tf.destroy(tf_vars=tf_vars)
        _assert_destroyed(moto_endpoint)


def _assert_destroyed(endpoint: str) -> None:
    kwargs = {
        "endpoint_url": endpoint,
        "region_name": "eu-west-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    buses = boto3.client("events", **kwargs).list_event_buses()["EventBuses"]
    assert [b["Name"] for b in buses] == ["default"]
    assert boto3.client("lambda", **kwargs).list_functions()["Functions"] == []
    assert boto3.client("apigatewayv2", **kwargs).get_apis()["Items"] == []
    assert boto3.client("sqs", **kwargs).list_queues().get("QueueUrls", []) == []


@pytest.fixture(scope="module")
def aws(moto_endpoint: str) -> Any:
    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=moto_endpoint,
            region_name="eu-west-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client


def test_second_plan_shows_no_changes(applied: Any) -> None:
    tf, _, tf_vars = applied
    plan = tf.plan(tf_vars)
    changes = {}
    for rc in plan.raw.get("resource_changes", []):
        if rc["change"]["actions"] in (["no-op"], ["read"]):
            continue
        assert rc["change"]["actions"] == ["update"], f"{rc['address']}: {rc['change']['actions']}"
        diff = {
            k: v for k, v in _diff(rc["change"]).items() if (rc["type"], k) not in MOTO_UNSTORED
        }
        if diff:
            changes[rc["address"]] = diff
    assert changes == {}


def _diff(change: dict[str, Any]) -> dict[str, Any]:
    before, after = change.get("before") or {}, change.get("after") or {}
    return {
        k: (before.get(k), after.get(k))
        for k in set(before) | set(after)
        if before.get(k) != after.get(k)
    }


def test_rule_routes_the_contract_to_the_function_with_retry_and_dlq(
    applied: Any, aws: Any
) -> None:
    _, outputs, _ = applied
    events = aws("events")
    rule = events.describe_rule(Name="apply-capture-order", EventBusName=outputs["bus_name"])
    assert json.loads(rule["EventPattern"]) == UPLOAD_RECEIVED.pattern()
    targets = events.list_targets_by_rule(
        Rule="apply-capture-order", EventBusName=outputs["bus_name"]
    )["Targets"]
    assert len(targets) == 1
    target = targets[0]
    assert target["Arn"].endswith(":function:apply-capture-order")
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 8, "MaximumEventAgeInSeconds": 3600}
    dlq_url = outputs["dead_letter_queue_urls"]["apply-capture-order/capture-order"]
    attributes = aws("sqs").get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])
    attrs = attributes["Attributes"]
    assert target["DeadLetterConfig"]["Arn"] == attrs["QueueArn"]
    assert attrs["SqsManagedSseEnabled"] == "true"
    policy = json.loads(attrs["Policy"])["Statement"][0]
    assert policy["Principal"] == {"Service": "events.amazonaws.com"}
    assert policy["Condition"]["ArnEquals"]["aws:SourceArn"] == rule["Arn"]


def test_function_is_deployed_as_configured(applied: Any, aws: Any) -> None:
    _, outputs, _ = applied
    fn = aws("lambda").get_function_configuration(FunctionName=outputs["function_name"])
    assert fn["Runtime"] == "python3.13"
    assert fn["Architectures"] == ["arm64"]
    assert fn["TracingConfig"]["Mode"] == "Active"
    assert fn["Environment"]["Variables"] == {"ORDERS_TABLE_NAME": "apply-orders"}
    policy = json.loads(aws("lambda").get_policy(FunctionName=outputs["function_name"])["Policy"])
    statement = policy["Statement"][0]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"].endswith(
        "rule/apply-events/apply-capture-order"
    )


def test_function_role_holds_only_its_statements(applied: Any, aws: Any) -> None:
    iam = aws("iam")
    role = "apply-capture-order-lambda"
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
    names = sorted(iam.list_role_policies(RoleName=role)["PolicyNames"])
    assert names == ["function", "runtime"]
    document = iam.get_role_policy(RoleName=role, PolicyName="function")["PolicyDocument"]
    statement = (
        document["Statement"][0]
        if isinstance(document["Statement"], list)
        else document["Statement"]
    )
    assert statement["Action"] == "dynamodb:PutItem"
    assert statement["Resource"].endswith(":table/apply-orders")


def test_http_api_integration_and_role(applied: Any, aws: Any) -> None:
    _, outputs, _ = applied
    api = aws("apigatewayv2")
    api_id = outputs["api_id"]
    integrations = api.get_integrations(ApiId=api_id)["Items"]
    assert len(integrations) == 1
    integration = integrations[0]
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["IntegrationSubtype"] == "EventBridge-PutEvents"
    assert integration["CredentialsArn"] == outputs["integration_role_arn"]
    assert integration["RequestParameters"]["Detail"] == "$request.body"
    assert integration["RequestParameters"]["DetailType"] == UPLOAD_RECEIVED.detail_type
    routes = api.get_routes(ApiId=api_id)["Items"]
    assert [r["RouteKey"] for r in routes] == ["POST /uploads"]
    stage = api.get_stage(ApiId=api_id, StageName="$default")
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 100
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 50
    role = outputs["integration_role_arn"].split("/")[-1]
    document = aws("iam").get_role_policy(RoleName=role, PolicyName="put-events")["PolicyDocument"]
    statement = (
        document["Statement"][0]
        if isinstance(document["Statement"], list)
        else document["Statement"]
    )
    assert statement["Action"] == "events:PutEvents"
    assert statement["Resource"].endswith(":event-bus/apply-events")
