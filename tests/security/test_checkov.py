"""checkov over the whole platform, in both of its modes:

- source mode: the root and every module, as written; every skip carries its reason inline
  (``#checkov:skip=<id>:<why>``);
- plan mode: the root's plan JSON, where inputs are resolved (an unset key input is "set" in
  source mode, and null in the plan), with the inline skips applied through
  ``--repo-root-for-plan-enrichment``. A hardened plan (the platform's own KMS key, code
  signing, a web ACL and access logs for the web app) has no finding; the default plan has
  exactly the findings those inputs turn off, which also proves the scan still finds holes.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tf_cli_config import terraform_env  # tools/ (pytest's pythonpath)

ROOT = Path(__file__).resolve().parents[2]
SCANNED = [*sorted(p.name for p in (ROOT / "modules").iterdir() if p.is_dir()), "terraform"]


# Opt-in hardening the defaults leave to inputs (README "Security model"): each one names the
# input that turns it on.
OPT_IN = {
    "CKV_AWS_119": "kms (DynamoDB tables with the platform's key)",
    "CKV_AWS_158": "kms (log groups with the platform's key)",
    "CKV_AWS_272": "code_signing",
    "CKV_AWS_86": "web.access_logs",
    "CKV_AWS_297": "kms (the presence sweep's schedule with the platform's key)",
}
# The key given by ARN: a key made by the same plan is known only after apply, and checkov
# counts an unknown key as none (the plan tests check the key made here).
HARDENED = {
    "kms": {
        "key_arn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    },
    "code_signing": {"enabled": True},
    "web": {
        "web_acl_arn": (
            "arn:aws:wafv2:us-east-1:123456789012:global/webacl/web/"
            "0123abcd-0000-0000-0000-000000000000"
        ),
        "access_logs": {"bucket": "platform-logs.s3.amazonaws.com"},
    },
}


def _binary(name: str, hint: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: {hint}", pytrace=False)
    return found


def run_checkov(*args: str) -> dict[str, Any]:
    binary = _binary("checkov", "run `make test` (tox env `security` installs it)")
    result = subprocess.run(
        [
            binary,
            *args,
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
    if "results" not in data:  # nothing checkov checks: it prints only the counts
        empty: dict[str, list[Any]] = {
            "failed_checks": [],
            "skipped_checks": [],
            "parsing_errors": [],
        }
        return {"results": empty, "summary": data}
    return data


@functools.cache
def checkov(directory: Path) -> dict[str, Any]:
    """One scan a directory a session: the tests of a directory read the same report."""
    return run_checkov(
        "--directory", str(directory), "--framework", "terraform", "--skip-path", "examples"
    )


def source_report(name: str) -> dict[str, Any]:
    """The report of a module or of the root. The modules are scanned in one run of checkov
    (one start of ~5 s instead of eight; each module's results are the same as alone), and
    each module's part is taken by the folder its findings are in."""
    if name == "terraform":
        return checkov(ROOT / "terraform")
    every = checkov(ROOT / "modules")["results"]
    results = {
        kind: [c for c in every.get(kind, []) if c["file_path"].split("/")[1] == name]
        for kind in ("passed_checks", "failed_checks", "skipped_checks")
    }
    results["parsing_errors"] = [
        e for e in every.get("parsing_errors", []) if f"/modules/{name}/" in str(e)
    ]
    summary = {
        "passed": len(results["passed_checks"]),
        "failed": len(results["failed_checks"]),
        "skipped": len(results["skipped_checks"]),
    }
    return {"results": results, "summary": summary}


def failures(report: dict[str, Any]) -> list[str]:
    return [
        f"{c['check_id']} {c['resource']} {c['file_path']}{c['file_line_range']}: {c['check_name']}"
        for c in report["results"]["failed_checks"]
    ]


@pytest.mark.parametrize("name", SCANNED)
def test_source_passes_checkov(name: str) -> None:
    report = source_report(name)
    assert failures(report) == []
    assert report["results"]["parsing_errors"] == []
    # checkov 3.3.30 has no check for Cognito user pools: it finds nothing to check there.
    assert report["summary"]["passed"] > 0 or name == "cognito-user-pool"


@pytest.mark.parametrize("name", SCANNED)
def test_every_skip_is_justified_inline(name: str) -> None:
    report = source_report(name)
    assert report["summary"]["skipped"] == len(report["results"]["skipped_checks"])
    for check in report["results"]["skipped_checks"]:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason.split()) >= 5, f"{check['check_id']} on {check['resource']}: {reason!r}"


def test_checkov_finds_an_unsafe_resource() -> None:
    report = checkov(Path(__file__).parent / "fixtures" / "unsafe")
    failed = {c["check_id"] for c in report["results"]["failed_checks"]}
    assert "CKV_AWS_66" in failed  # log group without retention


# --- plan mode ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the root and modules, with a stand-in zip and web build: plans only hash them."""
    dest = tmp_path_factory.mktemp("checkov-plan")
    for name in ("terraform", "modules"):
        shutil.copytree(
            ROOT / name, dest / name, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*")
        )
    shutil.copytree(ROOT / "tests" / "terraform" / "fixtures" / "web_dist", dest / "dist" / "web")
    with zipfile.ZipFile(dest / "handlers.zip", "w") as zf:
        zf.writestr("handlers/__init__.py", "")
    _terraform(dest, "init", "-input=false", "-backend=false")
    return dest


