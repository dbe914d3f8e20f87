"""A plan, trimmed to what the local runtime reads, with this checkout's path made portable:
the plan fixture the fast tests start the platform from (``tests/unit/runtime/fixtures/``).

Kept: the region variable, every resource change's address, mode, type and planned values
(``after``, ``after_unknown``, ``actions``; only the first three for the types the runtime
merely counts), the output changes, and of the configuration the
``policy`` expressions that say which ``aws_iam_policy_document`` a policy takes
(``plan.iam``). The checkout's path becomes ``__REPO__`` and the hashes of built files
(``etag``, ``source_hash``, ``source_code_hash``) become ``__HASH__``, so the fixture does not
change when the web app or the package is rebuilt, only when the Terraform does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = "__REPO__"
_HASHES = frozenset({"etag", "source_hash", "source_code_hash"})
# Types the runtime only counts (as not emulated): their planned values are left out.
_COUNTED = frozenset(
    {
        "aws_cloudwatch_metric_alarm",
        "aws_cloudwatch_dashboard",
        "aws_wafv2_web_acl",
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
    result: dict[str, Any] = json.loads(text)
    return result


def load(path: Path, repo: Path) -> dict[str, Any]:
    """A trimmed plan, with ``__REPO__`` made this checkout's path again."""
    text = path.read_text().replace(REPO, str(repo.resolve()))
    result: dict[str, Any] = json.loads(text)
    return result
