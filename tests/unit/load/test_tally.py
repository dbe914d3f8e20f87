"""The load tool's tally: delivered, lost, duplicated, out of order, latency; and its refusals."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from platform_load.cli import main
from platform_load.tally import Tally, percentile
from platform_load.usage import usage_of


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (
        50.0,
        99.0,
        100.0,
    )
    assert percentile([], 0.5) is None


def test_each_subscriber_is_held_to_every_event_of_its_channel() -> None:
    tally = Tally()
    tally.subscribe(0, "/chat/a")
    tally.subscribe(1, "/chat/a")
    tally.subscribe(2, "/chat/b")
    # e0 answered before e1 was sent: e1 must not arrive first
    for n, (channel, sent, answered) in enumerate(
        [("/chat/a", 10.0, 10.004), ("/chat/a", 10.005, 10.009), ("/chat/b", 10.0, 10.001)]
    ):
        tally.accepted(f"e{n}", channel, sent_at=sent)
        tally.answered[f"e{n}"] = answered
    tally.receive(0, {"clientMessageId": "e0", "seq": 1}, at=10.010)
    tally.receive(0, {"clientMessageId": "e1", "seq": 2}, at=10.020)
    tally.receive(0, {"clientMessageId": "e1", "seq": 2}, at=10.030)  # again: a duplicate
    tally.receive(1, {"clientMessageId": "e1", "seq": 2}, at=10.040)
    tally.receive(1, {"clientMessageId": "e0", "seq": 1}, at=10.050)  # behind seq 2
    tally.receive(2, {"text": "not ours"}, at=10.0)
    figures = tally.figures()
    assert (figures["expected"], figures["delivered"], figures["lost"]) == (5, 4, 1)
    assert (figures["duplicated"], figures["out_of_order"], tally.unknown) == (1, 1, 1)
    assert figures["reordered_concurrent"] == 0
    # first arrivals only: 10, 15, 35 and 50 ms; nearest rank p50 is the 2nd of 4
    assert figures["latency_ms"] == {"p50": 15.0, "p95": 50.0, "p99": 50.0, "max": 50.0}


def test_overlapping_publishes_owe_no_order() -> None:
    tally = Tally()
    tally.subscribe(0, "/chat/a")
    tally.accepted("e0", "/chat/a", sent_at=1.000)
    tally.accepted("e1", "/chat/a", sent_at=1.002)  # sent while e0 was in flight
    tally.receive(0, {"clientMessageId": "e1", "seq": 2}, at=1.010)
    tally.receive(0, {"clientMessageId": "e0", "seq": 1}, at=1.011)  # before its answer
    tally.answered.update({"e0": 1.012, "e1": 1.013})
    tally.accepted("e2", "/chat/a", sent_at=1.001)
    tally.answered["e2"] = 1.0015  # answered before e1 was sent: owed its place
    tally.receive(0, {"clientMessageId": "e2", "seq": 1}, at=1.020)
    figures = tally.figures()
    assert (figures["reordered_concurrent"], figures["out_of_order"]) == (1, 1)


def test_order_is_not_judged_without_seq() -> None:
    tally = Tally()
    tally.subscribe(0, "/chat/a")
    tally.accepted("e0", "/chat/a", 0.0)
    tally.receive(0, {"clientMessageId": "e0"}, 0.001)
    assert tally.figures()["out_of_order"] is None


def test_the_usage_of_a_durable_run() -> None:
    usage, how = usage_of(
        accepted=100,
        delivered=2_000,
        connections=20,
        subscriptions=20,
        connection_seconds=20 * 30,
        durable=True,
    )
    assert usage.event_api_operations == 100 + 2_000 + 20 + 20
    assert usage.event_api_connection_minutes == 10
    assert (usage.lambda_requests, usage.lambda_gb_seconds) == (120, 120 * 0.01 * 0.25)
    assert (usage.dynamodb_write_units, usage.dynamodb_read_units) == (500, 100)
    assert "assumed" in how
    counted, how = usage_of(
        accepted=1,
        delivered=1,
        connections=1,
        subscriptions=1,
        connection_seconds=60,
        durable=False,
        lambda_before={"f": (10, 1_000, 256)},
        lambda_after={"f": (14, 3_048, 256), "g": (2, 1_024, 1024)},
    )
    # f: 2,048 ms at 0.25 GB; g: 1,024 ms at 1 GB
    assert counted.lambda_requests == 6
    assert counted.lambda_gb_seconds == pytest.approx(0.512 + 1.024)
    assert counted.dynamodb_write_units == 0
    assert "counted" in how


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["--host", "abc.appsync-api.eu-west-1.amazonaws.com", "--api-key", "k"],
            "is not on this machine",
        ),
        (
            ["--host", "127.0.0.1:9", "--subscribers", "0", "--api-key", "k"],
            "--subscribers must be 1-10,000",
        ),
        (["--host", "127.0.0.1:9", "--rate", "9000", "--api-key", "k"], "at most 5,000 a second"),
        (["--outputs", "/nowhere/outputs.json"], "does not exist: start `make local`"),
        (["--host", "127.0.0.1:9", "--api-key", "k", "--region", "mars-1"], "no prices for mars-1"),
    ],
)
def test_what_it_refuses_before_any_connection(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv, out=io.StringIO()) == 2
    assert words in capsys.readouterr().err


def test_default_outputs_pointing_elsewhere_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "dist" / "local").mkdir(parents=True)
    (tmp_path / "dist" / "local" / "outputs.json").write_text(
        json.dumps({"realtime_http_dns": {"value": "abc.appsync-api.us-east-1.amazonaws.com"}})
    )
    monkeypatch.chdir(tmp_path)
    assert main([], out=io.StringIO()) == 2
    assert "pass a deployment's outputs explicitly" in capsys.readouterr().err
