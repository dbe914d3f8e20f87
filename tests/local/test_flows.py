"""The platform on one machine, driven over the network as a client and an operator would:
ingest, the async flow, nothing lost, a poisoned stream record, timeouts and crashes."""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import pytest

from local_runtime.cognito.pools import create_local_user
from tests.local.platform import ROOT, LocalPlatform, wait_for

pytestmark = pytest.mark.local


def order(order_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "orderId": order_id,
        "currency": "EUR",
        "items": [{"sku": "BOOK-1", "quantity": 2, "unitPrice": "12.50"}],
        **extra,
    }


def stored_orders(platform: LocalPlatform) -> dict[str, int]:
    """orderId -> how many items the orders table holds for it."""
    items = platform.client("dynamodb").scan(TableName=platform.outputs["orders_table_name"])
    counts: dict[str, int] = {}
    for item in items["Items"]:
        counts[item["orderId"]["S"]] = counts.get(item["orderId"]["S"], 0) + 1
    return counts


def failure_queue(platform: LocalPlatform, key: str) -> str:
    url: str = platform.outputs["dead_letter_queue_urls"][key]
    return url


# --- ingest ---------------------------------------------------------------------------------


def test_an_order_is_stored_once_and_announced_on_the_webhook(platform: LocalPlatform) -> None:
    order_id = f"ord-{uuid.uuid4().hex[:8]}"
    for _ in range(2):  # the same order sent twice
        status, answer = platform.upload(order(order_id))
        assert status == 200
        assert answer["FailedEntryCount"] == 0
        assert answer["Entries"][0]["EventId"]
    platform.settle()

    assert stored_orders(platform).get(order_id) == 1
    messages = platform.get(platform.outputs["webhook_messages_url"])
    texts = [m["body"]["text"] for m in messages if isinstance(m["body"], dict)]
    assert any(f"New order {order_id}" in text for text in texts)


def orders_of(platform: LocalPlatform, order_id: str) -> dict[str, str]:
    """customerId -> pk of every stored order with ``order_id``."""
    items = platform.client("dynamodb").scan(TableName=platform.outputs["orders_table_name"])
    return {
        i["customerId"]["S"]: i["pk"]["S"] for i in items["Items"] if i["orderId"]["S"] == order_id
    }


def test_an_upload_without_a_valid_token_is_refused_by_the_route(platform: LocalPlatform) -> None:
    order_id = f"anon-{uuid.uuid4().hex[:6]}"
    assert platform.upload(order(order_id), token="") == (401, {"message": "Unauthorized"})
    forged = platform.token()[:-4] + ("AAAA" if not platform.token().endswith("AAAA") else "BBBB")
    assert platform.upload(order(order_id), token=forged)[0] == 401
    platform.settle()
    assert orders_of(platform, order_id) == {}


def test_the_customer_is_the_token_subject_and_orders_are_theirs(
    platform: LocalPlatform,
) -> None:
    """Two customers may use the same order id; neither can name the customer in the body."""
    cognito = platform.client("cognito-idp")
    other = create_local_user(
        cognito, platform.outputs["cognito_user_pool_id"], f"{uuid.uuid4().hex[:8]}@example.com"
    )
    other_token = cognito.initiate_auth(
        ClientId=platform.outputs["cognito_user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": other["username"], "PASSWORD": other["password"]},
    )["AuthenticationResult"]["IdToken"]
    me = platform.outputs["local_users"][0]["user_id"]
    order_id = f"same-{uuid.uuid4().hex[:6]}"

    assert platform.upload(order(order_id))[0] == 200
    assert platform.upload(order(order_id), token=other_token)[0] == 200
    platform.settle()
    assert orders_of(platform, order_id) == {
        me: f"CUSTOMER#{me}#ORDER#{order_id}",
        other["user_id"]: f"CUSTOMER#{other['user_id']}#ORDER#{order_id}",
    }


