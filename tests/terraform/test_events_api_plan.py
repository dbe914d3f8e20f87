"""Plan tests of modules/appsync-events-api: the template, its roles and its inputs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.terraform.cfn import cfn_lint
from tests.terraform.cfn import template_of as stack_template
from tests.terraform.tfplan import FIXTURES, OFFLINE_OVERRIDE, Plan, TerraformDir

pytestmark = pytest.mark.terraform

STACK = "module.events.aws_cloudformation_stack.this[0]"
FUNCTION = "arn:aws:lambda:eu-west-1:123456789012:function:example-channels"
AUTHORIZER = "arn:aws:lambda:eu-west-1:123456789012:function:authoriser"

Example = Callable[[str], TerraformDir]


def template_of(plan: Plan) -> dict[str, Any]:
    return stack_template(plan, STACK)


@pytest.fixture(scope="module")
def example_plan(example: Example) -> Plan:
    return example("appsync-events-api").plan()


@pytest.fixture(scope="module")
def harness(workspace: Path) -> TerraformDir:
    # Same depth as in the checkout, so the fixture's ../../../../modules resolves.
    tfdir = workspace / "tests" / "terraform" / "fixtures" / "events_api"
    shutil.copytree(FIXTURES / "events_api", tfdir, dirs_exist_ok=True)
    return TerraformDir(tfdir, extra_files=[OFFLINE_OVERRIDE])


ALL_PROVIDERS: list[dict[str, Any]] = [
    {"auth_type": "API_KEY"},
    {"auth_type": "AWS_IAM"},
    {
        "auth_type": "AMAZON_COGNITO_USER_POOLS",
        "cognito_config": {"user_pool_id": "eu-west-1_AbCdEfGhI", "app_id_client_regex": "^web$"},
    },
    {
        "auth_type": "OPENID_CONNECT",
        "openid_connect_config": {"issuer": "https://login.example.com/", "client_id": "web"},
    },
    {
        "auth_type": "AWS_LAMBDA",
        "lambda_authorizer_config": {
            "authorizer_uri": AUTHORIZER,
            "authorizer_result_ttl_in_seconds": 60,
        },
    },
]
ALL_MODES = [p["auth_type"] for p in ALL_PROVIDERS]


def test_example_template_passes_cfn_lint(example_plan: Plan) -> None:
    assert cfn_lint(template_of(example_plan)) == []


def test_cfn_lint_reports_a_broken_template(example_plan: Plan) -> None:
    template = template_of(example_plan)
    del template["Resources"]["Api"]["Properties"]["EventConfig"]["ConnectionAuthModes"]
    template["Resources"]["DataSourceChannelHandler"]["Properties"]["Type"] = "LAMBDA"
    findings = cfn_lint(template)
    assert any("'ConnectionAuthModes' is a required property" in f for f in findings), findings
    assert any("DataSourceChannelHandler/Properties/Type" in f for f in findings), findings


def test_every_auth_mode_gives_a_clean_template(harness: TerraformDir) -> None:
    plan = harness.plan(
        {
            "auth_providers": ALL_PROVIDERS,
            "modes": ALL_MODES,
            "api_key": {"expires": "2027-01-01T00:00:00Z"},
            "log_level": "NONE",  # no role ARN to wait for: every parameter is known
        }
    )
    template = template_of(plan)
    assert cfn_lint(template) == []
    providers = {
        p["AuthType"]: p
        for p in template["Resources"]["Api"]["Properties"]["EventConfig"]["AuthProviders"]
    }
    assert set(providers) == set(ALL_MODES)
    assert providers["AMAZON_COGNITO_USER_POOLS"]["CognitoConfig"] == {
        "UserPoolId": {"Ref": "CognitoUserPoolId"},
        "AwsRegion": {"Ref": "CognitoAwsRegion"},
        "AppIdClientRegex": "^web$",
    }
    assert providers["OPENID_CONNECT"]["OpenIDConnectConfig"] == {
        "Issuer": {"Ref": "OidcIssuer"},
        "ClientId": "web",
    }
    assert providers["AWS_LAMBDA"]["LambdaAuthorizerConfig"] == {
        "AuthorizerUri": {"Ref": "AuthorizerUri"},
        "AuthorizerResultTtlInSeconds": 60,
    }
    parameters = plan.one(STACK).after["parameters"]
    assert parameters["CognitoUserPoolId"] == "eu-west-1_AbCdEfGhI"
    assert parameters["CognitoAwsRegion"] == "eu-west-1"
    assert parameters["AuthorizerUri"] == AUTHORIZER
    permission = plan.one("module.events.aws_lambda_permission.authorizer[0]").after
    assert permission["principal"] == "appsync.amazonaws.com"
    assert permission["function_name"] == AUTHORIZER
    assert permission["action"] == "lambda:InvokeFunction"
    config = plan.config("module.events.aws_lambda_permission.authorizer")
    assert "aws_cloudformation_stack.this[0].outputs" in " ".join(
        config["expressions"]["source_arn"]["references"]
    )


def test_namespace_handlers_are_direct_request_response(example_plan: Plan) -> None:
    resources = template_of(example_plan)["Resources"]
    chat = resources["NamespaceChat"]
    assert chat["Properties"]["Name"] == "chat"
    assert chat["Properties"]["HandlerConfigs"] == {
        "OnPublish": {
            "Behavior": "DIRECT",
            "Integration": {
                "DataSourceName": "channel_handler",
                "LambdaConfig": {"InvokeType": "REQUEST_RESPONSE"},
            },
        }
    }
    assert chat["DependsOn"] == ["DataSourceChannelHandler"]
    reports = resources["NamespaceReports"]["Properties"]
    assert set(reports["HandlerConfigs"]) == {"OnSubscribe"}
    assert reports["HandlerConfigs"]["OnSubscribe"]["Behavior"] == "DIRECT"
    assert reports["PublishAuthModes"] == [{"AuthType": "AWS_IAM"}]
    source = resources["DataSourceChannelHandler"]["Properties"]
    assert source["Type"] == "AWS_LAMBDA"
    assert source["LambdaConfig"] == {"LambdaFunctionArn": {"Ref": "ChannelHandlerFunctionArn"}}
    assert source["ServiceRoleArn"] == {"Ref": "ChannelHandlerRoleArn"}


def test_data_source_role_may_only_invoke_its_function(example_plan: Plan) -> None:
    address = 'module.events.aws_iam_role_policy.data_source["channel_handler"]'
    policy = json.loads(example_plan.one(address).after["policy"])
    assert policy["Statement"] == [
        {
            "Sid": "InvokeTheHandler",
            "Effect": "Allow",
            "Action": "lambda:InvokeFunction",
            "Resource": FUNCTION,
        }
    ]
    role = example_plan.one('module.events.aws_iam_role.data_source["channel_handler"]').after
    trust = json.loads(role["assume_role_policy"])["Statement"]
    assert len(trust) == 1
    assert trust[0]["Principal"] == {"Service": "appsync.amazonaws.com"}
    assert trust[0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:appsync:eu-west-1:123456789012:apis/*"},
    }


def test_logging_role_only_writes_the_apis_log_group(example_plan: Plan) -> None:
    statements = example_plan.config("module.events.data.aws_iam_policy_document.logging")
    statement = statements["expressions"]["statement"][0]
    assert statement["actions"]["constant_value"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["resources"]["references"][0] == "aws_cloudwatch_log_group.this[0].arn"
    group = example_plan.one("module.events.aws_cloudwatch_log_group.this[0]").after
    assert group["retention_in_days"] == 30
    group_config = example_plan.config("module.events.aws_cloudwatch_log_group.this")
    assert "aws_cloudformation_stack.this[0].outputs" in " ".join(
        group_config["expressions"]["name"]["references"]
    )
    log_config = template_of(example_plan)["Resources"]["Api"]["Properties"]["EventConfig"][
        "LogConfig"
    ]
    assert log_config == {"CloudWatchLogsRoleArn": {"Ref": "LogRoleArn"}, "LogLevel": "ERROR"}


def test_log_level_none_creates_no_logging(harness: TerraformDir) -> None:
    plan = harness.plan(
        {"auth_providers": [{"auth_type": "AWS_IAM"}], "modes": ["AWS_IAM"], "log_level": "NONE"}
    )
    event_config = template_of(plan)["Resources"]["Api"]["Properties"]["EventConfig"]
    assert "LogConfig" not in event_config
    assert plan.of_type("aws_cloudwatch_log_group") == []
    assert plan.of_type("aws_iam_role") == []


@pytest.mark.parametrize(
    "expires",
    # Within AppSync's 365 days of today's plans (older dates only warn, see check blocks).
    ["2027-01-01T00:00:00Z", "2027-02-28T13:45:10Z", "2027-03-01T23:00:00Z"],
)
def test_the_api_key_is_kept_out_of_the_stack_with_its_exact_expiry(
    harness: TerraformDir, expires: str
) -> None:
    plan = harness.plan(
        {
            "auth_providers": [{"auth_type": "API_KEY"}],
            "modes": ["API_KEY"],
            "api_key": {"expires": expires},
            "log_level": "NONE",
        }
    )
    template = template_of(plan)
    # Stack outputs are readable with cloudformation:DescribeStacks: no key there.
    assert not any(r["Type"] == "AWS::AppSync::ApiKey" for r in template["Resources"].values())
    assert not [k for k in template["Outputs"] if "Key" in k]
    assert cfn_lint(template) == []
    key = plan.one("module.events.aws_appsync_api_key.this[0]")
    assert key.after["expires"] == expires
    config = plan.config("module.events.aws_appsync_api_key.this")
    assert (
        "aws_cloudformation_stack.this[0].outputs"
        in (config["expressions"]["api_id"]["references"])
    )


@pytest.mark.parametrize(
    ("tf_vars", "message"),
    [
        (
            {"auth_providers": [{"auth_type": "API_KEY"}], "modes": ["API_KEY"]},
            "api_key (with an explicit expires) is required when API_KEY is an auth provider",
        ),
        (
            {
                "auth_providers": [{"auth_type": "API_KEY"}],
                "modes": ["API_KEY"],
                "api_key": {"expires": "2027-01-01"},
            },
            "api_key.expires must be an RFC 3339 timestamp in UTC",
        ),
        (
            {
                "auth_providers": [{"auth_type": "API_KEY"}],
                "modes": ["API_KEY"],
                "api_key": {"expires": "2099-01-01T00:00:00Z"},
            },
            "api_key.expires is more than 365 days ahead",
        ),
        (
            {"auth_providers": [{"auth_type": "AWS_IAM"}], "modes": ["API_KEY"]},
            "connection_auth_modes must name at least one auth type, each of them one of",
        ),
        (
            {"auth_providers": [{"auth_type": "AMAZON_COGNITO_USER_POOLS"}], "modes": ["AWS_IAM"]},
            "cognito_config for AMAZON_COGNITO_USER_POOLS",
        ),
        (
            {
                "auth_providers": [{"auth_type": "AWS_IAM"}],
                "modes": ["AWS_IAM"],
                "channel_namespaces": {"chat_room": {}},
            },
            "channel_namespaces keys must be 1-50 letters, digits or hyphens",
        ),
        (
            {
                "auth_providers": [{"auth_type": "AWS_IAM"}],
                "modes": ["AWS_IAM"],
                "channel_namespaces": {"chat": {"on_publish": {"data_source": "missing"}}},
            },
            "Every on_publish/on_subscribe data_source must be a key of lambda_data_sources",
        ),
        (
            {
                "auth_providers": [{"auth_type": "AWS_IAM"}],
                "modes": ["AWS_IAM"],
                "lambda_data_sources": {"channel-handler": {"function_arn": FUNCTION}},
            },
            "lambda_data_sources keys are data source names",
        ),
        (
            {
                "auth_providers": [{"auth_type": "AWS_IAM"}],
                "modes": ["AWS_IAM"],
                "lambda_data_sources": {"h": {"function_arn": FUNCTION}},
                "channel_namespaces": {
                    "chat": {"on_publish": {"data_source": "h", "invoke_type": "ASYNC"}}
                },
            },
            "invoke_type REQUEST_RESPONSE or EVENT",
        ),
    ],
)
def test_bad_inputs_are_refused_with_a_clear_message(
    harness: TerraformDir, tf_vars: dict[str, Any], message: str
) -> None:
    assert message in harness.plan_error(tf_vars)


def test_an_api_key_about_to_expire_is_warned_about(harness: TerraformDir) -> None:
    soon = (datetime.now(UTC) + timedelta(days=10)).strftime("%Y-%m-%dT%H:00:00Z")
    tf_vars = {
        "auth_providers": [{"auth_type": "API_KEY"}],
        "modes": ["API_KEY"],
        "api_key": {"expires": soon},
        "log_level": "NONE",
    }
    assert "The API key expires within 30 days" in harness.plan_text(tf_vars)


def test_every_stack_resource_is_retained_for_the_move_to_native_resources(
    harness: TerraformDir,
) -> None:
    plan = harness.plan(
        {
            "auth_providers": [{"auth_type": "AWS_IAM"}],
            "modes": ["AWS_IAM"],
            "log_level": "NONE",
            "lambda_data_sources": {"h": {"function_arn": FUNCTION}},
            "channel_namespaces": {"chat": {"on_publish": {"data_source": "h"}}},
        }
    )
    resources = template_of(plan)["Resources"]
    assert len(resources) >= 3
    for logical, resource in resources.items():
        assert resource["DeletionPolicy"] == "Retain", logical
        assert resource["UpdateReplacePolicy"] == "Retain", logical
