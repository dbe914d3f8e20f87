"""A change in Terraform changes what runs locally, with no other edit; and the runtime
refuses, by name, what it cannot run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local.platform import LocalPlatform, copy_root
from tests.local.test_flows import order, stored_orders

pytestmark = pytest.mark.local


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def drifted(plans: Path) -> Iterator[LocalPlatform]:
    """The root, edited as a user would: the notify rule now wants another detail-type, and
    capture-order's timeout is 3 seconds."""
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


def test_a_value_with_no_local_equivalent_is_refused_by_resource_and_attribute(
    plans: Path,
) -> None:
    root = copy_root(plans / "unresolved-src")
    edit(
        root / "ingest.tf",
        """    ORDERS_TABLE_NAME       = module.orders_table.name""",
        """    ORDERS_TABLE_NAME       = module.orders_table.name
    WAF_ACL                 = module.realtime_waf.web_acl_arn""",
    )
    code, console = LocalPlatform(plans / "unresolved", root=root).run_to_exit()

    assert code == 2
    assert (
        "module.capture_order.aws_lambda_function.this[0]: environment[0].variables is "
        "unknown until apply" in console
    )


def test_an_auth_mode_the_runtime_cannot_serve_is_refused_by_name(plans: Path) -> None:
    root = copy_root(plans / "oidc-src")
    edit(
        root / "environments" / "local.tfvars",
        "realtime_auth = { api_key = { enabled = true } }",
        'realtime_auth = { openid_connect = { issuer = "https://login.example.com/" } }',
    )
    code, console = LocalPlatform(plans / "oidc", root=root).run_to_exit()

    assert code == 2
    assert "the OPENID_CONNECT auth mode is not emulated locally" in console
    assert "module.realtime.aws_cloudformation_stack.this[0]" in console