def test_no_body_can_forge_or_confuse_the_customer(platform: LocalPlatform) -> None:
    """The detail is the body as sent and the customer the event's resource: a body that
    closes the object, trails text, is an array, a string or a number, or names a customer
    (in quotes, nested, twice) is refused (at the edge, or by EventBridge behind it, even
    for a caller who skips the edge) or stored as its sender's order."""
    me = platform.outputs["local_users"][0]["user_id"]
    other = "0f1e2d3c-4b5a-4697-8877-665544332211"
    base = f"forge-{uuid.uuid4().hex[:6]}"
    text = json.dumps(order(base))
    malformed = [
        text + f',"customerId":"{other}"',  # closes the object and adds a key
        text[:-1] + f'}},"customerId":"{other}"}}',  # closes the order inside an object
        text + " trailing",  # trailing text
        json.dumps([order(base)]),  # an array
        json.dumps("an order"),  # a string
        "42",  # a number
    ]
    for body in malformed:
        # The HTTP API's own route, as a caller who skips the edge: EventBridge refuses it.
        status, answer = platform.upload(body, raw=True, origin=True)
        assert (status, answer["FailedEntryCount"]) == (200, 1), body
        assert answer["Entries"][0]["ErrorCode"] == "MalformedDetail", body
        # upload_url: a body that is not an object never leaves the edge.
        status, answer = platform.upload(body, raw=True)
        if body.startswith("{"):
            assert (status, answer["Entries"][0]["ErrorCode"]) == (200, "MalformedDetail")
        else:
            assert (status, answer) == (403, "Request blocked."), body
    # Well-formed bodies that name a customer: refused by the contract, never stored as theirs.
    named: list[dict[str, Any]] = [
        {**order(f"{base}-a"), "customerId": other},
        {**order(f"{base}-b"), "note": f'x","customerId":"{other}'},  # quotes inside a string
        {"order": order(f"{base}-c"), "customerId": other},  # the old wrapped shape
    ]
    for named_body in named:
        status, answer = platform.upload(named_body)
        assert (status, answer["FailedEntryCount"]) == (200, 0)
    platform.settle()
    assert orders_of(platform, f"{base}-a") == {}
    assert orders_of(platform, f"{base}-c") == {}
    # A quote inside a value is only text: the order is the sender's.
    assert orders_of(platform, f"{base}-b") == {me: f"CUSTOMER#{me}#ORDER#{base}-b"}
    assert not any(
        other in pk for o in ("a", "b", "c") for pk in orders_of(platform, f"{base}-{o}")
    )
    reasons = [m["body"]["reason"] for m in poisoned(platform, "capture-order")]
    assert any("detail.customerId: Extra inputs are not permitted" in r for r in reasons)


