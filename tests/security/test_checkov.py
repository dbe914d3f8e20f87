"""checkov on the modules this repository adds for the real-time flow: no failed check, and
every skip carries its reason inline (``#checkov:skip=<id>:<why>``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED_MODULES = ["appsync-events-api", "waf-web-acl"]


def checkov(directory: Path) -> dict[str, Any]:
    binary = shutil.which("checkov")
    if binary is None:
        pytest.fail("checkov is not installed: run `make test` (tox env `security` installs it)")
    result = subprocess.run(
        [
            binary,
            "--directory",
            str(directory),
            "--framework",
            "terraform",
            "--skip-path",
            "examples",
            "--skip-download",  # no Prisma Cloud lookups: works offline, same result
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip(), f"checkov printed nothing:\n{result.stderr[-2000:]}"
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    assert len(reports) == 1, [r.get("check_type") for r in reports]
    data: dict[str, Any] = reports[0]
    return data


@pytest.mark.parametrize("module", SCANNED_MODULES)
def test_module_passes_checkov(module: str) -> None:
    report = checkov(ROOT / "modules" / module)
    failed = [
        f"{c['check_id']} {c['resource']} {c['file_path']}{c['file_line_range']}: {c['check_name']}"
        for c in report["results"]["failed_checks"]
    ]
    assert failed == []
    assert report["results"]["parsing_errors"] == []
    assert report["summary"]["passed"] > 0


@pytest.mark.parametrize("module", SCANNED_MODULES)
def test_every_skip_is_justified_inline(module: str) -> None:
    report = checkov(ROOT / "modules" / module)
    assert report["summary"]["skipped"] == len(report["results"]["skipped_checks"])
    for check in report["results"]["skipped_checks"]:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason.split()) >= 5, f"{check['check_id']} on {check['resource']}: {reason!r}"


def test_checkov_finds_an_unsafe_resource() -> None:
    report = checkov(Path(__file__).parent / "fixtures" / "unsafe")
    failed = {c["check_id"] for c in report["results"]["failed_checks"]}
    assert "CKV_AWS_66" in failed  # log group without retention
