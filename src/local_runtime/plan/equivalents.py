"""The one rule for values that only AWS knows: their local equivalents.

A plan leaves unknown every value AWS computes when it creates a resource: ARNs, queue URLs,
stream ARNs, API endpoints and ids, CloudFormation stack outputs. The plan's JSON cannot say
where such a value goes either: references that pass through ``locals`` or a ``merge`` of
several module outputs are not recorded per key. So the runtime plans a **copy** of
``terraform/`` and ``modules/`` in which every reference to such an attribute is replaced by
its local equivalent, computed from the resource's own configured name by the format AWS
documents for it (``LOCAL_EQUIVALENTS``). Terraform itself then carries the value wherever the
configuration sends it, exactly as it would carry the real ARN after apply.

- Account: moto's default account, ``123456789012``; region and partition: the provider's
  (``data.aws_region`` / ``data.aws_partition``, added to each copied module).
- Endpoints (a queue URL, the HTTP API's base URL, the Event API's host) are placeholders
  (``__LOCAL_...__``) that the runtime substitutes once it knows its ports, so a plan is
  reused whatever ports are chosen.
- A CloudFormation stack's ``outputs`` become one ARN-shaped placeholder per output of its
  template (``arn:aws:localcfn:...:stack:<stack>:<output>``); the runtime resolves each from
  the ``Fn::GetAtt`` the template gives it (``spec``).

Anything else that is still unknown in the plan and that the runtime needs stops it with an
error naming the resource and the attribute (``spec.UnresolvedValueError``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

ACCOUNT_ID = "123456789012"
AWS_ENDPOINT = "__LOCAL_AWS_ENDPOINT__"
# URL-shaped, so that "must be an https origin" validations accept it before substitution.
HTTP_API_ENDPOINT = "https://__LOCAL_HTTP_API_ENDPOINT__"
# The host (and port) where the runtime serves the web app that CloudFront serves in AWS.
WEB_HOST = "__LOCAL_WEB_HOST__"
# Cognito user pools and app clients are created in moto at start; their ids replace these.
USER_POOL_ID = "__LOCAL_USER_POOL_ID_{}__"
USER_POOL_CLIENT_ID = "__LOCAL_USER_POOL_CLIENT_ID_{}__"
# The Event API's key (aws_appsync_api_key), made at start; its key and id replace this.
API_KEY = "da2-__LOCAL_API_KEY__"
# ARN-shaped, so that a module's "must be an ARN" validation accepts it before substitution;
# without a slash, so that "https://" + a host output is still an origin.
CFN_OUTPUT = f"arn:aws:localcfn:eu-west-1:{ACCOUNT_ID}:stack:"

_REGION = "${data.aws_region.local_runtime.name}"
_PARTITION = "${data.aws_partition.local_runtime.partition}"
_ARN = f"arn:{_PARTITION}"

# (resource type, attribute) -> HCL string template of the local value; {R} is the reference
# to the resource instance (e.g. aws_sqs_queue.dlq[each.key]). Formats from each service's
# "Resource types defined by ..." page of the Service Authorization Reference, and, for queue
# URLs, what moto's server answers (<endpoint>/<account>/<name>).
LOCAL_EQUIVALENTS: dict[tuple[str, str], str] = {
    ("aws_lambda_function", "arn"): (
        f"{_ARN}:lambda:{_REGION}:{ACCOUNT_ID}:function:${{{{R}}.function_name}}"
    ),
    ("aws_lambda_function", "invoke_arn"): (
        f"{_ARN}:apigateway:{_REGION}:lambda:path/2015-03-31/functions/"
        f"{_ARN}:lambda:{_REGION}:{ACCOUNT_ID}:function:${{{{R}}.function_name}}/invocations"
    ),
    ("aws_sqs_queue", "arn"): f"{_ARN}:sqs:{_REGION}:{ACCOUNT_ID}:${{{{R}}.name}}",
    ("aws_sqs_queue", "url"): f"{AWS_ENDPOINT}/{ACCOUNT_ID}/${{{{R}}.name}}",
    ("aws_sqs_queue", "id"): f"{AWS_ENDPOINT}/{ACCOUNT_ID}/${{{{R}}.name}}",
    ("aws_dynamodb_table", "arn"): f"{_ARN}:dynamodb:{_REGION}:{ACCOUNT_ID}:table/${{{{R}}.name}}",
    # moto labels a stream with its creation time; the runtime finds it by table name.
    ("aws_dynamodb_table", "stream_arn"): (
        f"{_ARN}:dynamodb:{_REGION}:{ACCOUNT_ID}:table/${{{{R}}.name}}/stream/local"
    ),
    ("aws_cloudwatch_event_bus", "arn"): (
        f"{_ARN}:events:{_REGION}:{ACCOUNT_ID}:event-bus/${{{{R}}.name}}"
    ),
    ("aws_cloudwatch_event_rule", "arn"): (
        f"{_ARN}:events:{_REGION}:{ACCOUNT_ID}:rule/${{{{R}}.event_bus_name}}/${{{{R}}.name}}"
    ),
    ("aws_cloudwatch_event_archive", "arn"): (
        f"{_ARN}:events:{_REGION}:{ACCOUNT_ID}:archive/${{{{R}}.name}}"
    ),
    ("aws_cloudwatch_log_group", "arn"): (
        f"{_ARN}:logs:{_REGION}:{ACCOUNT_ID}:log-group:${{{{R}}.name}}"
    ),
    ("aws_iam_role", "arn"): f"{_ARN}:iam::{ACCOUNT_ID}:role/${{{{R}}.name}}",
    # A role's id is its name (IAM's CreateRole: the provider sets id = name).
    ("aws_iam_role", "id"): "${{R}.name}",
    ("aws_cognito_user_pool", "id"): USER_POOL_ID.format("${{R}.name}"),
    ("aws_cognito_user_pool", "arn"): (
        f"{_ARN}:cognito-idp:{_REGION}:{ACCOUNT_ID}:userpool/" + USER_POOL_ID.format("${{R}.name}")
    ),
    ("aws_cognito_user_pool", "endpoint"): (
        f"cognito-idp.{_REGION}.amazonaws.com/" + USER_POOL_ID.format("${{R}.name}")
    ),
    ("aws_cognito_user_pool_client", "id"): USER_POOL_CLIENT_ID.format("${{R}.name}"),
    ("aws_apigatewayv2_api", "id"): "local-${{R}.name}",
    ("aws_apigatewayv2_api", "api_endpoint"): HTTP_API_ENDPOINT,
    ("aws_apigatewayv2_api", "execution_arn"): (
        f"{_ARN}:execute-api:{_REGION}:{ACCOUNT_ID}:local-${{{{R}}.name}}"
    ),
    # Integrations have no name: the local id names what they call (the function's invoke
    # ARN, or the AWS service action), which is what the runtime needs to route to them.
    ("aws_apigatewayv2_integration", "id"): (
        "local-integration-"
        "${substr(sha1(coalesce({R}.integration_uri, {R}.integration_subtype)), 0, 16)}"
    ),
    ("aws_apigatewayv2_authorizer", "id"): "local-authorizer-${{R}.name}",
    # The web app: S3 + CloudFront in AWS, the runtime's own HTTPS server here.
    # A prefixed bucket's name is chosen by S3 at apply; its prefix is known (a conditional,
    # not coalesce: coalesce of an unknown name would stay unknown).
    ("aws_s3_bucket", "id"): "local-${{R}.bucket_prefix != null ? {R}.bucket_prefix : {R}.bucket}",
    ("aws_s3_bucket", "arn"): (
        f"{_ARN}:s3:::local-${{{{R}}.bucket_prefix != null ? {{R}}.bucket_prefix : {{R}}.bucket}}"
    ),
    ("aws_cloudfront_distribution", "domain_name"): WEB_HOST,
    # On AppSync an API key's id is the key itself.
    ("aws_appsync_api_key", "key"): API_KEY,
    ("aws_appsync_api_key", "id"): API_KEY,
    ("aws_cloudfront_distribution", "arn"): (
        f"{_ARN}:cloudfront::{ACCOUNT_ID}:distribution/local-${{{{R}}.comment}}"
    ),
}

# Stack outputs: a map from each output of the template to its placeholder.
_STACK_OUTPUTS = (
    "{ for k in keys(try(jsondecode({R}.template_body).Outputs, {})) : k => "
    f'"{CFN_OUTPUT}${{{{R}}.name}}:${{k}}" }}'
)

_ATTRS = "|".join(sorted({attr for _, attr in LOCAL_EQUIVALENTS} | {"outputs"}))
_TYPES = "|".join(sorted({rtype for rtype, _ in LOCAL_EQUIVALENTS} | {"aws_cloudformation_stack"}))
# aws_sqs_queue.dlq[each.key].arn, aws_lambda_function.this[0].arn, ... (not data sources).
_REFERENCE = re.compile(
    rf"(?<![\w.])(?P<ref>(?P<type>{_TYPES})\.[A-Za-z_][\w-]*(?:\[[^\]\n]+\])?)"
    rf"\.(?P<attr>{_ATTRS})\b"
)
# { for k, q in aws_sqs_queue.dlq : k => q.url } and [for q in values(aws_sqs_queue.dlq) : q.arn]:
# the loop variable stands for the resource.
_FOR = re.compile(
    rf"\bfor\s+(?:\w+\s*,\s*)?(?P<var>\w+)\s+in\s+(?:values\(\s*)?"
    rf"(?P<type>{_TYPES})\.[A-Za-z_][\w-]*\s*\)?\s*:"
)

REGION_FILE = "local_runtime_provider_data.tf"
REGION_DATA = """# Written by the local runtime (src/local_runtime/plan/equivalents.py) in its copy.
data "aws_region" "local_runtime" {}
data "aws_partition" "local_runtime" {}
"""


def _equivalent(rtype: str, attr: str, ref: str) -> str | None:
    if rtype == "aws_cloudformation_stack":
        return _STACK_OUTPUTS.replace("{R}", ref) if attr == "outputs" else None
    template = LOCAL_EQUIVALENTS.get((rtype, attr))
    return None if template is None else '"' + template.replace("{R}", ref) + '"'


def rewrite(source: str) -> str:
    """``source`` (HCL) with every computed attribute reference replaced by its local value."""

    def direct(match: re.Match[str]) -> str:
        value = _equivalent(match["type"], match["attr"], match["ref"])
        return match[0] if value is None else value

    lines = []
    for original in source.splitlines(keepends=True):
        line = original
        loop = _FOR.search(line)
        if loop:
            var, rtype = loop["var"], loop["type"]
            head, tail = line[: loop.end()], line[loop.end() :]

            def bound(match: re.Match[str], rtype: str = rtype, var: str = var) -> str:
                value = _equivalent(rtype, match[1], var)
                return match[0] if value is None else value

            tail = re.sub(rf"(?<![\w.]){re.escape(var)}\.({_ATTRS})\b", bound, tail)
            line = head + tail
        lines.append(_REFERENCE.sub(direct, line))
    return "".join(lines)


def rewrite_tree(directories: Iterable[Path]) -> None:
    """Rewrite every ``*.tf`` file of ``directories`` in place (the runtime's copy only) and
    give each the data sources the equivalents use."""
    for directory in directories:
        files = sorted(directory.glob("*.tf"))
        if not files:
            continue
        for path in files:
            if path.name == REGION_FILE:
                continue
            text = path.read_text()
            rewritten = rewrite(text)
            if rewritten != text:
                path.write_text(rewritten)
        (directory / REGION_FILE).write_text(REGION_DATA)