def test_a_body_that_is_not_json_is_refused_as_eventbridge_does(
    platform: LocalPlatform,
) -> None:
    assert platform.upload("[1, 2", raw=True) == (403, "Request blocked.")  # the edge
    status, answer = platform.upload("[1, 2", raw=True, origin=True)

    assert status == 200  # EventBridge's answer, as the integration returns it
    assert answer == {
        "FailedEntryCount": 1,
        "Entries": [{"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}],
    }


def test_an_unknown_route_is_not_found(platform: LocalPlatform) -> None:
    upload = platform.outputs["ingest_api_upload_url"]
    status, answer = platform.post(upload.rsplit("/", 1)[0] + "/nowhere", {})

    assert (status, answer) == (404, {"message": "Not Found"})


def poisoned(platform: LocalPlatform, function: str) -> list[dict[str, Any]]:
    """The poison queue's messages from one function (received, not deleted)."""
    return [
        m
        for m in platform.drain(platform.outputs["poison_queue_url"])
        if m["body"]["function"] == f"platform-local-{function}"
    ]


def test_an_invalid_order_goes_to_the_poison_queue_at_once_with_its_reason(
    platform: LocalPlatform,
) -> None:
    bad = {"orderId": f"bad-{uuid.uuid4().hex[:8]}", "currency": "euros"}
    status, answer = platform.upload(bad)
    assert (status, answer["FailedEntryCount"]) == (200, 0)
    platform.settle()

    messages = [
        m for m in poisoned(platform, "capture-order") if m["body"]["payload"]["detail"] == bad
    ]
    assert len(messages) == 1
    body = messages[0]["body"]
    # The event as EventBridge delivered it, and why it can never succeed: no retry was spent.
    assert body["kind"] == "permanent"
    assert body["payload"]["detail-type"] == "UploadReceived.v3"
    assert "detail.items: Field required" in body["reason"]
    assert messages[0]["attributes"]["function"] == "platform-local-capture-order"
    records = [
        m
        for m in platform.drain(failure_queue(platform, "function:capture-order"))
        if m["body"]["requestPayload"]["detail"] == bad
    ]
    assert records == []  # the failure queue keeps what a redrive can bring back only


def test_a_target_that_cannot_be_reached_sends_the_event_to_its_dlq(
    platform: LocalPlatform,
) -> None:
    notify = "arn:aws:lambda:eu-west-1:123456789012:function:platform-local-notify"
    platform.settle()
    platform.inject({"target": notify, "count": 9})  # the first try and the 8 planned retries
    order_id = f"dlq-{uuid.uuid4().hex[:6]}"
    status, _ = platform.upload(order(order_id))
    assert status == 200
    platform.settle()

    dlq = platform.outputs["dead_letter_queue_urls"]["platform-local-notify/notify"]
    messages = [m for m in platform.drain(dlq) if m["body"]["detail"]["orderId"] == order_id]
    assert len(messages) == 1
    assert messages[0]["body"]["detail-type"] == "UploadReceived.v3"
    assert messages[0]["attributes"] == {
        "ERROR_CODE": "SDK_CLIENT_ERROR",
        "ERROR_MESSAGE": "injected fault: the target did not answer",
        "RULE_ARN": "arn:aws:events:eu-west-1:123456789012:rule/platform-local-events/"
        "platform-local-notify",
        "TARGET_ARN": notify,
    }
    assert stored_orders(platform).get(order_id) == 1  # the other rule's target was reached


def test_a_changed_handler_source_gives_a_cold_start_of_the_new_code(
    platform: LocalPlatform,
) -> None:
    first = f"warm-{uuid.uuid4().hex[:6]}"
    assert platform.upload(order(first))[0] == 200
    platform.settle()
    before = platform.console_text().count("platform-local-capture-order cold")
    source = ROOT / "src" / "handlers" / "capture_order" / "logic.py"
    os.utime(source)  # what saving the file in an editor does to the runtime's view of it
    time.sleep(0.6)  # the sources are looked at at most twice a second
    second = f"reload-{uuid.uuid4().hex[:6]}"
    assert platform.upload(order(second))[0] == 200
    platform.settle()

    console = platform.console_text()
    assert "platform-local-capture-order: code changed, next invocation is a cold start" in console
    assert console.count("platform-local-capture-order cold") == before + 1
    assert stored_orders(platform).get(second) == 1


# --- nothing lost ---------------------------------------------------------------------------


def test_every_event_is_processed_or_in_exactly_one_queue(platform: LocalPlatform) -> None:
    run = uuid.uuid4().hex[:6]
    sent = {f"n{run}-{n:02d}": n % 4 == 3 for n in range(20)}  # every fourth one poisoned
    for order_id, is_poison in sent.items():
        body = {"orderId": order_id, "currency": "EUR"} if is_poison else order(order_id)
        status, answer = platform.upload(body)
        assert (status, answer["FailedEntryCount"]) == (200, 0)
    platform.settle(timeout=90)

    stored = stored_orders(platform)
    parked: dict[str, int] = {}
    for message in poisoned(platform, "capture-order"):
        order_id = message["body"]["payload"]["detail"]["orderId"]
        parked[order_id] = parked.get(order_id, 0) + 1
    failed = platform.drain(failure_queue(platform, "function:capture-order"))
    processed = {o for o in sent if stored.get(o) == 1}
    queued = {o for o in sent if parked.get(o) == 1}
    print(f"sent {len(sent)}: {len(processed)} stored once, {len(queued)} in the poison queue")
    assert processed == {o for o, is_poison in sent.items() if not is_poison}
    assert queued == {o for o, is_poison in sent.items() if is_poison}
    assert not processed & queued
    assert all(stored.get(o, 0) <= 1 and parked.get(o, 0) <= 1 for o in sent)
    assert not [m for m in failed if m["body"]["requestPayload"]["detail"]["orderId"] in sent]


# --- async services -------------------------------------------------------------------------


def answer_item(user: str, question: str, value: Any, at: str) -> dict[str, Any]:
    typed = {"BOOL": value} if isinstance(value, bool) else {"S": str(value)}
    return {
        "pk": {"S": f"USER#{user}"},
        "sk": {"S": f"ANSWER#account-security.v1#{question}"},
        "userId": {"S": user},
        "questionnaireId": {"S": "account-security.v1"},
        "questionId": {"S": question},
        "value": typed,
        "submittedAt": {"S": at},
    }


def test_an_answer_flows_to_a_stored_report(platform: LocalPlatform) -> None:
    user = f"user-{uuid.uuid4().hex[:8]}"
    dynamodb = platform.client("dynamodb")
    dynamodb.put_item(
        TableName=platform.outputs["answers_table_name"],
        Item=answer_item(user, "mfa", True, "2026-11-23T10:00:00+00:00"),
    )

    def report() -> dict[str, Any] | None:
        items = dynamodb.query(
            TableName=platform.outputs["reports_table_name"],
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"USER#{user}"}},
        )["Items"]
        return items[0] if items else None

    stored = wait_for(report, 30, "the report of the answer")
    assert stored["score"]["N"] == "25"  # mfa true: 25 of 100 (README, Security assessment)
    assert stored["level"]["S"] == "critical"
    platform.settle(timeout=90)

    # Report delivery published it to the local Event API (signed with its own credentials):
    # nothing of this user's in its failure queue.
    records = [
        m["body"]
        for m in platform.drain(failure_queue(platform, "function:report-delivery"))
        if m["body"]["requestPayload"]["detail"]["userId"] == user
    ]
    assert records == []
    assert f"publish /reports/{user}: 1 delivered, 0 failed (AWS_IAM)" in platform.console_text()


