"""Operations in the root plan: alarms that reach a person, a dashboard per flow, the poison
queue. Counted from the plan, so that a new queue or function without its alarm fails here."""

from __future__ import annotations

import json

import pytest

from tests.terraform.tfplan import Plan

pytestmark = pytest.mark.terraform

TOPIC = "aws_sns_topic.alarms[0]"


def alarms(plan: Plan) -> list[dict[str, object]]:
    return [a.after for a in plan.of_type("aws_cloudwatch_metric_alarm")]


def test_every_queue_has_a_depth_and_an_age_alarm(root_plan: Plan) -> None:
    queues = {q.after["name"] for q in root_plan.of_type("aws_sqs_queue")}
    assert len(queues) == 12
    depth = {
        a["dimensions"]["QueueName"]  # type: ignore[index]
        for a in alarms(root_plan)
        if a["metric_name"] == "ApproximateNumberOfMessagesVisible"
    }
    age = {
        a["dimensions"]["QueueName"]  # type: ignore[index]
        for a in alarms(root_plan)
        if a["metric_name"] == "ApproximateAgeOfOldestMessage"
    }
    assert depth == queues
    # The poison queue's messages never come back by a redrive, nor do the presence sweep's
    # runs (the next run sweeps): their depth is what matters.
    assert age == queues - {"platform-sandbox-poison", "platform-sandbox-presence-sweep-dlq"}


def test_every_function_has_an_error_and_a_throttle_alarm(root_plan: Plan) -> None:
    functions = {f.after["function_name"] for f in root_plan.of_type("aws_lambda_function")}
    assert len(functions) == 12
    for metric in ("Errors", "Throttles"):
        watched = {
            a["dimensions"]["FunctionName"]  # type: ignore[index]
            for a in alarms(root_plan)
            if a["metric_name"] == metric and a["namespace"] == "AWS/Lambda"
        }
        assert watched == functions, metric
    iterators = [a["dimensions"] for a in alarms(root_plan) if a["metric_name"] == "IteratorAge"]
    assert sorted(d["FunctionName"] for d in iterators) == [  # type: ignore[index]
        "platform-sandbox-answers-stream",
        "platform-sandbox-presence-stream",
    ]


def test_every_alarm_notifies_the_encrypted_topic_and_chooses_missing_data(
    root_plan: Plan,
) -> None:
    topic = root_plan.one(TOPIC)
    assert topic.after["name"] == "platform-sandbox-alarms"
    # CloudWatch cannot publish under aws/sns: a key of the topic's own when no platform key.
    assert topic.after["kms_master_key_id"] == "alias/platform-sandbox-alarms"
    alias = root_plan.one("aws_kms_alias.alarms[0]")
    assert alias.after["name"] == "alias/platform-sandbox-alarms"
    key = root_plan.one("aws_kms_key.alarms[0]").after
    assert key["enable_key_rotation"] is True
    doc = root_plan.config("data.aws_iam_policy_document.alarm_key")["expressions"]["statement"]
    sids = [st["sid"]["constant_value"] for st in doc]
    assert sids == ["AccountAdministersTheKey", "CloudWatchAlarmsPublishToTheEncryptedTopic"]
    principal = doc[1]["principals"][0]["identifiers"]["constant_value"]
    assert principal == ["cloudwatch.amazonaws.com"]
    every = root_plan.of_type("aws_cloudwatch_metric_alarm")
    assert len(every) >= 30
    for alarm in every:
        # The topic's ARN, known after apply (unknown as a whole set, or as its one member).
        assert alarm.after_unknown.get("alarm_actions") in (True, [True]), alarm.address
        assert alarm.after["treat_missing_data"] in {"notBreaching", "breaching", "missing"}
        assert alarm.after["alarm_description"], alarm.address


def test_the_public_entry_points_and_the_platforms_own_metrics_alarm(root_plan: Plan) -> None:
    names = {a["alarm_name"] for a in alarms(root_plan)}
    assert {
        "platform-sandbox-ingest-5xx-rate",
        "platform-sandbox-ingest-4xx-rate",
        "platform-sandbox-realtime-blocked-requests",
        "platform-sandbox-reports-undeliverable",
        "platform-sandbox-answers-not-assessed",
        "platform-sandbox-invalid-uploads",
        "platform-sandbox-poison-depth",
    } <= names
    (event_api,) = [a for a in alarms(root_plan) if a["namespace"] == "AWS/AppSync"]
    assert event_api["metric_name"] == "5XXError"
    (invalid,) = [a for a in alarms(root_plan) if a["metric_name"] == "InvalidUploads"]
    assert invalid["namespace"] == "platform"
    assert invalid["dimensions"] == {"service": "capture-order"}
    assert invalid["threshold"] == 10


def test_a_dashboard_per_flow_reads_left_to_right(root_plan: Plan) -> None:
    dashboards = {
        d.after["dashboard_name"]: d for d in root_plan.of_type("aws_cloudwatch_dashboard")
    }
    assert set(dashboards) == {
        "platform-sandbox-ingest",
        "platform-sandbox-realtime",
        "platform-sandbox-async",
    }
    ingest = dashboards["platform-sandbox-ingest"]
    if isinstance(ingest.after.get("dashboard_body"), str):
        widgets = json.loads(ingest.after["dashboard_body"])["widgets"]
        titles = [w["properties"]["title"] for w in widgets]
        assert titles[0].startswith("1. POST /uploads")
        assert [w["x"] for w in widgets[:3]] == [0, 8, 16]
    else:  # the API's id is known after apply: the body is too
        assert ingest.after_unknown["dashboard_body"] is True
