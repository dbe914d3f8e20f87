"""Plan tests of the real-time flow in terraform/: Event API, channel handler, WAF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.terraform.cfn import cfn_lint
from tests.terraform.cfn import template_of as stack_template
from tests.terraform.tfplan import (
    PARTS_LEFT_OUT,
    USERS_OFF_AND_INGEST_PUBLIC,
    Plan,
    TerraformDir,
    actions_of,
)

pytestmark = pytest.mark.terraform

STACK = "module.realtime.aws_cloudformation_stack.this[0]"
DIRECT = {"Behavior": "DIRECT"}


def template_of(plan: Plan) -> dict[str, Any]:
    return stack_template(plan, STACK)


def handler(operation: dict[str, Any]) -> tuple[str, str, str]:
    return (
        operation["Behavior"],
        operation["Integration"]["DataSourceName"],
        operation["Integration"]["LambdaConfig"]["InvokeType"],
    )


def modes(properties: dict[str, Any], key: str) -> list[str]:
    return [m["AuthType"] for m in properties[key]]


def test_event_api_template_passes_cfn_lint(root_plan: Plan) -> None:
    assert cfn_lint(template_of(root_plan)) == []


def test_namespaces_hand_their_events_to_the_channel_handler(root_plan: Plan) -> None:
    resources = template_of(root_plan)["Resources"]
    chat = resources["NamespaceChat"]["Properties"]
    answers = resources["NamespaceAnswers"]["Properties"]
    reports = resources["NamespaceReports"]["Properties"]
    direct = ("DIRECT", "channels", "REQUEST_RESPONSE")
    for namespace in (chat, answers, reports):
        assert handler(namespace["HandlerConfigs"]["OnPublish"]) == direct
        assert handler(namespace["HandlerConfigs"]["OnSubscribe"]) == direct
    # Reports: clients only subscribe (authorised by the handler); publishing is IAM only,
    # and the handler lets only report delivery's role publish.
    assert modes(reports, "PublishAuthModes") == ["AWS_IAM"]
    # Private channels leave out API keys: an API key names an app, not a user. People sign
    # in with the platform's user pool (users.tf).
    assert modes(reports, "SubscribeAuthModes") == ["AWS_IAM", "AMAZON_COGNITO_USER_POOLS"]
    assert modes(answers, "PublishAuthModes") == ["AWS_IAM", "AMAZON_COGNITO_USER_POOLS"]
    assert "PublishAuthModes" not in chat  # the API defaults: API key, IAM, Cognito
    api = resources["Api"]["Properties"]["EventConfig"]
    assert modes(api, "DefaultPublishAuthModes") == [
        "API_KEY",
        "AWS_IAM",
        "AMAZON_COGNITO_USER_POOLS",
    ]
    assert api["LogConfig"]["LogLevel"] == "ERROR"


def test_people_sign_in_with_the_platform_user_pool(root_plan: Plan) -> None:
    api = template_of(root_plan)["Resources"]["Api"]["Properties"]["EventConfig"]
    cognito = next(p for p in api["AuthProviders"] if p["AuthType"] == "AMAZON_COGNITO_USER_POOLS")
    assert cognito["CognitoConfig"]["UserPoolId"] == {"Ref": "CognitoUserPoolId"}
    pool = root_plan.one("module.users.aws_cognito_user_pool.this[0]").after
    assert pool["name"] == "platform-sandbox-users"
    assert {"cognito_user_pool_id", "cognito_user_pool_client_id", "cognito_issuer"} <= set(
        root_plan.raw["output_changes"]
    )


def test_without_the_platform_pool_there_is_no_cognito_mode(
    root: TerraformDir, lambda_zip: Path
) -> None:
    plan = root.plan({"lambda_zip": str(lambda_zip), **USERS_OFF_AND_INGEST_PUBLIC})
    api = template_of(plan)["Resources"]["Api"]["Properties"]["EventConfig"]
    assert [p["AuthType"] for p in api["AuthProviders"]] == ["API_KEY", "AWS_IAM"]
    assert plan.of_type("aws_cognito_user_pool") == []


def test_the_handler_knows_whom_to_trust_from_terraform(root_plan: Plan) -> None:
    env = root_plan.one("module.channels.aws_lambda_function.this[0]").after["environment"][0]
    config = root_plan.raw["configuration"]["root_module"]["module_calls"]["channels"]
    refs = config["expressions"]["environment_variables"]["references"]
    # The issuers: the platform's pool (known after apply); the services: report delivery.
    assert "local.realtime_identity_env" in refs
    assert "module.report_delivery.role_arn" in refs
    unknown = root_plan.one("module.channels.aws_lambda_function.this[0]").after_unknown
    assert unknown["environment"][0]["variables"] is True
    assert env.get("variables") is None
    assert root_plan.raw["output_changes"]["realtime_trusted_issuers"]["after_unknown"] is True


def test_nothing_else_is_trusted_unless_named(root_plan: Plan) -> None:
    sources = root_plan.raw["output_changes"]["realtime_user_sources"]
    assert sources["after"] == {
        "identity_pool_ids": [],
        "lambda_authorizer": None,
        "oidc_issuer": None,
    }
    assert sources["after_unknown"]["user_pool_issuer"] is True  # the platform's pool


def test_an_oidc_provider_and_identity_pools_are_trusted_when_named(
    root: TerraformDir, lambda_zip: Path
) -> None:
    """Both in one plan (they are independent settings; a plan takes ~10 s here)."""
    pools = ["eu-west-1:11112222-3333-4444-5555-666677778888"]
    plan = root.plan(
        {
            "lambda_zip": str(lambda_zip),
            "users": {"create": False},
            "ingest_public": True,
            "realtime_auth": {
                "openid_connect": {"issuer": "https://login.example.com/"},
                "identity_pool_ids": pools,
            },
        }
    )
    issuers = plan.raw["output_changes"]["realtime_trusted_issuers"]["after"]
    assert issuers == ["https://login.example.com/"]
    # OIDC users are named in a namespace of their own (oidc-<sub>); no user pool is trusted.
    assert plan.raw["output_changes"]["realtime_user_sources"]["after"] == {
        "user_pool_issuer": None,
        "oidc_issuer": "https://login.example.com/",
        "identity_pool_ids": pools,
        "lambda_authorizer": None,
    }
    # Both readers of identities take the same settings (their values are known after apply).
    calls = plan.raw["configuration"]["root_module"]["module_calls"]
    for function in ("channels", "channel_history"):
        refs = calls[function]["expressions"]["environment_variables"]["references"]
        assert "local.realtime_identity_env" in refs


def test_data_source_invokes_the_channel_handler_only(root_plan: Plan) -> None:
    call = root_plan.raw["configuration"]["root_module"]["module_calls"]["realtime"]
    refs = call["expressions"]["lambda_data_sources"]["references"]
    assert "module.channels.function_arn" in refs
    statements = [
        st
        for addr, st in root_plan.iam_statements()
        if addr.startswith("module.realtime.")
        and "config" not in st
        and "sts:AssumeRole" not in actions_of(st)
    ]
    assert sorted(tuple(actions_of(st)) for st in statements) == [
        ("lambda:InvokeFunction",),
        ("logs:CreateLogStream", "logs:PutLogEvents"),
    ]


def test_channel_handler_may_only_store_answers_and_keep_history(root_plan: Plan) -> None:
    statements = [
        st
        for addr, st in root_plan.iam_statements()
        if addr.startswith("module.channels.")
        and "config" not in st
        and "sts:AssumeRole" not in actions_of(st)
    ]
    own = sorted(actions_of(st) for st in statements if "dynamodb:PutItem" in actions_of(st))
    assert own == [
        [
            "dynamodb:BatchGetItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ],
        ["dynamodb:PutItem"],
    ]
    fn = root_plan.one("module.channels.aws_lambda_function.this[0]").after
    assert fn["handler"] == "handlers.channels.handler.lambda_handler"
    assert fn["tracing_config"] == [{"mode": "Active"}]
    table = root_plan.one("module.answers_table.aws_dynamodb_table.this[0]").after
    assert (table["hash_key"], table["range_key"]) == ("pk", "sk")
    assert table["stream_enabled"] is True
    assert table["stream_view_type"] == "NEW_AND_OLD_IMAGES"


def test_waf_is_associated_with_the_event_api(root_plan: Plan) -> None:
    call = root_plan.raw["configuration"]["root_module"]["module_calls"]["realtime_waf"]
    refs = call["expressions"]["associations"]["references"]
    assert "module.realtime.api_arn" in refs
    association = root_plan.one(
        'module.realtime_waf.aws_wafv2_web_acl_association.this["event_api"]'
    )
    assert association.after_unknown["resource_arn"] is True
    acl = root_plan.one("module.realtime_waf.aws_wafv2_web_acl.this[0]").after
    rate = next(r for r in acl["rule"] if r["name"] == "rate-limit-per-ip")
    assert rate["statement"][0]["rate_based_statement"][0]["limit"] == 1000
    assert acl["scope"] == "REGIONAL"


def test_api_key_expiry_is_explicit(root_plan: Plan) -> None:
    outputs = root_plan.raw["planned_values"]["outputs"]
    expires = datetime.fromisoformat(outputs["realtime_api_key_expires"]["value"])
    ahead = expires - datetime.now(UTC)
    assert timedelta(days=89) < ahead <= timedelta(days=90)
    assert expires.minute == expires.second == 0
    key = root_plan.one("module.realtime.aws_appsync_api_key.this[0]").after
    assert key["expires"] == outputs["realtime_api_key_expires"]["value"]
    # Not in the stack: its outputs are readable by anyone with cloudformation:DescribeStacks.
    template = template_of(root_plan)
    assert "ApiKey" not in template["Resources"]
    assert not [k for k in template["Outputs"] if "Key" in k]


def test_outputs_a_realtime_client_needs(root_plan: Plan) -> None:
    outputs = root_plan.raw["planned_values"]["outputs"]
    assert {
        "realtime_publish_url",
        "realtime_websocket_url",
        "realtime_http_dns",
        "realtime_api_key",
        "realtime_api_key_expires",
        "realtime_api_id",
        "realtime_api_arn",
    } <= set(outputs) | set(root_plan.raw["output_changes"])
    assert root_plan.raw["output_changes"]["realtime_api_key"]["after_sensitive"] is True


def test_every_sign_in_mode_plans_a_clean_template(root: TerraformDir, lambda_zip: Path) -> None:
    plan = root.plan(
        {
            "lambda_zip": str(lambda_zip),
            "realtime_auth": {
                "api_key": {"expires": "2027-05-01T00:00:00Z"},
                "cognito_user_pool": {"user_pool_id": "eu-west-1_AbCdEfGhI"},
                "openid_connect": {"issuer": "https://login.example.com/", "client_id": "web"},
                "lambda_authorizer": {
                    "function_arn": "arn:aws:lambda:eu-west-1:123456789012:function:authoriser"
                },
            },
        }
    )
    template = template_of(plan)
    assert cfn_lint(template) == []
    reports = template["Resources"]["NamespaceReports"]["Properties"]
    assert modes(reports, "SubscribeAuthModes") == [
        "AWS_IAM",
        "AMAZON_COGNITO_USER_POOLS",
        "OPENID_CONNECT",
        "AWS_LAMBDA",
    ]
    assert plan.of_type("terraform_data") == []  # explicit expiry: no issue-date anchor
    assert plan.raw["planned_values"]["outputs"]["realtime_api_key_expires"]["value"] == (
        "2027-05-01T00:00:00Z"
    )
    permission = plan.one("module.realtime.aws_lambda_permission.authorizer[0]").after
    assert permission["principal"] == "appsync.amazonaws.com"


@pytest.mark.parametrize(
    "tf_vars",
    [PARTS_LEFT_OUT, {"environment": "prod"}],
    ids=["turned-off", "off-by-default-outside-the-sandbox"],
)
def test_api_keys_can_be_turned_off(
    root: TerraformDir, lambda_zip: Path, tf_vars: dict[str, object]
) -> None:
    plan = root.plan({"lambda_zip": str(lambda_zip), **tf_vars})
    assert plan.of_type("aws_appsync_api_key") == []
    template = template_of(plan)
    api = template["Resources"]["Api"]["Properties"]["EventConfig"]
    assert modes(api, "ConnectionAuthModes") == ["AWS_IAM", "AMAZON_COGNITO_USER_POOLS"]
    assert cfn_lint(template) == []
