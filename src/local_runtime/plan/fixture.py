"""A plan, trimmed to what the local runtime reads, with this checkout's path made portable:
the plan fixture the fast tests start the platform from (``tests/unit/runtime/fixtures/``).

Kept: the region variable, every resource change's address, mode, type and planned values
(``after``, ``after_unknown``, ``actions``; only the first three for the types the runtime
merely counts), the output changes, and of the configuration the
``policy`` expressions that say which ``aws_iam_policy_document`` a policy takes
(``plan.iam``). The checkout's path becomes ``__REPO__`` and the hashes of built files
(``etag``, ``source_hash``, ``source_code_hash``) become ``__HASH__``, so the fixture does not
change when the web app or the package is rebuilt, only when the Terraform does. Moments
the plan derives from ``plantimestamp()`` (the API key's issue hour and its expiry) become
``__PLAN_HOUR__+<seconds>``, read back against the hour the fixture is loaded in, so the
fixture does not change with the hour it was planned in and its API key never expires.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = "__REPO__"
PLAN_HOUR = "__PLAN_HOUR__"
# A whole-hour RFC 3339 moment, as a JSON string (formatdate("YYYY-MM-DD'T'hh:00:00Z", ...)).
_HOUR = re.compile(r'"(\d{4}-\d{2}-\d{2}T\d{2}:00:00Z)"')
_RELATIVE = re.compile(re.escape(PLAN_HOUR) + r"\+(\d+)")
_HASHES = frozenset({"etag", "source_hash", "source_code_hash"})
# Types the runtime only counts (as not emulated): their planned values are left out.
_COUNTED = frozenset(
    {
        "aws_cloudwatch_metric_alarm",
        "aws_cloudwatch_dashboard",
        "aws_wafv2_web_acl_association",
        "aws_wafv2_web_acl_logging_configuration",
        "aws_lambda_permission",
        "aws_sqs_queue_policy",
        "aws_sns_topic_policy",
    }
)


def _module(module: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    resources = [
        {"address": r["address"], "expressions": {"policy": r["expressions"]["policy"]}}
        for r in module.get("resources") or []
        if "policy" in (r.get("expressions") or {})
    ]
    if resources:
        kept["resources"] = resources
    calls = {
        name: {"module": _module(call.get("module") or {})}
        for name, call in (module.get("module_calls") or {}).items()
    }
    calls = {name: call for name, call in calls.items() if call["module"]}
    if calls:
        kept["module_calls"] = calls
    return kept


def _without_hashes(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: "__HASH__" if k in _HASHES and isinstance(v, str) else _without_hashes(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_without_hashes(v) for v in value]
    return value


def _plan_hour(raw: dict[str, Any]) -> datetime | None:
    stamp = raw.get("timestamp")
    if not isinstance(stamp, str):
        return None
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


def _relative_to(hour: datetime, text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        moment = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
        seconds = int((moment - hour).total_seconds())
        # only moments the plan derives from its own time: from its hour up to ten years on
        if 0 <= seconds <= 10 * 366 * 86400:
            return f'"{PLAN_HOUR}+{seconds}"'
        return match.group(0)

    return _HOUR.sub(replace, text)


def _absolute(hour: datetime, text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        moment = hour + timedelta(seconds=int(match.group(1)))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    return _RELATIVE.sub(replace, text)


def trim(raw: dict[str, Any], repo: Path) -> dict[str, Any]:
    """``raw`` (``terraform show -json``) reduced to what the runtime reads."""
    changes = [
        {
            "address": r["address"],
            "mode": r["mode"],
            "type": r["type"],
            "change": {
                "actions": r["change"]["actions"],
                "after": {} if r["type"] in _COUNTED else _without_hashes(r["change"].get("after")),
                "after_unknown": {}
                if r["type"] in _COUNTED
                else r["change"].get("after_unknown") or {},
            },
        }
        for r in raw.get("resource_changes") or []
    ]
    trimmed = {
        "variables": {"region": (raw.get("variables") or {}).get("region")},
        "resource_changes": changes,
        "output_changes": raw.get("output_changes") or {},
        "configuration": {
            "root_module": _module((raw.get("configuration") or {}).get("root_module") or {})
        },
    }
    text = json.dumps(trimmed, indent=1, sort_keys=True).replace(str(repo.resolve()), REPO)
    hour = _plan_hour(raw)
    if hour is not None:
        text = _relative_to(hour, text)
    result: dict[str, Any] = json.loads(text)
    return result


def load(path: Path, repo: Path) -> dict[str, Any]:
    """A trimmed plan, with ``__REPO__`` made this checkout's path again and its moments
    relative to the plan's hour made relative to this one."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    text = _absolute(now, path.read_text().replace(REPO, str(repo.resolve())))
    result: dict[str, Any] = json.loads(text)
    return result
