"""Plan tests of modules/appsync-events-api: the template, its roles and its inputs."""

from __future__ import annotations

import shutil
from collections.abc import Callable
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
