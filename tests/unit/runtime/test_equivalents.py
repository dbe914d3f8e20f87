"""The runtime's own rules, without a network: local equivalents."""

from __future__ import annotations

import pytest

from local_runtime.plan.equivalents import rewrite


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "value = try(aws_lambda_function.this[0].arn, null)",
            'value = try("arn:${data.aws_partition.local_runtime.partition}:lambda:'
            "${data.aws_region.local_runtime.name}:123456789012:function:"
            '${aws_lambda_function.this[0].function_name}", null)',
        ),
        (
            "arn = aws_sqs_queue.dlq[each.key].arn",
            'arn = "arn:${data.aws_partition.local_runtime.partition}:sqs:'
            '${data.aws_region.local_runtime.name}:123456789012:${aws_sqs_queue.dlq[each.key].name}"',
        ),
        (
            "value = { for k, q in aws_sqs_queue.dlq : k => q.url }",
            "value = { for k, q in aws_sqs_queue.dlq : k => "
            '"__LOCAL_AWS_ENDPOINT__/123456789012/${q.name}" }',
        ),
        (
            "resources = [for q in values(aws_sqs_queue.stream_failures) : q.arn]",
            "resources = [for q in values(aws_sqs_queue.stream_failures) : "
            '"arn:${data.aws_partition.local_runtime.partition}:sqs:'
            '${data.aws_region.local_runtime.name}:123456789012:${q.name}"]',
        ),
        # A role's id is its name (so a role policy's role is known in the plan).
        ("role = aws_iam_role.this[0].id", 'role = "${aws_iam_role.this[0].name}"'),
        # Not computed by AWS, or a data source: left as written.
        (
            "keys = [for k in keys(aws_sqs_queue.dlq) : k]",
            "keys = [for k in keys(aws_sqs_queue.dlq) : k]",
        ),
        (
            "json = data.aws_iam_policy_document.x.json",
            "json = data.aws_iam_policy_document.x.json",
        ),
        ("name = aws_sqs_queue.dlq[each.key].name", "name = aws_sqs_queue.dlq[each.key].name"),
    ],
)
def test_computed_references_become_local_equivalents(source: str, expected: str) -> None:
    assert rewrite(source) == expected


def test_a_stack_output_becomes_a_placeholder_per_template_output() -> None:
    rewritten = rewrite('x = aws_cloudformation_stack.this[0].outputs["ApiId"]')

    assert "jsondecode(aws_cloudformation_stack.this[0].template_body).Outputs" in rewritten
    assert "arn:aws:localcfn:" in rewritten
    assert rewritten.endswith('["ApiId"]')