def test_a_poisoned_record_in_a_stream_batch_is_parked_alone_at_once(
    platform: LocalPlatform,
) -> None:
    run = uuid.uuid4().hex[:6]
    users = [f"s{run}-{n}" for n in range(5)]
    dynamodb = platform.client("dynamodb")
    requests = []
    for n, user in enumerate(users):
        item = answer_item(user, "mfa", True, "2026-11-23T11:00:00+00:00")
        if n == 2:  # the middle one: a question id the contract refuses
            item["questionId"] = {"S": "not a question id!"}
        requests.append({"PutRequest": {"Item": item}})
    dynamodb.batch_write_item(RequestItems={platform.outputs["answers_table_name"]: requests})
    platform.settle(timeout=90)

    parked = [
        m["body"]
        for m in poisoned(platform, "answers-stream")
        if m["body"]["payload"]["dynamodb"]["NewImage"]["userId"]["S"].startswith(f"s{run}-")
    ]
    # The stream record itself, parked with the reason: no retry spent, nothing else held up.
    assert len(parked) == 1
    assert parked[0]["payload"]["dynamodb"]["NewImage"]["userId"]["S"] == users[2]
    assert "questionId: String should match pattern" in parked[0]["reason"]
    stream_queue = platform.outputs["answers_stream_failure_queue_url"]
    assert platform.drain(stream_queue) == []
    # Every good answer was assessed once.
    assessed = platform.client("dynamodb").scan(
        TableName="platform-local-assessments",
        FilterExpression="begins_with(pk, :p)",
        ExpressionAttributeValues={":p": {"S": f"USER#s{run}-"}},
    )["Items"]
    assert sorted(i["pk"]["S"].split("#")[1] for i in assessed) == sorted(
        u for n, u in enumerate(users) if n != 2
    )
