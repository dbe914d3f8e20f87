"""The whole platform root applied to moto (pytest-terraform), checked with boto3,
re-planned with no changes, destroyed (the destroy is checked by conftest.moto_endpoint).

moto stores what Terraform creates and answers the provider's reads, so apply -> plan (no
changes) -> destroy proves the root and its modules fit together as AWS would take them. It
does not run the functions or routes (no Docker): tests/local does that.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pytest_terraform import terraform

from handlers.contracts import ANSWER_SUBMITTED, REPORT_READY, UPLOAD_RECEIVED, EventContract
from tests.apply.conftest import moto_client

pytestmark = pytest.mark.apply

# Attributes moto 5.2.5 accepts but does not store, so a re-plan always wants to set them
# again. Anything else that drifts fails the test.
MOTO_UNSTORED = {("aws_lambda_function", "logging_config")}
FUNCTIONS = {
    "capture-order",
    "notify",
    "channels",
    "answers-stream",
    "security",
    "report-delivery",
    "report-history",
    "saved-answers",
    "channel-history",
    "presence",
    "presence-stream",
    "presence-sweep",
}

terraform("root_on_moto", scope="session", replay=False, name="platform")


def test_the_copy_of_the_root_is_what_was_applied(platform: Any) -> None:
    module_dir = Path(platform.terraform.module_dir)
    assert module_dir.name == "root_on_moto"
    assert (module_dir / "moto_override.tf").is_file()
    assert platform.outputs["event_bus_name"]["value"] == "platform-sandbox-events"


def test_every_function_is_deployed_as_planned(platform: Any, moto_endpoint: str) -> None:
    lam = moto_client(moto_endpoint, "lambda")
    deployed = {
        f["FunctionName"].removeprefix("platform-sandbox-"): f
        for f in lam.list_functions()["Functions"]
    }
    assert set(deployed) == FUNCTIONS
    for name, fn in deployed.items():
        assert fn["Runtime"] == "python3.13", name
        assert fn["Architectures"] == ["arm64"], name
        assert fn["Handler"].startswith("handlers."), name
        env = fn["Environment"]["Variables"]
        assert env["POWERTOOLS_SERVICE_NAME"] == name, name
    orders = deployed["capture-order"]["Environment"]["Variables"]["ORDERS_TABLE_NAME"]
    assert orders == "platform-sandbox-orders"
    stream_function = deployed["answers-stream"]["FunctionArn"]
    (mapping,) = [
        m
        for m in lam.list_event_source_mappings()["EventSourceMappings"]
        if m["FunctionArn"] == stream_function
    ]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["EventSourceArn"].split("/stream/")[0].endswith("table/platform-sandbox-answers")


def test_each_flows_rules_route_its_contract_with_retries_and_a_dead_letter_queue(
    platform: Any, moto_endpoint: str
) -> None:
    events = moto_client(moto_endpoint, "events")
    sqs = moto_client(moto_endpoint, "sqs")
    bus = platform.outputs["event_bus_name"]["value"]
    queues = platform.outputs["dead_letter_queue_urls"]["value"]
    expected: dict[str, EventContract[Any]] = {
        "capture-order": UPLOAD_RECEIVED,
        "notify": UPLOAD_RECEIVED,
        "security": ANSWER_SUBMITTED,
        "report-delivery": REPORT_READY,
    }
    # The archive's own rule (Events-Archive-<archive>) is EventBridge's, as in AWS.
    rules = {
        r["Name"]: r
        for r in events.list_rules(EventBusName=bus)["Rules"]
        if not r["Name"].startswith("Events-Archive-")
    }
    assert set(rules) == {f"platform-sandbox-{n}" for n in expected}
    for name, contract in expected.items():
        rule = rules[f"platform-sandbox-{name}"]
        assert json.loads(rule["EventPattern"]) == contract.pattern(), name
        (target,) = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus)["Targets"]
        assert target["Arn"].endswith(f":function:platform-sandbox-{name}")
        assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
        url = queues[f"{rule['Name']}/{name}"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert target["DeadLetterConfig"]["Arn"] == attrs["QueueArn"]
        assert attrs["QueueArn"].endswith(f":platform-sandbox-{name}-{name}-dlq")
        policy = json.loads(attrs["Policy"])["Statement"][0]
        assert policy["Condition"]["ArnEquals"]["aws:SourceArn"] == rule["Arn"]
    for name, url in queues.items():
        assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"]), name
    # 4 rule targets, 4 functions' async failures, 2 stream mappings (answers, presence)
    assert len(queues) == 10
    assert {"stream:answers", "stream:presence"} <= set(queues)


def test_uploads_go_to_the_bus_behind_the_user_pools_authoriser(
    platform: Any, moto_endpoint: str
) -> None:
    api = moto_client(moto_endpoint, "apigatewayv2")
    (ingest,) = [a for a in api.get_apis()["Items"] if a["Name"] == "platform-sandbox-ingest"]
    routes = {r["RouteKey"]: r for r in api.get_routes(ApiId=ingest["ApiId"])["Items"]}
    assert set(routes) == {
        "POST /uploads",
        "GET /reports",
        "OPTIONS /reports",
        "GET /answers",
        "OPTIONS /answers",
        "GET /channels/{proxy+}",
        "OPTIONS /channels/{proxy+}",
        "GET /presence/{proxy+}",
        "POST /presence/{proxy+}",
        "OPTIONS /presence/{proxy+}",
    }
    upload = routes["POST /uploads"]
    assert upload["AuthorizationType"] == "JWT"
    authorizer = api.get_authorizer(ApiId=ingest["ApiId"], AuthorizerId=upload["AuthorizerId"])
    pool = platform.outputs["cognito_user_pool_id"]["value"]
    assert authorizer["JwtConfiguration"]["Issuer"].endswith(f"/{pool}")
    integrations = {
        i["IntegrationId"]: i for i in api.get_integrations(ApiId=ingest["ApiId"])["Items"]
    }
    target = integrations[upload["Target"].removeprefix("integrations/")]
    assert target["IntegrationSubtype"] == "EventBridge-PutEvents"
    assert target["RequestParameters"]["DetailType"] == UPLOAD_RECEIVED.detail_type
    assert target["RequestParameters"]["Detail"] == "$request.body"
    assert target["RequestParameters"]["Resources"] == "customer/${context.authorizer.claims.sub}"


def test_a_second_plan_shows_no_changes(platform: Any) -> None:
    runner = platform.terraform
    plan_path = Path(runner.work_dir) / "replan"
    env = {**os.environ, "TF_DATA_DIR": runner.work_dir, "TF_IN_AUTOMATION": "1"}
    for args in (
        ["plan", "-input=false", "-no-color", f"-state={runner.state_path}", f"-out={plan_path}"],
        ["show", "-json", str(plan_path)],
    ):
        result = subprocess.run(
            [runner.tf_bin, *args],
            cwd=runner.module_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    changes = {}
    for rc in json.loads(result.stdout).get("resource_changes", []):
        if rc["change"]["actions"] in (["no-op"], ["read"]):
            continue
        assert rc["change"]["actions"] == ["update"], f"{rc['address']}: {rc['change']['actions']}"
        diff = {k for k in _changed(rc["change"]) if (rc["type"], k) not in MOTO_UNSTORED}
        if diff:
            changes[rc["address"]] = sorted(diff)
    assert changes == {}


def _changed(change: dict[str, Any]) -> set[str]:
    before, after = change.get("before") or {}, change.get("after") or {}
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)}


def test_the_presence_sweep_is_scheduled(platform: Any, moto_endpoint: str) -> None:
    schedule = moto_client(moto_endpoint, "scheduler").get_schedule(
        Name="platform-sandbox-presence-sweep"
    )
    assert schedule["ScheduleExpression"] == "rate(1 minute)"
    assert schedule["Target"]["Arn"].endswith(":function:platform-sandbox-presence-sweep")
    assert schedule["Target"]["DeadLetterConfig"]["Arn"].endswith(
        ":platform-sandbox-presence-sweep-dlq"
    )
    assert schedule["Target"]["RetryPolicy"] == {
        "MaximumEventAgeInSeconds": 60,
        "MaximumRetryAttempts": 2,
    }
