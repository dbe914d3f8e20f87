"""The capacity plan: settings read from a plan, and each limit against hand-worked figures."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from platform_load.capacity import (
    CapacityError,
    RateRule,
    Settings,
    Traffic,
    account_concurrency,
    limits,
    quotas,
    settings_from_plan,
)
from platform_load.cli import main

FIXTURE = Path(__file__).parents[1] / "runtime" / "fixtures" / "local-plan.json"
ROOT = Path(__file__).parents[3]


def test_settings_come_from_the_plan() -> None:
    settings = settings_from_plan(json.loads(FIXTURE.read_text()))
    assert settings.region == "eu-west-1"
    assert settings.channel_handler == "channels"
    assert settings.reserved["channels"] == 100
    assert settings.reserved["notify"] == 10
    assert sorted(settings.upload_targets) == ["capture_order", "notify"]
    assert settings.stage_rate == 50
    assert settings.realtime_per_ip == RateRule(limit=1000, window_seconds=300)
    assert settings.edge_per_ip == RateRule(limit=2000, window_seconds=300)
    assert settings.edge_uploads_per_caller == RateRule(limit=300, window_seconds=300)
    assert settings.durable_channels


def test_not_a_plan_is_named() -> None:
    with pytest.raises(CapacityError, match="resource_changes"):
        settings_from_plan({"values": {}})


SETTINGS = Settings(
    region="us-east-1",
    reserved={"channels": 10, "notify": 2, "capture_order": 4, "security": None},
    channel_handler="channels",
    upload_targets=["capture_order", "notify"],
    durable_channels=True,
    stage_rate=25,
    realtime_per_ip=RateRule(limit=1000, window_seconds=300),
    edge_per_ip=RateRule(limit=2000, window_seconds=300),
    edge_uploads_per_caller=RateRule(limit=300, window_seconds=300),
)
TRAFFIC = Traffic(
    publishes=400, subscribers=2000, channels=20, uploads=30, handler_ms=40, sources=100
)


def test_each_limit_against_hand_worked_figures() -> None:
    quota = quotas("us-east-1", {"eventapi.inbound": 1000, "eventapi.outbound": 50_000})
    found = {limit.name: limit for limit in limits(SETTINGS, TRAFFIC, quota)}
    by_start = {name.split(":")[0].split(" (")[0]: limit for name, limit in found.items()}
    # 10 workers, 40 ms each: 250 publishes a second
    assert by_start["channel handler"].binds_at == pytest.approx(250)
    assert by_start["channel handler"].headroom == pytest.approx(0.625)
    # 50,000 deliveries a second over 2,000 / 20 = 100 subscribers a channel: 500 publishes
    outbound = found["Event API outbound messages (deliveries) per second, per API"]
    assert outbound.binds_at == pytest.approx(500)
    assert found["Event API inbound messages (publishes) per second, per API"].binds_at == 1000
    # 100 addresses x 1,000 per 300 s
    assert by_start["Event API WAF"].binds_at == pytest.approx(1000 / 3)
    # 20 channels, each a partition key of 1,000 write units a second, 3 units an event
    assert by_start["durable channels"].binds_at == pytest.approx(20 * 1000 / 3)
    assert by_start["ingest stage throttle"].binds_at == 25
    assert by_start["notify"].binds_at == pytest.approx(50)  # 2 / 0.04 s
    assert by_start["capture_order"].binds_at == pytest.approx(100)
    # us-east-1: 18,750 invocations a second, two targets an upload
    invocations = found["EventBridge target invocations per second (account, per Region)"]
    assert invocations.binds_at == pytest.approx(9375)
    assert found["EventBridge PutEvents requests per second (account, per Region)"].binds_at == (
        10_000
    )
    assert found["edge WAF: 2000 per address per 300 s"].binds_at == pytest.approx(2000 / 3)
    assert found["edge WAF: 300 uploads per caller per 300 s"].binds_at == pytest.approx(100)
    first = next(iter(found.values()))
    assert first.name.startswith("channel handler")
    unchecked = found["Event API concurrent WebSocket connections, per API"]
    assert unchecked.binds_at is None
    assert unchecked.headroom is None
    assert list(found)[-1] == unchecked.name  # not checked: listed last, never "first"


def test_no_uploads_asked_no_upload_limits() -> None:
    quiet = TRAFFIC.model_copy(update={"uploads": 0.0})
    names = [limit.name for limit in limits(SETTINGS, quiet, quotas("us-east-1"))]
    assert not any("upload" in name or "ingest" in name or "notify" in name for name in names)


def test_a_region_without_a_checked_value_stays_unknown() -> None:
    assert quotas("eu-west-1")["eventbridge.putevents"]["value"] is None
    assert quotas("us-east-1")["eventbridge.putevents"]["value"] == 10_000
    with pytest.raises(CapacityError, match="no quota named nope"):
        quotas("us-east-1", {"nope": 1})


def test_account_concurrency_sums_what_is_reserved() -> None:
    account = account_concurrency(SETTINGS, quotas("us-east-1"))
    assert account == {
        "reserved": 16,
        "reservable": 900,
        "fits": True,
        "source": "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
    }


def test_cli_plan_prints_and_writes_json(tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "plan.json"
    code = main(
        [
            "--plan",
            "--terraform-plan",
            str(FIXTURE),
            "--rate",
            "5000",
            "--subscribers",
            "100000",
            "--channels",
            "1000",
            "--uploads",
            "500",
            "--json",
            str(target),
        ],
        out=out,
    )
    assert code == 0
    result = json.loads(target.read_text())
    # 500 uploads/s against the stage's 50/s: exceeded tenfold
    assert result["binds_first"].startswith("ingest stage throttle")
    assert result["limits"][0]["headroom"] == pytest.approx(0.1)
    assert "eventapi.inbound" in result["not_checked"]
    assert "already exceeded: ingest stage throttle" in out.getvalue()


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--quota", "eventapi.inbound=lots"], "give NAME=VALUE with a positive number"),
        (["--rate", "0"], "--rate: input should be greater than 0"),
        (["--terraform-plan", "/nonexistent.json"], "/nonexistent.json does not exist"),
    ],
)
def test_cli_plan_names_bad_input(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = [] if "--terraform-plan" in argv else ["--terraform-plan", str(FIXTURE)]
    assert main(["--plan", *plan, *argv], out=io.StringIO()) == 2
    assert says in capsys.readouterr().err


def test_the_readme_capacity_table_is_generated() -> None:
    checked = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "capacity_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
