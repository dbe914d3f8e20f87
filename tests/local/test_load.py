"""platform-load against the local platform, as `make load` runs it: 200 subscribers on 4
durable chat channels, 20 publishes a second for 10 s; nothing lost, nothing twice, in seq
order, with latency, the Lambda usage the runtime counted and what it would cost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.local.platform import LocalPlatform

pytestmark = pytest.mark.local


def test_200_subscribers_for_10_seconds_lose_nothing(
    platform: LocalPlatform, tmp_path: Path
) -> None:
    result_file = tmp_path / "load.json"
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "platform_load",
            "--outputs",
            str(platform.out / "outputs.json"),
            "--subscribers",
            "200",
            "--channels",
            "4",
            "--rate",
            "20",
            "--seconds",
            "10",
            "--json",
            str(result_file),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    print(ran.stdout)  # the figures and the cost table, in the suite's report (-rP)
    result = json.loads(result_file.read_text())
    assert (result["subscribed"], result["accepted"]) == (200, 200), result["connection_errors"]
    assert result["expected"] == 200 * 50  # each of 4 channels: 50 events to 50 subscribers
    assert (result["delivered"], result["lost"], result["duplicated"]) == (10_000, 0, 0)
    # durable chat: every event numbered; none behind one published after its answer (two
    # overlapping publishes may be answered, and delivered, in either order, as in AWS)
    assert result["out_of_order"] == 0
    assert isinstance(result["reordered_concurrent"], int)
    latency = result["latency_ms"]
    assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
    assert (result["publish_errors"], result["connection_errors"]) == ({}, {})
    assert result["usage"]["lambda_requests"] >= 200 + 200  # each publish and subscribe
    assert result["usage_note"].startswith("Lambda: counted by the local runtime")
    assert result["usage"]["event_api_operations"] == 200 + 10_000 + 200 + 200
    assert result["cost"]["total_usd"] > 0
    assert result["cost"]["usd_per_million_events"] > 0
    assert "per million events published" in ran.stdout
    assert "t=" in ran.stderr  # a progress line while it ran


def test_a_signed_in_user_can_be_the_load(platform: LocalPlatform, tmp_path: Path) -> None:
    """--auth user: make local's own user, signed in with SRP; subscribes and publishes."""
    result_file = tmp_path / "user.json"
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "platform_load",
            "--outputs",
            str(platform.out / "outputs.json"),
            "--auth",
            "user",
            "--subscribers",
            "20",
            "--channels",
            "2",
            "--rate",
            "10",
            "--seconds",
            "3",
            "--json",
            str(result_file),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    result = json.loads(result_file.read_text())
    assert (result["subscribed"], result["accepted"]) == (20, 30)
    assert (result["delivered"], result["lost"], result["duplicated"]) == (300, 0, 0)