def _terraform(dest: Path, *args: str) -> str:
    binary = _binary("terraform", "install terraform >= 1.9 (`make test` checks for it)")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(dest),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        **terraform_env(ROOT / ".build" / "terraform.tfrc"),
    }
    result = subprocess.run(
        [binary, *args],
        cwd=dest / "terraform",
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def plan_json(
    dest: Path, name: str, tf_vars: dict[str, Any], var_file: str = "offline.tfvars"
) -> Path:
    args = [f"-var=lambda_zip={dest / 'handlers.zip'}", f"-var-file=environments/{var_file}"]
    args += [f"-var={k}={json.dumps(v)}" for k, v in tf_vars.items()]
    _terraform(dest, "plan", "-input=false", "-lock=false", f"-out={name}.bin", *args)
    out = dest / f"{name}.json"
    out.write_text(_terraform(dest, "show", "-json", f"{name}.bin"))
    return out


def plan_checkov(dest: Path, plan: Path) -> dict[str, Any]:
    return run_checkov(
        "--file",
        str(plan),
        "--framework",
        "terraform_plan",
        "--repo-root-for-plan-enrichment",
        str(dest),
    )


def test_the_hardened_plan_has_no_finding(workspace: Path) -> None:
    plan = plan_json(workspace, "hardened", HARDENED)
    report = plan_checkov(workspace, plan)
    # The code-signing config is made by the same apply: checkov counts its ARN, unknown in
    # the plan, as none. Such a finding stands only where the plan does not set the ARN.
    unknown = {
        rc["address"]
        for rc in json.loads(plan.read_text())["resource_changes"]
        if (rc["change"].get("after_unknown") or {}).get("code_signing_config_arn") is True
    }
    assert len(unknown) == 12  # the functions
    failed = [
        f
        for f, c in zip(failures(report), report["results"]["failed_checks"], strict=True)
        if not (c["check_id"] == "CKV_AWS_272" and c["resource"] in unknown)
    ]
    assert failed == []
    assert report["summary"]["passed"] > 100
    for check in report["results"]["skipped_checks"]:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason.split()) >= 5, f"{check['check_id']} on {check['resource']}: {reason!r}"


# Where checkov looks for the key, config, web ACL or log bucket a check is about. One made by
# the same apply is unknown in the plan, and checkov counts unknown as none: such a finding
# stands only where the plan does not set the value.
MADE_BY_THE_APPLY: dict[str, tuple[str | int, ...]] = {
    "CKV_AWS_26": ("kms_master_key_id",),  # SNS
    "CKV_AWS_27": ("kms_master_key_id",),  # SQS
    "CKV_AWS_119": ("server_side_encryption", 0, "kms_key_arn"),  # DynamoDB
    "CKV_AWS_158": ("kms_key_id",),  # log groups
    "CKV_AWS_173": ("kms_key_arn",),  # Lambda environment
    "CKV_AWS_272": ("code_signing_config_arn",),  # Lambda code signing
    "CKV_AWS_68": ("web_acl_id",),  # CloudFront: the edge web ACL (edge.tf)
    "CKV_AWS_86": ("logging_config", 0, "bucket"),  # CloudFront: the log bucket it makes
    "CKV_AWS_297": ("kms_key_arn",),  # EventBridge Scheduler: the presence sweep's schedule
}


def _unknown(after_unknown: Any, path: tuple[str | int, ...]) -> bool:
    value = after_unknown
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
    return value is True


def _standing(plan: Path, report: dict[str, Any]) -> tuple[Counter[str], list[tuple[str, str]]]:
    """(findings about a value made by the same apply, per check; every other finding)."""
    changes = {
        rc["address"]: rc["change"].get("after_unknown") or {}
        for rc in json.loads(plan.read_text())["resource_changes"]
    }
    made, left = Counter[str](), []
    for check in report["results"]["failed_checks"]:
        path = MADE_BY_THE_APPLY.get(check["check_id"])
        if path is not None and _unknown(changes.get(check["resource"]), path):
            made[check["check_id"]] += 1
            continue
        left.append((check["check_id"], check["resource"]))
    return made, left


def test_the_production_plan_is_hardened(workspace: Path) -> None:
    """environments/prod.tfvars as `make plan ENV=prod` plans it (offline here): the
    platform's key, code signing, the edge web ACL and CloudFront's access logs, each made by
    the plan itself. Nothing is left."""
    plan = plan_json(workspace, "prod", {"offline_plan": True}, var_file="prod.tfvars")
    report = plan_checkov(workspace, plan)
    made, left = _standing(plan, report)
    # The key, the code-signing config, the web ACL and the log bucket are this plan's own,
    # everywhere checkov looks.
    assert set(made) == set(MADE_BY_THE_APPLY), made
    assert left == []
    for check in report["results"]["skipped_checks"]:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason.split()) >= 5, f"{check['check_id']} on {check['resource']}: {reason!r}"


def test_the_default_plan_shows_exactly_what_its_inputs_leave_off(workspace: Path) -> None:
    """Source mode passes these (an unset key input looks set there); the plan sees them. The
    edge web ACL is on by default: made by the same apply, so unknown in the plan."""
    plan = plan_json(workspace, "default", {})
    made, left = _standing(plan, plan_checkov(workspace, plan))
    assert made["CKV_AWS_68"] == 1, made
    found = {check for check, _ in left} | (set(made) - {"CKV_AWS_68"})
    assert found == set(OPT_IN), (sorted(left), made)
