"""capture_order: real-shaped EventBridge events, DynamoDB through moto in process."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from moto import mock_aws

from handlers.capture_order import handler as capture
from handlers.capture_order.settings import get_settings
from handlers.common.events import InvalidEventError
from tests.unit.aws import create_table
from tests.unit.conftest import log_records, metric_values

TABLE = "orders-test"
CUSTOMER = "0f1e2d3c-4b5a-4697-8877-665544332211"
KEY = {"pk": f"CUSTOMER#{CUSTOMER}#ORDER#ord-1001"}


@pytest.fixture
def orders_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("ORDERS_TABLE_NAME", TABLE)
    get_settings.cache_clear()
    with mock_aws():
        yield create_table(TABLE, range_key=False)
    get_settings.cache_clear()


def test_stores_the_order(
    orders_table: Any,
    upload_event: dict[str, Any],
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = capture.lambda_handler(upload_event, lambda_context)

    assert result == {"orderId": "ord-1001", "created": True}
    item = orders_table.get_item(Key=KEY)["Item"]
    assert item["customerId"] == CUSTOMER
    assert item["total"] == Decimal("28.00")
    assert item["items"][0] == {"sku": "BOOK-1", "quantity": 2, "unitPrice": Decimal("12.50")}
    assert item["eventId"] == upload_event["id"]
    assert item["receivedAt"] == "2026-11-22T09:30:00+00:00"
    out = capsys.readouterr().out
    assert metric_values(out) == {"OrdersCaptured": 1}
    logs = log_records(out)
    assert logs[-1]["correlation_id"] == upload_event["id"]
    assert logs[-1]["order_id"] == "ord-1001"


def test_redelivered_event_creates_no_second_order(
    orders_table: Any,
    upload_event: dict[str, Any],
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = capture.lambda_handler(upload_event, lambda_context)
    # EventBridge redelivers the same event; a client retry carries a new id, same orderId.
    again = capture.lambda_handler(upload_event, lambda_context)
    retried = dict(upload_event, id="0c7d8f0e-1111-4a4a-9b9b-123456789abc")
    retried_result = capture.lambda_handler(retried, lambda_context)

    assert first["created"] is True
    assert again == {"orderId": "ord-1001", "created": False}
    assert retried_result["created"] is False
    items = orders_table.scan()["Items"]
    assert len(items) == 1
    assert items[0]["eventId"] == upload_event["id"]
    assert metric_values(capsys.readouterr().out) == {"OrdersCaptured": 1, "DuplicateUploads": 2}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e["detail"].pop("orderId"), "detail.orderId: Field required"),
        (lambda e: e["detail"].update(items=[]), "detail.items: List should have at least"),
        (lambda e: e["detail"]["items"][0].update(quantity="two"), "detail.items.0.quantity"),
        (lambda e: e["detail"]["items"][1].update(unitPrice=-1), "detail.items.1.unitPrice"),
        (lambda e: e["detail"].update(currency="euro"), "detail.currency"),
        (lambda e: e["detail"].update(discount=5), "detail.discount: Extra inputs are not"),
        # The customer is the token's subject (the event's resource), never a field of the body.
        (
            lambda e: e["detail"].update(customerId="someone-else"),
            "detail.customerId: Extra inputs are not permitted",
        ),
        (lambda e: e.update(resources=[]), "resources: expected one customer/<id>, got []"),
        (
            lambda e: e.update(resources=["customer/a", "customer/b"]),
            "resources: expected one customer/<id>",
        ),
        (lambda e: e.update(resources=["user/a"]), "resources: expected one customer/<id>"),
        (lambda e: e.update(resources=["customer/"]), "resources[0]: String should match pattern"),
        # A sub with a quote or a comma is no customer id, whatever API Gateway made of it.
        (lambda e: e.update(resources=['customer/a"b']), "resources[0]: String should match"),
        (lambda e: e.update(resources=["customer/a,b"]), "resources[0]: String should match"),
    ],
    ids=[
        "missing-order-id",
        "no-items",
        "quantity-not-int",
        "negative-price",
        "bad-currency",
        "unknown-field",
        "customer-in-body",
        "no-customer",
        "two-customers",
        "another-resource",
        "empty-customer",
        "customer-with-a-quote",
        "customer-with-a-comma",
    ],
)
def test_invalid_detail_is_logged_counted_and_raised(
    orders_table: Any,
    upload_event: dict[str, Any],
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
    mutate: Any,
    field: str,
) -> None:
    mutate(upload_event)

    with pytest.raises(InvalidEventError) as caught:
        capture.lambda_handler(upload_event, lambda_context)

    assert field in str(caught.value)
    assert orders_table.scan()["Count"] == 0
    out = capsys.readouterr().out
    assert metric_values(out) == {"InvalidUploads": 1}
    errors = [r for r in log_records(out) if r["level"] == "ERROR"]
    assert errors
    assert any(field in p for p in errors[0]["problems"])


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ("just text", "detail: expected a JSON object, got str"),
        ([1, 2, 3], "detail: expected a JSON object, got list"),
        (None, "detail"),
    ],
    ids=["string-body", "array-body", "null-body"],
)
def test_non_object_body_is_rejected(
    orders_table: Any,
    upload_event: dict[str, Any],
    lambda_context: Any,
    detail: Any,
    expected: str,
) -> None:
    upload_event["detail"] = detail
    with pytest.raises(InvalidEventError, match=expected):
        capture.lambda_handler(upload_event, lambda_context)
    assert orders_table.scan()["Count"] == 0


def test_two_customers_with_the_same_order_id_get_two_orders(
    orders_table: Any, upload_event: dict[str, Any], lambda_context: Any
) -> None:
    other = dict(upload_event, id="0c7d8f0e-2222-4a4a-9b9b-123456789abc")
    other["resources"] = ["customer/someone-else"]

    assert capture.lambda_handler(upload_event, lambda_context)["created"] is True
    assert capture.lambda_handler(other, lambda_context)["created"] is True

    items = {i["pk"]: i for i in orders_table.scan()["Items"]}
    assert sorted(items) == [
        "CUSTOMER#0f1e2d3c-4b5a-4697-8877-665544332211#ORDER#ord-1001",
        "CUSTOMER#someone-else#ORDER#ord-1001",
    ]
    assert {i["customerId"] for i in items.values()} == {CUSTOMER, "someone-else"}


def test_event_of_another_contract_is_rejected(
    orders_table: Any, upload_event: dict[str, Any], lambda_context: Any
) -> None:
    upload_event["detail-type"] = "SomethingElse.v1"
    upload_event["source"] = "someone.else"
    with pytest.raises(InvalidEventError) as caught:
        capture.lambda_handler(upload_event, lambda_context)
    assert "source: expected 'platform.ingest'" in str(caught.value)
    assert "detail-type: expected 'UploadReceived.v3'" in str(caught.value)


def test_missing_table_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, upload_event: dict[str, Any], lambda_context: Any
) -> None:
    monkeypatch.delenv("ORDERS_TABLE_NAME", raising=False)
    get_settings.cache_clear()
    with pytest.raises(RuntimeError, match="ORDERS_TABLE_NAME: Field required"):
        capture.lambda_handler(upload_event, lambda_context)
    get_settings.cache_clear()
