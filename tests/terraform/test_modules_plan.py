"""Plan tests of each module through its example, with no AWS account."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.terraform.tfplan import ROOT, TerraformDir

pytestmark = pytest.mark.terraform

Example = Callable[[str], TerraformDir]
MODULES = sorted(p.name for p in (ROOT / "modules").iterdir() if p.is_dir())


@pytest.mark.parametrize("module", MODULES)
def test_module_has_readme_example_and_described_io(module: str) -> None:
    path = ROOT / "modules" / module
    assert (path / "README.md").is_file(), f"{module}: README.md missing"
    assert (path / "examples" / "basic" / "main.tf").is_file(), f"{module}: example missing"
    for name in ("variables.tf", "outputs.tf"):
        text = (path / name).read_text()
        blocks = (
            text.count('\nvariable "')
            + text.startswith('variable "')
            + text.count('\noutput "')
            + text.startswith('output "')
        )
        assert blocks > 0
        assert text.count("description = ") >= blocks, f"{module}/{name}: undescribed block"
    variables = (path / "variables.tf").read_text()
    assert variables.count("type        =") + variables.count("type =") >= variables.count(
        'variable "'
    ), f"{module}: untyped variable"


@pytest.mark.parametrize("module", MODULES)
def test_example_validates(example: Example, module: str) -> None:
    result = example(module).validate()
    assert result["valid"], result["diagnostics"]


def test_http_api_role_policy_is_exact(example: Example) -> None:
    plan = example("http-api-eventbridge").plan()
    policy = json.loads(plan.one("aws_iam_role_policy.put_events[0]").after["policy"])
    assert policy["Statement"] == [
        {
            "Sid": "PutEventsOnTheBus",
            "Effect": "Allow",
            "Action": "events:PutEvents",
            "Resource": "arn:aws:events:eu-west-1:123456789012:event-bus/example-orders",
            "Condition": {
                "StringEquals": {
                    "events:source": "platform.ingest",
                    "events:detail-type": "UploadReceived.v2",
                }
            },
        }
    ]
    trust = json.loads(plan.one("aws_iam_role.integration[0]").after["assume_role_policy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert trust["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:execute-api:eu-west-1:123456789012:*"},
    }


def test_http_api_jwt_authoriser_and_cors(example: Example) -> None:
    plan = example("http-api-eventbridge").plan()
    authorizer = plan.one("aws_apigatewayv2_authorizer.jwt[0]").after
    assert authorizer["authorizer_type"] == "JWT"
    assert authorizer["jwt_configuration"][0]["audience"] == ["example-client-id"]
    route = plan.one("aws_apigatewayv2_route.this[0]").after
    assert route["authorization_type"] == "JWT"
    cors = plan.one("aws_apigatewayv2_api.this[0]").after["cors_configuration"][0]
    assert cors["allow_origins"] == ["https://app.example.com"]
    stage = plan.one("aws_apigatewayv2_stage.this[0]").after
    assert stage["default_route_settings"][0]["throttling_burst_limit"] == 50


def test_lambda_role_holds_only_what_is_passed(example: Example, lambda_zip: Path) -> None:
    plan = example("lambda-function").plan({"filename": str(lambda_zip)})
    policies = {
        p.after["name"]: json.loads(p.after["policy"])
        for p in plan.of_type("aws_iam_role_policy")
        if p.address.startswith("module.function.") and isinstance(p.after.get("policy"), str)
    }
    assert policies["function"]["Statement"] == [
        {
            "Sid": "PutOrders",
            "Effect": "Allow",
            "Action": "dynamodb:PutItem",
            "Resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/example-orders",
        }
    ]
    fn = plan.one("module.function.aws_lambda_function.this[0]").after
    assert fn["reserved_concurrent_executions"] == -1
    assert fn["source_code_hash"]
    group = plan.one("module.function.aws_cloudwatch_log_group.this[0]").after
    assert group["name"] == "/aws/lambda/example-capture-order"


def test_lambda_has_a_failure_queue_and_one_static_statement(
    example: Example, lambda_zip: Path
) -> None:
    plan = example("lambda-function").plan({"filename": str(lambda_zip)})
    queues = [q.address for q in plan.of_type("aws_sqs_queue")]
    assert queues == [
        "module.function.aws_sqs_queue.async_failures[0]",  # on by default
        'module.stream_function.aws_sqs_queue.stream_failures["answers"]',
    ]
    # Writing its logs is the only unconditional statement; X-Ray and the failure queue
    # are dynamic blocks that follow tracing_mode and async_invocation.
    doc = plan.config("module.function.data.aws_iam_policy_document.runtime")
    sids = [st["sid"]["constant_value"] for st in doc["expressions"]["statement"]]
    assert sids == ["WriteOwnLogs"]


def test_stream_mapping_reports_item_failures_with_bounded_retries(
    example: Example, lambda_zip: Path
) -> None:
    plan = example("lambda-function").plan({"filename": str(lambda_zip)})
    mapping = plan.one('module.stream_function.aws_lambda_event_source_mapping.this["answers"]')
    assert mapping.after["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping.after["bisect_batch_on_function_error"] is True
    assert mapping.after["maximum_retry_attempts"] == 3
    assert mapping.after["maximum_record_age_in_seconds"] == 3600
    assert mapping.after["starting_position"] == "LATEST"
    assert mapping.after_unknown["destination_config"][0]["on_failure"][0]["destination_arn"]
    queue = plan.one('module.stream_function.aws_sqs_queue.stream_failures["answers"]').after
    assert queue["name"] == "example-answers-stream-answers-stream-failures"
    assert queue["sqs_managed_sse_enabled"] is True
    doc = plan.one("module.stream_function.data.aws_iam_policy_document.runtime[0]").after
    statements = {st["sid"]: st for st in doc["statement"]}
    read = statements["ReadMappedStreams"]
    assert sorted(read["actions"]) == [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ]
    assert read["resources"] == [
        "arn:aws:dynamodb:eu-west-1:123456789012:table/example-answers/stream/*"
    ]
    assert statements["SendFailedStreamRecords"]["actions"] == ["sqs:SendMessage"]
    assert "SendFailedEvents" not in statements  # no asynchronous failure queue asked for


def test_event_bus_targets_dlqs_and_permissions(example: Example) -> None:
    plan = example("event-bus").plan()
    target = plan.one('aws_cloudwatch_event_target.this["capture-order/capture"]').after
    assert target["retry_policy"] == [
        {"maximum_retry_attempts": 4, "maximum_event_age_in_seconds": 900}
    ]
    permission = plan.one('aws_lambda_permission.this["capture-order/capture"]').after
    assert permission["function_name"].endswith(":function:example-capture-order")
    queue = plan.one('aws_sqs_queue.dlq["capture-order/capture"]').after
    assert queue["name"] == "example-orders-capture-order-capture-dlq"
    assert queue["message_retention_seconds"] == 14 * 86400
    assert plan.one("aws_cloudwatch_event_archive.this[0]").after["retention_days"] == 30


def test_user_pool_signs_in_by_email_with_a_secretless_srp_client(example: Example) -> None:
    plan = example("cognito-user-pool").plan()
    pool = plan.one("module.users.aws_cognito_user_pool.this[0]").after
    assert pool["username_attributes"] == ["email"]
    assert pool["auto_verified_attributes"] == ["email"]
    assert pool["mfa_configuration"] == "OPTIONAL"
    assert pool["software_token_mfa_configuration"] == [{"enabled": True}]
    assert pool["deletion_protection"] == "INACTIVE"  # the example turns it off
    policy = pool["password_policy"][0]
    assert policy["minimum_length"] == 12
    assert policy["require_lowercase"]
    assert policy["require_uppercase"]
    assert policy["require_numbers"]
    assert pool["account_recovery_setting"][0]["recovery_mechanism"] == [
        {"name": "verified_email", "priority": 1}
    ]
    client = plan.one("module.users.aws_cognito_user_pool_client.this[0]").after
    assert client["generate_secret"] is False
    assert sorted(client["explicit_auth_flows"]) == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
    ]
    assert client["prevent_user_existence_errors"] == "ENABLED"
    assert client["enable_token_revocation"] is True
    assert (client["access_token_validity"], client["id_token_validity"]) == (60, 60)
    assert client["refresh_token_validity"] == 30
    assert not [r for r in plan.resources if r.address.startswith("module.disabled.")]


def test_table_example(example: Example) -> None:
    plan = example("dynamodb-table").plan()
    table = plan.one("aws_dynamodb_table.this[0]").after
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["stream_enabled"] is False


STREAM_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-01-01T00:00:00.000"


@pytest.mark.parametrize(
    ("module", "tf_vars", "message"),
    [
        (
            "lambda-function",
            {"policy_statements": {"All": {"actions": ["dynamodb:*"], "resources": ["*"]}}},
            "Policy statements must name their actions",
        ),
        (
            "lambda-function",
            {"policy_statements": {"All": {"actions": ["s3:GetObject"], "resources": ["*"]}}},
            'resources = ["*"] is only for actions AWS defines without resources',
        ),
        (
            "http-api-eventbridge",
            {"event_detail": "$context.requestId"},
            "event_detail must carry the request body",
        ),
        ("lambda-function", {"filename": "code.tar.gz"}, "filename must point at a .zip"),
        (
            "lambda-function",
            {
                "event_source_mappings": {
                    "s": {"event_source_arn": STREAM_ARN, "maximum_retry_attempts": -1}
                }
            },
            "retries and record age must be bounded",
        ),
        (
            "lambda-function",
            {
                "event_source_mappings": {
                    "s": {"event_source_arn": STREAM_ARN, "maximum_record_age_in_seconds": 90000}
                }
            },
            "a DynamoDB stream keeps records 24 hours",
        ),
        (
            "lambda-function",
            {
                "event_source_mappings": {
                    "s": {"event_source_arn": "arn:aws:sqs:eu-west-1:123456789012:q"}
                }
            },
            "event_source_arn must be a DynamoDB stream ARN",
        ),
        (
            "http-api-eventbridge",
            {"throttling": {"burst_limit": 0, "rate_limit": 10}},
            "must both be greater than 0",
        ),
        ("http-api-eventbridge", {"route_key": "GET /uploads"}, "route_key must be"),
        (
            "event-bus",
            {"rules": {"r": {"event_pattern": "[1]", "targets": {"t": {"arn": "x"}}}}},
            "event_pattern must be a JSON object",
        ),
        ("event-bus", {"archive": {"retention_days": -1}}, "archive.retention_days"),
        ("dynamodb-table", {"stream_view_type": "EVERYTHING"}, "stream_view_type must be"),
        ("cognito-user-pool", {"mfa": "SOMETIMES"}, "mfa must be OFF, OPTIONAL or ON"),
        (
            "cognito-user-pool",
            {"password_policy": {"minimum_length": 6}},
            "password_policy.minimum_length must be between 8 and 99",
        ),
    ],
    ids=[
        "wildcard-action",
        "every-resource",
        "detail-without-body",
        "not-a-zip",
        "unbounded-stream-retries",
        "record-older-than-the-stream",
        "not-a-stream",
        "zero-throttling",
        "get-route",
        "array-pattern",
        "negative-retention",
        "bad-stream-view",
        "unknown-mfa-mode",
        "short-passwords",
    ],
)
def test_validations_explain_themselves(
    workspace: Path, tmp_path: Path, module: str, tf_vars: dict[str, Any], message: str
) -> None:
    # The test root declares `type = any`, so strings go in as HCL string literals.
    hcl_vars = {k: json.dumps(v) if isinstance(v, str) else v for k, v in tf_vars.items()}
    error = _module_dir(workspace, tmp_path, module).plan_error(hcl_vars)
    assert message in error


def _module_dir(workspace: Path, tmp_path: Path, module: str) -> TerraformDir:
    """A root that calls the module with minimal inputs, overridable by -var."""
    every: dict[str, dict[str, Any]] = {
        "lambda-function": {
            "function_name": "f",
            "handler": "pkg.mod.fn",
            "filename": str(workspace / "handlers.zip"),
        },
        "http-api-eventbridge": {
            "name": "api",
            "event_bus_name": "b",
            "event_source": "s",
            "event_detail_type": "d",
            "event_bus_arn": "arn:aws:events:eu-west-1:123456789012:event-bus/b",
        },
        "event-bus": {"name": "bus"},
        "dynamodb-table": {
            "name": "tbl",
            "hash_key": "pk",
            "attributes": [{"name": "pk", "type": "S"}],
        },
        "cognito-user-pool": {"name": "users"},
    }
    required = every[module]
    source = workspace / "modules" / module
    variables = "\n".join(
        f'variable "{k}" {{\n  type    = any\n  default = {json.dumps(v)}\n}}'
        for k, v in required.items()
    )
    root_vars = (source / "variables.tf").read_text()
    extra = [
        name
        for name in (
            "policy_statements",
            "throttling",
            "route_key",
            "rules",
            "archive",
            "stream_view_type",
            "event_source_mappings",
            "mfa",
            "password_policy",
            "event_detail",
        )
        if f'variable "{name}"' in root_vars and name not in required
    ]
    variables += "\n" + "\n".join(
        f'variable "{k}" {{\n  type    = any\n  default = null\n}}' for k in extra
    )
    args = "\n".join(f"  {k} = var.{k}" for k in required)
    args += "\n" + "\n".join(f"  {k} = var.{k} == null ? {_default(k)} : var.{k}" for k in extra)
    (tmp_path / "main.tf").write_text(
        f'provider "aws" {{\n  region = "eu-west-1"\n}}\n{variables}\n'
        f'module "m" {{\n  source = "{source}"\n{args}\n}}\n'
    )
    (tmp_path / "offline_override.tf").write_text(
        (ROOT / "tests" / "terraform" / "fixtures" / "offline_override.tf").read_text()
    )
    return TerraformDir(tmp_path)


def _default(name: str) -> str:
    return {
        "policy_statements": "{}",
        "throttling": "{}",
        "route_key": '"POST /uploads"',
        "rules": "{}",
        "archive": "{}",
        "stream_view_type": "null",
        "event_source_mappings": "{}",
        "mfa": '"OPTIONAL"',
        "password_policy": "{}",
        "event_detail": '"$request.body"',
    }[name]


def _caller(tmp_path: Path, workspace: Path, body: str) -> TerraformDir:
    """A root that calls the lambda-function module with ``body`` as its arguments."""
    source = workspace / "modules" / "lambda-function"
    (tmp_path / "main.tf").write_text(
        f'provider "aws" {{\n  region = "eu-west-1"\n}}\n'
        f'module "m" {{\n  source = "{source}"\n  function_name = "f"\n'
        f'  handler = "pkg.mod.fn"\n{body}\n}}\n'
    )
    (tmp_path / "offline_override.tf").write_text(
        (ROOT / "tests" / "terraform" / "fixtures" / "offline_override.tf").read_text()
    )
    return TerraformDir(tmp_path)


def test_null_for_a_collection_input_takes_its_default(
    workspace: Path, tmp_path: Path, lambda_zip: Path
) -> None:
    plan = _caller(
        tmp_path,
        workspace,
        f'  filename = "{lambda_zip}"\n  async_invocation = null\n'
        "  policy_statements = null\n  environment_variables = null\n  tags = null",
    ).plan()
    config = plan.one("module.m.aws_lambda_function_event_invoke_config.this[0]").after
    assert config["maximum_retry_attempts"] == 2  # the default, not a crash


def test_a_given_hash_needs_no_zip_at_plan_time(workspace: Path, tmp_path: Path) -> None:
    plan = _caller(
        tmp_path,
        workspace,
        f'  filename = "{tmp_path / "not-built-yet.zip"}"\n'
        '  source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="',
    ).plan()
    function = plan.one("module.m.aws_lambda_function.this[0]").after
    assert function["source_code_hash"] == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
