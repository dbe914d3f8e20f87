"""The cost estimate's arithmetic on fixed counters, against figures worked out by hand."""

from __future__ import annotations

import re

import pytest

from platform_load.costs import PriceError, Usage, estimate, price_list, render

USAGE = Usage(
    event_api_operations=2_500_000,
    event_api_connection_minutes=1_000_000,
    lambda_requests=500_000,
    lambda_gb_seconds=1_250,  # 500,000 invocations x 10 ms x 0.25 GB
    http_api_requests=100_000,
    eventbridge_events=200_000,
    dynamodb_write_units=1_000_000,
    dynamodb_read_units=400_000,
    sqs_requests=50_000,
)


def test_each_component_and_the_total_match_the_hand_worked_figures() -> None:
    cost = estimate(USAGE, "us-east-1", events=500_000)
    by_component = {line.component: round(line.usd, 8) for line in cost.lines}
    assert by_component == {
        "Event API operations": 2.5,  # 2.5 M x $1.00 per M
        "Event API connections": 0.08,  # 1 M minutes x $0.08 per M
        "Lambda requests": 0.1,  # 0.5 M x $0.20 per M
        "Lambda compute (arm64)": 0.01666675,  # 1,250 GB-s x $0.0000133334
        "HTTP API": 0.1,
        "EventBridge": 0.2,
        "DynamoDB writes": 0.625,
        "DynamoDB reads": 0.05,
        "SQS": 0.02,
    }
    assert round(cost.total_usd, 8) == 3.69166675
    assert cost.usd_per_million_events is not None
    assert cost.usd_per_million_events == pytest.approx(7.3833335)  # 0.5 M events: doubled


def test_a_region_prices_differently_and_an_unknown_one_is_named() -> None:
    ireland = estimate(Usage(http_api_requests=1_000_000), "eu-west-1", events=0)
    assert round(ireland.total_usd, 6) == 1.11
    assert ireland.usd_per_million_events is None
    with pytest.raises(PriceError, match=r"no prices for ap-south-2 .*there are: eu-west-1, us"):
        estimate(USAGE, "ap-south-2", events=1)


def test_prices_are_dated_and_every_region_prices_every_component() -> None:
    prices = price_list()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", prices["asOf"])
    assert all(url.startswith("https://aws.amazon.com/") for url in prices["sources"].values())
    keys = {frozenset(table) for table in prices["regions"].values()}
    assert len(keys) == 1
    assert all(value > 0 for table in prices["regions"].values() for value in table.values())


def test_the_table_shows_what_was_used_and_the_total() -> None:
    text = render(estimate(USAGE, "us-east-1", events=500_000))
    assert "Event API operations" in text
    assert "total                    $3.691667" in text
    assert "per million events published: $7.38" in text
