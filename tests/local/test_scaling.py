"""Functions that scale out on this machine as Lambda scales them, over the network: a copy of
the root where notify has 2 reserved (conftest's tuned_root, shared with the presence tests)
and the machine allows 4 workers a function. Two slow
invocations run at once and a third is throttled (Lambda's 429 to a synchronous caller, a
retry of an asynchronous event); races serial workers hid now happen and are survived (one
report for an answer assessed twice at once, distinct seq from concurrent publishers)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.local.appsync import Events
from tests.local.platform import LocalPlatform, wait_for
from tests.local.roots import NOTIFY_RESERVED
from tests.local.test_durable_channels import all_history
from tests.local.test_faults import archived
from tests.local.test_flows import order

pytestmark = pytest.mark.local

HOLD = 2.0  # seconds the slow webhook keeps each post
FUNCTION = "arn:aws:lambda:eu-west-1:123456789012:function:platform-local-"


@dataclass
class SlowWebhook:
    """A chat webhook that answers each post after HOLD seconds (a slow receiver)."""

    url: str = ""
    bodies: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def webhook() -> Iterator[SlowWebhook]:
    hook = SlowWebhook()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
            time.sleep(HOLD)
            hook.bodies.append(body)
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/slow"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def scaled(plans: Path, tuned_root: Path, webhook: SlowWebhook) -> Iterator[LocalPlatform]:
    assert NOTIFY_RESERVED == 2  # what the tests below count on
    local = LocalPlatform(plans / "scaling", root=tuned_root, args=["--concurrency", "4"])
    local.start()
    try:
        # notify reads its webhook's URL from SSM at run time: point it at the slow one.
        local.client("ssm").put_parameter(
            Name="/platform/local/notify/webhook-url",
            Value=webhook.url,
            Type="SecureString",
            Overwrite=True,
        )
        yield local
    finally:
        assert local.stop() == 0, local.console_text()


def concurrency(platform: LocalPlatform, function: str) -> dict[str, Any]:
    shown: dict[str, Any] = platform.status()["functions"][f"platform-local-{function}"][
        "concurrency"
    ]
    return shown


def order_event(platform: LocalPlatform) -> dict[str, Any]:
    """An UploadReceived event as the bus handed it to notify (from its archive)."""
    assert platform.upload(order(f"tpl-{uuid.uuid4().hex[:6]}"))[0] == 200
    platform.settle(timeout=60)
    (event, *_) = archived(platform, "UploadReceived")
    return event


def test_two_run_at_once_and_the_third_is_throttled_sync_and_retried_async(
    scaled: LocalPlatform, webhook: SlowWebhook
) -> None:
    template = order_event(scaled)
    # One attempt: botocore retries a throttle by itself (it is a retryable error code),
    # which would hide it until a slot is free.
    lam = scaled.client("lambda", Config(retries={"total_max_attempts": 1}, read_timeout=30))

    def invoke(order_id: str) -> Any:
        event = {**template, "detail": {**template["detail"], "orderId": order_id}}
        try:
            answer = lam.invoke(FunctionName="platform-local-notify", Payload=json.dumps(event))
        except ClientError as exc:
            return exc.response
        return answer

    ids = [f"sync-{uuid.uuid4().hex[:6]}" for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        first_two = [pool.submit(invoke, i) for i in ids[:2]]
        wait_for(lambda: concurrency(scaled, "notify")["running"] == 2, 20, "two running")
        third = invoke(ids[2])  # both slots held by the slow webhook
        answers = [f.result(timeout=30) for f in first_two]
    assert [a["StatusCode"] for a in answers] == [200, 200]
    assert [a.get("FunctionError") for a in answers] == [None, None]
    assert third["Error"]["Code"] == "TooManyRequestsException"
    assert third["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert third["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert sum(ids[0] in b or ids[1] in b for b in webhook.bodies) == 2
    assert not any(ids[2] in b for b in webhook.bodies)

    # An upload while both slots are held: the bus's asynchronous invocation is throttled,
    # waits, and runs once a slot is free. No attempt is lost, none fails.
    throttled_before = concurrency(scaled, "notify")["throttles"]
    late = f"async-{uuid.uuid4().hex[:6]}"
    with ThreadPoolExecutor(2) as pool:
        held = [pool.submit(invoke, f"hold-{uuid.uuid4().hex[:6]}") for _ in range(2)]
        wait_for(lambda: concurrency(scaled, "notify")["running"] == 2, 20, "two running")
        assert scaled.upload(order(late))[0] == 200
        for f in held:
            f.result(timeout=30)
    wait_for(lambda: any(late in b for b in webhook.bodies), 30, "the late order posted")
    shown = concurrency(scaled, "notify")
    assert shown["throttles"] > throttled_before
    assert (shown["reserved"], shown["localLimit"], shown["peak"]) == (2, 2, 2)
    scaled.settle(timeout=60)
    assert sum(late in b for b in webhook.bodies) == 1


def test_an_answer_assessed_twice_at_once_gives_one_report(scaled: LocalPlatform) -> None:
    """EventBridge delivers at least once: the same AnswerSubmitted twice, now at the same
    time on two workers. The idempotency record lets one through; one report."""
    events = Events(scaled)
    user_id = events.user_id
    security = FUNCTION + "security"
    scaled.inject({"duplicate": security, "count": 1})
    answer = {
        "questionnaireId": "account-security.v1",
        "questionId": "mfa",
        "value": True,
    }
    before = len([e for e in archived(scaled, "ReportReady") if e["detail"]["userId"] == user_id])
    status, published = events.http_publish(f"/answers/{user_id}", [answer], events.user())
    assert (status, published.get("failed")) == (200, []), published
    scaled.settle(timeout=60)
    assert scaled.status()["faults"]["injected"]["duplicate_delivery"] >= 1
    reports = [e for e in archived(scaled, "ReportReady") if e["detail"]["userId"] == user_id]
    assert len(reports) == before + 1
    assert concurrency(scaled, "security")["peak"] >= 2  # the two ran at once


def test_concurrent_publishers_on_a_durable_channel_get_distinct_seq(
    scaled: LocalPlatform,
) -> None:
    events = Events(scaled)
    channel = f"/chat/race-{uuid.uuid4().hex[:8]}"

    def publish(writer: int) -> None:
        for n in range(10):
            status, answer = events.http_publish(channel, [{"text": f"{writer}-{n}"}])
            assert (status, answer.get("failed")) == (200, []), answer

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(publish, range(4)))
    kept = all_history(scaled, channel)
    assert sorted(e["seq"] for e in kept) == list(range(1, 41))
    assert len({e["payload"]["text"] for e in kept}) == 40
    assert concurrency(scaled, "channels")["peak"] >= 2
