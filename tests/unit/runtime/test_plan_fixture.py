"""The plan fixture: a plan trimmed to what the runtime reads, its checkout path and built
files' hashes made portable, read back for this checkout."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from local_runtime.plan.changes import Plan
from local_runtime.plan.fixture import load, trim


def test_a_plan_is_trimmed_and_read_back(tmp_path: Path) -> None:
    repo = tmp_path / "checkout"
    raw = {
        "format_version": "1.2",
        "variables": {"region": {"value": "eu-west-1"}, "lambda_zip": {"value": "x"}},
        "planned_values": {"huge": True},
        "resource_changes": [
            {
                "address": "aws_s3_object.index",
                "mode": "managed",
                "type": "aws_s3_object",
                "name": "index",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": {"source": f"{repo}/dist/web/index.html", "etag": "9f86d08"},
                    "after_unknown": {"id": True},
                },
            },
            {
                "address": "aws_cloudwatch_metric_alarm.errors",
                "mode": "managed",
                "type": "aws_cloudwatch_metric_alarm",
                "change": {"actions": ["create"], "after": {"alarm_name": "big"}},
            },
        ],
        "configuration": {
            "root_module": {
                "resources": [
                    {"address": "aws_sqs_queue.q", "expressions": {"name": {}}},
                    {
                        "address": "aws_iam_role_policy.p",
                        "expressions": {"policy": {"references": ["data.x.json"]}},
                    },
                ],
                "module_calls": {"empty": {"module": {"resources": []}}},
            }
        },
    }
    trimmed = trim(raw, repo)
    assert set(trimmed) == {"variables", "resource_changes", "output_changes", "configuration"}
    s3, alarm = trimmed["resource_changes"]
    assert s3["change"]["after"] == {"source": "__REPO__/dist/web/index.html", "etag": "__HASH__"}
    assert s3["change"]["after_unknown"] == {"id": True}
    assert alarm["change"] == {"actions": ["create"], "after": {}, "after_unknown": {}}
    assert trimmed["configuration"]["root_module"] == {
        "resources": [
            {
                "address": "aws_iam_role_policy.p",
                "expressions": {"policy": {"references": ["data.x.json"]}},
            }
        ]
    }
    fixture = tmp_path / "plan.json"
    fixture.write_text(json.dumps(trimmed))
    elsewhere = tmp_path / "elsewhere"
    read = Plan(load(fixture, elsewhere))
    assert read.region == "eu-west-1"
    assert read.of_type("aws_s3_object")[0]["change"]["after"]["source"] == (
        f"{elsewhere.resolve()}/dist/web/index.html"
    )


def test_moments_from_the_plan_time_follow_the_hour_the_fixture_is_read_in(
    tmp_path: Path,
) -> None:
    raw = {
        "timestamp": "2026-12-05T01:23:45Z",
        "resource_changes": [
            {
                "address": "terraform_data.issued[0]",
                "mode": "managed",
                "type": "terraform_data",
                "change": {"actions": ["create"], "after": {"input": "2026-12-05T01:00:00Z"}},
            },
            {
                "address": "aws_appsync_api_key.this[0]",
                "mode": "managed",
                "type": "aws_appsync_api_key",
                "change": {
                    "actions": ["create"],
                    "after": {"expires": "2027-03-05T01:00:00Z", "note": "2020-01-01T00:00:00Z"},
                },
            },
        ],
    }
    trimmed = trim(raw, tmp_path)
    issued, key = (r["change"]["after"] for r in trimmed["resource_changes"])
    assert issued == {"input": "__PLAN_HOUR__+0"}
    assert key == {"expires": f"__PLAN_HOUR__+{90 * 86400}", "note": "2020-01-01T00:00:00Z"}
    replanned = trim({**raw, "timestamp": "2026-12-05T02:00:01Z"}, tmp_path)
    assert replanned["resource_changes"][0]["change"]["after"]["input"] != issued["input"]
    fixture = tmp_path / "plan.json"
    fixture.write_text(json.dumps(trimmed))
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    read = load(fixture, tmp_path)
    after = read["resource_changes"][1]["change"]["after"]
    assert read["resource_changes"][0]["change"]["after"]["input"] in {
        f"{h:%Y-%m-%dT%H}:00:00Z" for h in (hour, hour + timedelta(hours=1))
    }
    expires = datetime.fromisoformat(after["expires"].replace("Z", "+00:00"))
    assert timedelta(days=90) <= expires - hour <= timedelta(days=90, hours=1)
    assert after["note"] == "2020-01-01T00:00:00Z"
