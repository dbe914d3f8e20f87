"""A change in Terraform changes what runs locally, with no other edit; and the runtime
refuses, by name, what it cannot run: here one refusal end to end (an edited root, its plan,
exit code 2 and the console's reason); every other refusal is made by editing the plan
fixture as a changed root would plan it (a value unknown until apply, an OIDC auth mode:
tests/unit/runtime/test_plan_readers.py, with the resource's address), so that each does not
cost a plan of its own here; that the root plans realtime_auth.openid_connect into the
Event API's template is the plan tests' (tests/terraform)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local.platform import LocalPlatform, copy_root
from tests.local.roots import edit
from tests.local.test_flows import answer_item, failure_queue, order, stored_orders

pytestmark = pytest.mark.local


@pytest.fixture(scope="module")
def drifted(plans: Path) -> Iterator[LocalPlatform]:
    """The root, edited as a user would: the notify rule now wants another detail-type,
    capture-order's timeout is 3 seconds, and the security function's role loses the
    statement that lets it put its ReportReady events on the bus."""
    root = copy_root(plans / "drifted-src")
    edit(
        root / "ingest.tf",
        """      description   = "Uploaded orders to the chat notifier."
      event_pattern = jsonencode(local.contracts.upload_received.pattern)""",
        """      description   = "Uploaded orders to the chat notifier."
      event_pattern = jsonencode({ source = ["platform.ingest"], detail-type = ["Nothing.v1"] })""",
    )
    edit(
        root / "ingest.tf",
        '''  handler                        = "handlers.capture_order.handler.lambda_handler"''',
        """  handler                        = "handlers.capture_order.handler.lambda_handler"
  timeout                        = 3""",
    )
    edit(
        root / "async.tf",
        """    PutReportEvents = {
      actions    = ["events:PutEvents"]
      resources  = [module.event_bus.bus_arn]
      conditions = local.put_events_conditions.report_ready
    }
""",
        "",
    )
    local = LocalPlatform(plans / "drifted", root=root).start()
    try:
        yield local
    finally:
        assert local.stop() == 0, local.console_text()


def test_a_changed_rule_pattern_changes_routing(drifted: LocalPlatform) -> None:
    order_id = f"drift-{uuid.uuid4().hex[:6]}"
    before = len(drifted.get(drifted.outputs["webhook_messages_url"]))
    status, _ = drifted.upload(order(order_id))
    assert status == 200
    drifted.settle()

    assert stored_orders(drifted).get(order_id) == 1  # capture-order's rule is unchanged
    assert len(drifted.get(drifted.outputs["webhook_messages_url"])) == before  # notify: no
    assert "platform-local-notify ->" not in drifted.console_text()


def test_a_function_over_its_planned_timeout_is_killed_and_retried(drifted: LocalPlatform) -> None:
    drifted.settle()
    drifted.inject({"function": "platform-local-capture-order", "fault": "timeout", "count": 1})
    order_id = f"slow-{uuid.uuid4().hex[:6]}"
    status, _ = drifted.upload(order(order_id))
    assert status == 200
    drifted.settle()

    assert stored_orders(drifted).get(order_id) == 1
    console = drifted.console_text()
    assert "Sandbox.Timedout: RequestId:" in console
    assert "Task timed out after 3.00 seconds" in console  # the planned timeout, not a default
    assert "still running after 1 s (timeout 3 s)" in console  # a stuck function shows at once


def test_a_statement_removed_from_a_role_is_access_denied_as_in_aws(
    drifted: LocalPlatform,
) -> None:
    """The security function still runs, but EventBridge refuses its PutEvents as AWS would
    (IAM evaluated locally): AWS's error and message, and no report."""
    user = f"iam-{uuid.uuid4().hex[:8]}"
    dynamodb = drifted.client("dynamodb")
    dynamodb.put_item(
        TableName=drifted.outputs["answers_table_name"],
        Item=answer_item(user, "mfa", True, "2026-12-04T10:00:00+00:00"),
    )
    drifted.settle(timeout=90)
    bus = "arn:aws:events:eu-west-1:123456789012:event-bus/platform-local-events"
    denied = (
        "ReportReady.v1 was not put on the bus: AccessDeniedException: User: "
        "arn:aws:sts::123456789012:assumed-role/platform-local-security-lambda/"
        f"platform-local-security is not authorized to perform: events:PutEvents on resource: "
        f"{bus} because no identity-based policy allows the events:PutEvents action"
    )
    # The invocation record AWS sends to the function's failure queue, after its retries.
    failures = [
        m["body"]["responsePayload"]
        for m in drifted.drain(failure_queue(drifted, "function:security"))
        if m["body"]["requestPayload"]["detail"]["userId"] == user
    ]
    assert len(failures) == 1
    assert failures[0]["errorType"] == "PublishError"  # the handler's, around AWS's error
    assert denied in failures[0]["errorMessage"], failures[0]
    reports = dynamodb.query(
        TableName=drifted.outputs["reports_table_name"],
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user}"}},
    )["Items"]
    assert reports == []


def test_a_pattern_eventbridge_refuses_stops_the_start_with_its_reason(plans: Path) -> None:
    root = copy_root(plans / "wildcard-src")
    edit(
        root / "ingest.tf",
        """      description   = "Uploaded orders to the chat notifier."
      event_pattern = jsonencode(local.contracts.upload_received.pattern)""",
        """      description   = "Uploaded orders to the chat notifier."
      event_pattern = jsonencode({ source = [{ wildcard = "platform.**" }] })""",
    )
    code, console = LocalPlatform(plans / "wildcard", root=root).run_to_exit()

    assert code == 2
    assert "refused to start" in console
    assert 'aws_cloudwatch_event_rule.this["platform-local-notify"]: event_pattern' in console
    assert (
        "Event pattern is not valid. Reason: Consecutive wildcard characters at pos 10" in console
    )
