"""How the runtime plans a root (``plan.terraform``), with a stand-in ``terraform`` on PATH
that records its calls: a copy rewritten to local equivalents, init only when module calls
change, the plan cached by content, terraform's own words when it fails."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from local_runtime.plan.terraform import KEPT_PLANS, PlanError, plan_json

REPO = Path(__file__).resolve().parents[3]
STAND_IN = """#!{python}
import json, os, sys
log = os.environ["STAND_IN_LOG"]
with open(log, "a") as f:
    f.write(" ".join(sys.argv[1:2]) + "\\n")
with open(log + ".gogc", "a") as f:
    f.write(os.environ.get("GOGC", "-") + "\\n")
if sys.argv[1] == "init":
    os.makedirs(".terraform", exist_ok=True)
if sys.argv[1] == "plan" and os.path.exists(os.environ["STAND_IN_FAIL"]):
    sys.stderr.write("Error: Unsupported argument\\n  on main.tf line 3")
    sys.exit(1)
if sys.argv[1] == "show":
    main = open("main.tf").read()
    print(json.dumps({{"variables": {{"region": {{"value": "eu-west-1"}}}}, "main_tf": main}}))
"""


@pytest.fixture
def terraform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in terraform first on PATH; its calls go to the returned log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    binary = bin_dir / "terraform"
    binary.write_text(STAND_IN.format(python=sys.executable))
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "calls.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("STAND_IN_LOG", str(log))
    monkeypatch.setenv("STAND_IN_FAIL", str(tmp_path / "fail"))
    return log


def _root(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "src" / "terraform"
    (root / "environments").mkdir(parents=True)
    (tmp_path / "src" / "modules" / "queue").mkdir(parents=True)
    (tmp_path / "src" / "modules" / "queue" / "main.tf").write_text(
        'resource "aws_sqs_queue" "this" { name = "q" }\noutput "arn" { value = aws_sqs_queue.this.arn }\n'  # noqa: E501
    )
    (root / "main.tf").write_text(
        'module "queue" { source = "../modules/queue" }\n'
        'output "url" { value = aws_sqs_queue.dlq.url }\n'
    )
    tfvars = root / "environments" / "local.tfvars"
    tfvars.write_text('region = "eu-west-1"\n')
    return root, tfvars


def _calls(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def test_a_root_is_planned_on_a_rewritten_copy_then_cached(terraform: Path, tmp_path: Path) -> None:
    root, tfvars = _root(tmp_path)
    work = tmp_path / "work"
    said: list[str] = []
    raw = plan_json(REPO, root, tfvars, work, variables={"x": 1}, say=said.append)
    assert _calls(terraform) == ["init", "plan", "show"]
    # The copy's reference to a queue's URL became its local equivalent.
    assert "__LOCAL_AWS_ENDPOINT__/123456789012/${aws_sqs_queue.dlq.name}" in raw["main_tf"]
    assert (work / "tf" / "modules" / "queue" / "local_runtime_provider_data.tf").is_file()
    assert json.loads((work / "tf" / "terraform" / "local.auto.tfvars.json").read_text()) == {
        "x": 1
    }
    assert plan_json(REPO, root, tfvars, work, variables={"x": 1}, say=said.append) == raw
    assert _calls(terraform) == ["init", "plan", "show"]  # cached: no terraform at all
    assert any("plan unchanged since an earlier start" in line for line in said)

    tfvars.write_text('region = "eu-west-1"\nname = "other"\n')
    plan_json(REPO, root, tfvars, work, variables={"x": 1})
    assert _calls(terraform) == ["init", "plan", "show", "plan", "show"]  # no second init
    # Back to the first tfvars: its plan was kept.
    tfvars.write_text('region = "eu-west-1"\n')
    assert plan_json(REPO, root, tfvars, work, variables={"x": 1}) == raw
    assert _calls(terraform) == ["init", "plan", "show", "plan", "show"]


def test_only_the_most_recently_used_plans_are_kept(terraform: Path, tmp_path: Path) -> None:
    root, tfvars = _root(tmp_path)
    work = tmp_path / "work"
    for n in range(KEPT_PLANS):
        plan_json(REPO, root, tfvars, work, variables={"n": n})
    plan_json(REPO, root, tfvars, work, variables={"n": 0})  # used again: now the newest
    plan_json(REPO, root, tfvars, work, variables={"n": KEPT_PLANS})  # one too many
    assert len(list(work.glob("plan-*.json"))) == KEPT_PLANS
    calls = len(_calls(terraform))
    plan_json(REPO, root, tfvars, work, variables={"n": 0})
    assert len(_calls(terraform)) == calls  # kept
    plan_json(REPO, root, tfvars, work, variables={"n": 1})
    assert _calls(terraform)[calls:] == ["plan", "show"]  # the least recently used: forgotten


def test_terraform_failing_is_a_plan_error_with_its_words(terraform: Path, tmp_path: Path) -> None:
    root, tfvars = _root(tmp_path)
    (tmp_path / "fail").touch()
    with pytest.raises(
        PlanError, match=r"(?s)terraform plan failed in .*:\nError: Unsupported argument"
    ):
        plan_json(REPO, root, tfvars, tmp_path / "work", variables={})


def test_what_is_missing_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, tfvars = _root(tmp_path)
    with pytest.raises(PlanError, match="no tfvars file"):
        plan_json(REPO, root, root / "nope.tfvars", tmp_path / "work", variables={})
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(PlanError, match=r"terraform \(>= 1\.9\) is not on PATH"):
        plan_json(REPO, root, tfvars, tmp_path / "work", variables={})


@pytest.mark.parametrize(("yours", "seen"), [(None, "400"), ("150", "150")])
def test_terraform_runs_with_a_higher_gc_target_unless_you_set_one(
    terraform: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, yours: str | None, seen: str
) -> None:
    if yours is None:
        monkeypatch.delenv("GOGC", raising=False)
    else:
        monkeypatch.setenv("GOGC", yours)
    root, tfvars = _root(tmp_path)
    plan_json(REPO, root, tfvars, tmp_path / "work", variables={})
    gogc = Path(f"{terraform}.gogc").read_text().split()
    assert gogc == [seen] * len(_calls(terraform)) == [seen] * 3
