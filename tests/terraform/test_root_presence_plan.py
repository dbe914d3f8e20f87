"""Plan tests of presence (terraform/presence.tf): the members table, the three functions and
what each may do, the routes, the durable presence namespace, the sweep's schedule with its
role, retries, dead-letter queue and alarm."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.terraform.tfplan import PARTS_LEFT_OUT, Plan, TerraformDir, actions_of

pytestmark = pytest.mark.terraform

SCHEDULE = "aws_scheduler_schedule.presence_sweep[0]"


def statements(plan: Plan, module: str) -> dict[str, list[str]]:
    doc = plan.one(f"module.{module}.data.aws_iam_policy_document.this[0]").after
    return {s["sid"]: sorted(s["actions"]) for s in doc["statement"]}


def test_the_members_table_is_laid_out_as_the_handlers_read_it(root_plan: Plan) -> None:
    table = root_plan.one("module.presence_table.aws_dynamodb_table.this[0]").after
    assert (table["hash_key"], table["range_key"]) == ("channel", "member")
    (index,) = table["global_secondary_index"]
    assert (index["name"], index["hash_key"], index["range_key"]) == (
        "by-expiry",
        "shard",
        "expiresAt",
    )
    assert table["ttl"] == [{"attribute_name": "ttl", "enabled": True}]
    assert table["stream_view_type"] == "NEW_AND_OLD_IMAGES"


def test_each_presence_function_may_do_its_job_only(root_plan: Plan) -> None:
    assert statements(root_plan, "presence") == {
        "KeepMembers": [
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
        ]
    }
    assert statements(root_plan, "presence_sweep") == {
        "SweepMembers": ["dynamodb:DeleteItem", "dynamodb:Query"]
    }
    announcer = statements(root_plan, "presence_stream")
    assert announcer.pop("AnnouncePresence") == ["appsync:EventPublish"]
    # What the stream's poller needs (the module's own statement for its mapping).
    assert all(a.startswith("dynamodb:") for actions in announcer.values() for a in actions)
    mapping = root_plan.one(
        'module.presence_stream.aws_lambda_event_source_mapping.this["presence"]'
    ).after
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping["starting_position"] == "TRIM_HORIZON"


def test_the_routes_are_behind_the_user_pool(root_plan: Plan) -> None:
    routes = {r.after["route_key"]: r.after for r in root_plan.of_type("aws_apigatewayv2_route")}
    for key in ("GET /presence/{proxy+}", "POST /presence/{proxy+}"):
        assert routes[key]["authorization_type"] == "JWT", key
    assert routes["OPTIONS /presence/{proxy+}"]["authorization_type"] == "NONE"


def test_the_presence_namespace_is_durable_and_published_by_iam_only(root_plan: Plan) -> None:
    """The values are resolved and checked on make local (tests/local/test_plan_ties.py)."""
    calls = root_plan.raw["configuration"]["root_module"]["module_calls"]
    channels = calls["channels"]["expressions"]["environment_variables"]["references"]
    assert "local.history_days" in channels
    assert "module.presence_stream.role_arn" in channels  # a service the handler lets publish
    presence = calls["presence"]["expressions"]["environment_variables"]["references"]
    assert "local.presence_seconds" in presence
    stack = root_plan.one("module.realtime.aws_cloudformation_stack.this[0]").after
    template = json.loads(stack["template_body"])
    (namespace,) = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::AppSync::ChannelNamespace" and r["Properties"]["Name"] == "presence"
    ]
    assert [m["AuthType"] for m in namespace["PublishAuthModes"]] == ["AWS_IAM"]


def test_the_sweep_runs_every_minute_with_retries_and_a_dead_letter_queue(
    root_plan: Plan,
) -> None:
    schedule = root_plan.one(SCHEDULE).after
    assert schedule["schedule_expression"] == "rate(1 minute)"
    assert schedule["flexible_time_window"] == [{"maximum_window_in_minutes": None, "mode": "OFF"}]
    (target,) = schedule["target"]
    assert target["retry_policy"] == [
        {"maximum_event_age_in_seconds": 60, "maximum_retry_attempts": 2}
    ]
    config = root_plan.config("aws_scheduler_schedule.presence_sweep")
    target_refs = config["expressions"]["target"][0]
    assert "module.presence_sweep.function_arn" in target_refs["arn"]["references"]
    assert (
        "aws_sqs_queue.presence_sweep_dlq[0].arn"
        in (target_refs["dead_letter_config"][0]["arn"]["references"])
    )
    alarm = root_plan.one("aws_cloudwatch_metric_alarm.presence_sweep_dlq[0]").after
    assert alarm["dimensions"] == {"QueueName": "platform-sandbox-presence-sweep-dlq"}
    assert alarm["threshold"] == 1


def test_the_schedule_may_invoke_the_sweep_and_queue_only(root_plan: Plan) -> None:
    trust = root_plan.one("data.aws_iam_policy_document.presence_schedule_trust[0]").after
    (assume,) = trust["statement"]
    assert assume["principals"] == [{"type": "Service", "identifiers": ["scheduler.amazonaws.com"]}]
    assert [c["variable"] for c in assume["condition"]] == ["aws:SourceAccount"]
    policy = root_plan.one("data.aws_iam_policy_document.presence_schedule[0]").after
    assert {s["sid"]: actions_of(s) for s in policy["statement"]} == {
        "InvokeTheSweep": ["lambda:InvokeFunction"],
        "DeadLetterFailedRuns": ["sqs:SendMessage"],
    }


def test_presence_can_be_left_out(root: TerraformDir, lambda_zip: Any) -> None:
    plan = root.plan({"lambda_zip": str(lambda_zip), **PARTS_LEFT_OUT})
    assert not [r for r in plan.resources if "presence" in r.address]
    routes = {r.after["route_key"] for r in plan.of_type("aws_apigatewayv2_route")}
    assert not any("presence" in r for r in routes)
    assert plan.raw["planned_values"]["outputs"]["presence_url"].get("value") is None
