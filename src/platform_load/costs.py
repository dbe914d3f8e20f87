"""What a run's traffic would cost in AWS: usage counters times the list prices in
``prices.json`` (dated, each with its page), per component and per million events.

The counters are what AWS bills: Event API operations (each publish taken, each event
delivered to a subscriber, each connect and subscribe) and connection-minutes; Lambda requests
and GB-seconds (billed duration times memory, arm64); HTTP API requests; EventBridge events
put; DynamoDB on-demand read and write units; SQS requests. Free tiers are left out, so a
small run costs a little more here than on a new account's bill.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PRICES = Path(__file__).with_name("prices.json")


class Usage(BaseModel):
    """What a run used, in the units AWS bills."""

    model_config = ConfigDict(extra="forbid")

    event_api_operations: int = Field(0, ge=0)
    event_api_connection_minutes: float = Field(0.0, ge=0)
    lambda_requests: int = Field(0, ge=0)
    lambda_gb_seconds: float = Field(0.0, ge=0)
    http_api_requests: int = Field(0, ge=0)
    eventbridge_events: int = Field(0, ge=0)
    dynamodb_write_units: float = Field(0.0, ge=0)
    dynamodb_read_units: float = Field(0.0, ge=0)
    sqs_requests: int = Field(0, ge=0)


class CostLine(BaseModel):
    component: str
    quantity: float
    unit: str
    price: float  # USD per unit as below
    per: int  # the price is per this many units
    usd: float


class Cost(BaseModel):
    region: str
    as_of: str
    lines: list[CostLine]
    total_usd: float
    events: int
    usd_per_million_events: float | None
    sources: dict[str, str]
    note: str


# component, the Usage field, its unit, the price's key in prices.json, per how many units
_LINES: tuple[tuple[str, str, str, str, int], ...] = (
    (
        "Event API operations",
        "event_api_operations",
        "operations",
        "eventApiOperationsPerMillion",
        1_000_000,
    ),
    (
        "Event API connections",
        "event_api_connection_minutes",
        "connection-minutes",
        "eventApiConnectionMinutesPerMillion",
        1_000_000,
    ),
    ("Lambda requests", "lambda_requests", "requests", "lambdaRequestsPerMillion", 1_000_000),
    ("Lambda compute (arm64)", "lambda_gb_seconds", "GB-seconds", "lambdaArm64GbSecond", 1),
    ("HTTP API", "http_api_requests", "requests", "httpApiRequestsPerMillion", 1_000_000),
    ("EventBridge", "eventbridge_events", "events", "eventBridgeEventsPerMillion", 1_000_000),
    (
        "DynamoDB writes",
        "dynamodb_write_units",
        "write units",
        "dynamodbWriteUnitsPerMillion",
        1_000_000,
    ),
    (
        "DynamoDB reads",
        "dynamodb_read_units",
        "read units",
        "dynamodbReadUnitsPerMillion",
        1_000_000,
    ),
    ("SQS", "sqs_requests", "requests", "sqsRequestsPerMillion", 1_000_000),
)


class PriceError(ValueError):
    """No prices for the region asked for; the message names the ones there are."""


@cache
def price_list() -> dict[str, Any]:
    prices: dict[str, Any] = json.loads(PRICES.read_text())
    return prices


def estimate(usage: Usage, region: str, events: int) -> Cost:
    """What ``usage`` costs in ``region``; ``events`` (published) for the cost per million."""
    prices = price_list()
    table = prices["regions"].get(region)
    if table is None:
        known = ", ".join(sorted(prices["regions"]))
        raise PriceError(f"no prices for {region} in {PRICES.name}; there are: {known}")
    lines = []
    for component, field, unit, key, per in _LINES:
        quantity = float(getattr(usage, field))
        price = float(table[key])
        lines.append(
            CostLine(
                component=component,
                quantity=quantity,
                unit=unit,
                price=price,
                per=per,
                usd=quantity * price / per,
            )
        )
    total = sum(line.usd for line in lines)
    return Cost(
        region=region,
        as_of=prices["asOf"],
        lines=lines,
        total_usd=total,
        events=events,
        usd_per_million_events=total / events * 1_000_000 if events else None,
        sources=prices["sources"],
        note=prices["note"],
    )


def render(cost: Cost) -> str:
    """The estimate as a table for a terminal."""
    rows = [f"What this traffic would cost in AWS ({cost.region}, list prices of {cost.as_of}):"]
    for line in cost.lines:
        if line.quantity:
            per = "" if line.per == 1 else f" per {line.per:,}"
            rows.append(
                f"  {line.component:<24} {line.quantity:>14,.2f} {line.unit:<18} "
                f"x ${_price(line.price)}{per} = ${line.usd:.6f}"
            )
    rows.append(f"  {'total':<24} ${cost.total_usd:.6f}")
    if cost.usd_per_million_events is not None:
        rows.append(f"  per million events published: ${cost.usd_per_million_events:.2f}")
    rows.append(f"  ({cost.note})")
    return "\n".join(rows)


def _price(value: float) -> str:
    """A price as written on AWS's pages: 0.0000133334, not 1.33334e-05."""
    return f"{value:.10f}".rstrip("0").rstrip(".")
