"""The platform the plan fixture describes, started in this process and used as its users
use it: an upload through the HTTP API to the bus and a function, the Event API over HTTPS
and WebSocket, an answer through the stream to a report, the web app, the control API."""

from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.local.appsync import Events
from tests.local.platform import wait_for
from tests.local.test_flows import answer_item, order, stored_orders
from tests.unit.runtime.inprocess import InProcess


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    local = InProcess(tmp_path_factory.mktemp("inprocess")).start()
    try:
        yield local
    finally:
        pids = local.worker_pids()
        local.stop()
        # Stopping stops exactly what it started: no worker survives.
        assert pids
        assert [pid for pid in pids if _alive(pid)] == []


def test_the_start_reads_every_service_from_the_plan(platform: InProcess) -> None:
    console = platform.console_text()
    assert "the saved plan local-plan.json (no terraform)" in console
    assert "HTTP API: 10 route(s)" in console
    assert "schedules: platform-local-presence-sweep every 0.3 s" in console
    assert "Event API: " in console
    status = platform.status()
    assert set(status["functions"]) >= {
        "platform-local-capture-order",
        "platform-local-security",
        "platform-local-channels",
    }


def test_uploads_pass_the_edge_web_acl_the_plan_puts_in_front(platform: InProcess) -> None:
    console = platform.console_text()
    assert "web ACL platform-local-edge: 3 rule(s) applied" in console
    assert "not applied here: AWSManagedRulesCommonRuleSet (an AWS managed rule group" in console
    assert platform.outputs["upload_url"].startswith("https://")  # the distribution
    assert platform.upload([order("edge-array")]) == (403, "Request blocked.")
    assert "POST /uploads -> 403 by json-object-body-0" in platform.console_text()


def test_an_upload_is_stored_by_its_function(platform: InProcess) -> None:
    order_id = f"inproc-{uuid.uuid4().hex[:8]}"
    status, answer = platform.upload(order(order_id))
    assert status == 200
    assert answer["FailedEntryCount"] == 0
    wait_for(lambda: stored_orders(platform).get(order_id), 60, "the order to be stored")


def test_an_answer_becomes_a_report_published_on_its_channel(platform: InProcess) -> None:
    user = f"user-{uuid.uuid4().hex[:8]}"
    dynamodb = platform.client("dynamodb")
    dynamodb.put_item(
        TableName=platform.outputs["answers_table_name"],
        Item=answer_item(user, "mfa", True, "2026-12-04T10:00:00+00:00"),
    )

    def report() -> dict[str, Any] | None:
        items = dynamodb.query(
            TableName=platform.outputs["reports_table_name"],
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"USER#{user}"}},
        )["Items"]
        return items[0] if items else None

    assert wait_for(report, 60, "the report")["score"]["N"] == "25"
    wait_for(
        lambda: f"publish /reports/{user}: 1 delivered" in platform.console_text(),
        60,
        "the report's publish",
    )


def test_the_event_api_over_http_and_websocket(platform: InProcess) -> None:
    events = Events(platform)
    room = f"/chat/r{uuid.uuid4().hex[:8]}"
    with events.socket() as ws:
        ws.init()
        sub = str(uuid.uuid4())
        assert ws.subscribe(sub, room, events.key())["type"] == "subscribe_success"
        status, answer = events.http_publish(room, [{"text": "hello"}])
        assert (status, answer["failed"]) == (200, [])
        (delivered,) = ws.events(sub, 1)
        assert delivered["text"] == "hello"


def test_the_web_app_and_the_control_api(platform: InProcess) -> None:
    tls = ssl.create_default_context(cafile=platform.outputs["local_ca_file"])
    with urllib.request.urlopen(platform.outputs["web_url"], context=tls, timeout=10) as page:  # noqa: S310
        assert page.status == 200
        assert b"<html" in page.read().lower()
    platform.inject({"rates": {"webhook": 0}})
    assert platform.status()["faults"]["rates"]["webhook"] == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# --- the Event API's answers (errors.py cites each type's source) ---------------------------


@pytest.mark.parametrize(
    ("message", "kind", "error_type"),
    [
        ("{not json", "error", "BadRequestException"),
        ("[" * 100_000 + "]" * 100_000, "error", "BadRequestException"),
        ('{"type": "publish", "pad": "' + "x" * 2_600_000 + '"}', "error", "BadRequestException"),
        ('{"type": "publish", "id": "n", "channel": "/chat/x", "events": [NaN]}', "error",
         "BadRequestException"),
        ({"type": "dance"}, "error", "UnsupportedOperation"),
        ({"type": "publish", "id": "p1", "channel": "/chat/x", "events": ["{}"] * 6},
         "publish_error", "BadRequestException"),
        ({"type": "publish", "id": "p2", "channel": "/chat/x", "events": ["[" * 1001 + "]" * 1001]},
         "publish_error", "BadRequestException"),
        ({"type": "publish", "id": "p3", "channel": "/nowhere/x", "events": ["{}"]},
         "publish_error", "BadRequestException"),
        ({"type": "publish", "channel": "/chat/x", "events": ["{}"]},
         "publish_error", "BadRequestException"),
        ({"type": "subscribe", "id": "s1", "channel": "/chat/a b"},
         "subscribe_error", "BadRequestException"),
        ({"type": "unsubscribe", "id": "never"}, "unsubscribe_error", "UnknownOperationError"),
    ],
)  # fmt: skip
def test_a_bad_message_gets_its_error_and_the_connection_stays(
    platform: InProcess, message: dict[str, object] | str, kind: str, error_type: str
) -> None:
    events = Events(platform)
    with events.socket() as ws:
        ws.init()
        if isinstance(message, dict) and message["type"] in {"publish", "subscribe"}:
            message = {**message, "authorization": events.key()}
        ws.send(message)
        assert ws.next(kind)["errors"][0]["errorType"] == error_type
        assert ws.subscribe("after", "/chat/still-here", events.key())["type"] == (
            "subscribe_success"
        )


def test_ids_are_used_once_and_connections_must_authorise(platform: InProcess) -> None:
    events = Events(platform)
    with events.socket() as ws:
        ws.init()
        assert ws.subscribe("s", "/chat/a", events.key())["type"] == "subscribe_success"
        again = ws.subscribe("s", "/chat/b", events.key())
        assert again["errors"][0]["errorType"] == "DuplicatedOperationError"
    with events.socket(protocols=["graphql-ws"]) as ws:
        assert ws.next("connection_error")["errors"][0]["errorType"] == "UnsupportedOperation"
    with events.socket(auth=events.key("da2-wrong")) as ws:
        assert ws.next("connection_error")["errors"][0] == {
            "errorType": "UnauthorizedException",
            "message": "You are not authorized to make this call.",
        }


def test_http_publish_refusals(platform: InProcess) -> None:
    events = Events(platform)
    status, answer = events.http_publish("/chat/x", [{"text": "hi"}], events.key("da2-wrong"))
    assert (status, answer["errors"][0]["errorType"]) == (401, "UnauthorizedException")
    for body in (b"{not json", b"[" * 5000 + b"]" * 5000, b"[1]"):
        request = urllib.request.Request(  # noqa: S310 - the local endpoint
            events.publish_url, data=body, method="POST", headers=events.key()
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10, context=events.tls)  # noqa: S310
        assert refused.value.code == 400
        assert json.loads(refused.value.read())["errors"][0]["errorType"] == "BadRequestException"
