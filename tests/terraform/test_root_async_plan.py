"""Plan tests of the async services (terraform/async.tf): mapping, rules, IAM scopes."""

from __future__ import annotations

import pytest

from tests.terraform.tfplan import Plan

pytestmark = pytest.mark.terraform


def statements(plan: Plan, module: str, document: str = "this") -> dict[str, list[str]]:
    """Statement id -> actions of a function's role, as planned."""
    doc = plan.one(f"module.{module}.data.aws_iam_policy_document.{document}[0]").after
    return {st["sid"]: sorted(st["actions"]) for st in doc["statement"]}


def references(plan: Plan, module: str, argument: str) -> list[str]:
    call = plan.raw["configuration"]["root_module"]["module_calls"][module]
    refs: list[str] = call["expressions"][argument]["references"]
    return refs


def environment_sources(plan: Plan, module: str) -> set[str]:
    """What a function's environment is made from (its values are known after apply: the
    poison queue's URL is among them; tests/local/test_plan_ties.py checks them resolved)."""
    return set(references(plan, module, "environment_variables"))


def test_answers_stream_mapping_reports_failures_with_bounded_retries(root_plan: Plan) -> None:
    mapping = root_plan.one('module.answers_stream.aws_lambda_event_source_mapping.this["answers"]')
    assert mapping.after["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping.after["bisect_batch_on_function_error"] is True
    assert mapping.after["maximum_retry_attempts"] == 3
    assert mapping.after["maximum_record_age_in_seconds"] == 21600
    assert mapping.after["starting_position"] == "TRIM_HORIZON"
    assert mapping.after["batch_size"] == 100
    assert mapping.after_unknown["destination_config"][0]["on_failure"][0]["destination_arn"]
    assert "module.answers_table.stream_arn" in references(
        root_plan, "answers_stream", "event_source_mappings"
    )
    queue = root_plan.one('module.answers_stream.aws_sqs_queue.stream_failures["answers"]').after
    assert queue["name"] == "platform-sandbox-answers-stream-answers-stream-failures"
    assert queue["sqs_managed_sse_enabled"] is True


def test_answers_stream_may_read_its_stream_and_put_events_only(root_plan: Plan) -> None:
    runtime = statements(root_plan, "answers_stream", "runtime")
    assert runtime["ReadMappedStreams"] == [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ]
    assert runtime["SendFailedStreamRecords"] == ["sqs:SendMessage"]
    assert "SendFailedEvents" not in runtime  # never invoked asynchronously
    assert statements(root_plan, "answers_stream") == {
        "PutAnswerEvents": ["events:PutEvents"],
        "SendToPoisonQueue": ["sqs:SendMessage"],
    }
    assert references(root_plan, "answers_stream", "policy_statements") == [
        "local.kms_table_statements",
        "local.poison_statements",
        "module.event_bus.bus_arn",
        "module.event_bus",
        "local.put_events_conditions.answer_submitted",
        "local.put_events_conditions",
    ]
    assert {"module.event_bus.bus_name", "local.poison_env"} <= environment_sources(
        root_plan, "answers_stream"
    )


def test_security_service_scopes(root_plan: Plan) -> None:
    assert statements(root_plan, "security") == {
        "Idempotency": [
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ],
        "KeepAnswers": ["dynamodb:PutItem", "dynamodb:Query"],
        "PutReportEvents": ["events:PutEvents"],
        "SendToPoisonQueue": ["sqs:SendMessage"],
    }
    refs = set(references(root_plan, "security", "policy_statements"))
    assert {
        "module.assessments_table.arn",
        "module.idempotency_table.arn",
        "module.event_bus.bus_arn",
    } <= refs
    assert {
        "module.assessments_table.name",
        "module.idempotency_table.name",
        "local.poison_env",
    } <= environment_sources(root_plan, "security")
    table = root_plan.one("module.idempotency_table.aws_dynamodb_table.this[0]").after
    assert table["hash_key"] == "id"
    assert table["ttl"] == [{"attribute_name": "expiration", "enabled": True}]


def test_report_delivery_may_publish_to_the_reports_namespace_only(root_plan: Plan) -> None:
    assert statements(root_plan, "report_delivery") == {
        "PublishReports": ["appsync:EventPublish"],
        "SendToPoisonQueue": ["sqs:SendMessage"],
        "StoreReports": ["dynamodb:PutItem"],
    }
    assert set(references(root_plan, "report_delivery", "policy_statements")) == {
        "local.kms_table_statements",
        "local.poison_statements",
        "module.reports_table.arn",
        "module.reports_table",
        "local.reports_namespace_arn",
    }
    # The namespace's ARN as the Event API module gives it (the stack's
    # ChannelNamespaceArn), never a string built by hand.
    call = root_plan.raw["configuration"]["root_module"]["module_calls"]["realtime"]
    output = call["module"]["outputs"]["channel_namespace_arns"]["expression"]
    assert "aws_cloudformation_stack.this[0].outputs" in output["references"]
    assert "module.realtime.publish_url" in references(
        root_plan, "report_delivery", "environment_variables"
    )


def test_async_tables_are_encrypted(root_plan: Plan) -> None:
    for name in ("assessments_table", "idempotency_table", "reports_table"):
        table = root_plan.one(f"module.{name}.aws_dynamodb_table.this[0]").after
        assert table["server_side_encryption"][0]["enabled"] is True, name
        assert table["billing_mode"] == "PAY_PER_REQUEST", name


def test_outputs_of_the_async_services(root_plan: Plan) -> None:
    outputs = root_plan.raw["planned_values"]["outputs"]
    assert outputs["reports_table_name"]["value"] == "platform-sandbox-reports"
    assert outputs["async_function_names"]["value"] == {
        "answers_stream": "platform-sandbox-answers-stream",
        "security": "platform-sandbox-security",
        "report_delivery": "platform-sandbox-report-delivery",
    }
    assert "answers_stream_failure_queue_url" in outputs
