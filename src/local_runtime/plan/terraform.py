"""Planning ``terraform/`` for the local platform: the plan JSON the runtime runs.

The root and its modules are copied to ``.build/local/tf`` and rewritten by the one rule of
``equivalents``; then ``terraform init`` (from the provider mirror where this machine has
one, see ``tools/tf_cli_config.py``), ``plan -out`` with the environment's tfvars and
``show -json``. The JSON is cached under a hash of everything that went into it (the copied
files, the tfvars, the zip's hash), so an unchanged configuration starts in a second or two;
any change to a ``.tf`` file, a tfvars value or the zip plans again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from local_runtime.errors import StartError
from local_runtime.plan.equivalents import rewrite_tree


class PlanError(StartError):
    """Terraform could not plan the configuration; the message carries its own words."""


def _copy(root: Path, dest: Path) -> list[Path]:
    """Copy ``root`` (the Terraform root) and its sibling ``modules/`` into ``dest``, keeping
    ``dest``'s ``.terraform`` (the installed provider) between runs. The directories copied."""
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in (root, root.parent / "modules"):
        if not source.is_dir():
            continue
        target = dest / source.name
        keep = target / ".terraform"
        saved = dest / f".keep-{source.name}"
        if keep.exists():
            shutil.rmtree(saved, ignore_errors=True)
            keep.rename(saved)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(
            source,
            target,
            ignore=shutil.ignore_patterns(
                ".terraform", "terraform.tfstate*", ".tftest-cache", "*.tfplan", "backend.tf"
            ),
        )
        if saved.exists():
            saved.rename(keep)
        copied.append(target)
    return copied


KEPT_PLANS = 8
"""Plans kept under ``work`` (~1.3 MB each): going back to an earlier root or tfvars (a
change tried and undone, or the tests' edited roots between the checkout's) starts at once."""


def _forget_old_plans(work: Path) -> None:
    """Delete all but the ``KEPT_PLANS`` most recently used plans."""
    plans = sorted(work.glob("plan-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in plans[KEPT_PLANS:]:
        old.unlink()


def _tf_dirs(tree: Path) -> list[Path]:
    return sorted({p.parent for p in tree.rglob("*.tf") if ".terraform" not in p.parts})


def _fingerprint(tree: Path, extra: list[bytes]) -> str:
    digest = hashlib.sha256()
    for path in sorted(tree.rglob("*")):
        if ".terraform" in path.parts or not path.is_file() or path.suffix == ".tfplan":
            continue
        if path.name.startswith("plan-") and path.suffix == ".json":
            continue
        digest.update(str(path.relative_to(tree)).encode())
        digest.update(path.read_bytes())
    for blob in extra:
        digest.update(blob)
    return digest.hexdigest()[:16]


def _content(path: Path) -> bytes:
    """A digest of a file, or of every file under a directory (names and bytes)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if file.is_file():
            digest.update(str(file.relative_to(path.parent)).encode())
            digest.update(file.read_bytes())
    return digest.digest()


def _module_calls(root: Path, lock: Path) -> str:
    """What ``terraform init`` installs from: the root's module calls and the lock file."""
    digest = hashlib.sha256(lock.read_bytes() if lock.is_file() else b"")
    for path in sorted(root.glob("*.tf")):
        for line in path.read_text().splitlines():
            if re.match(r'\s*(module\s+"|source\s*=)', line):
                digest.update(line.strip().encode())
    return digest.hexdigest()


def _terraform(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    binary = shutil.which("terraform")
    if binary is None:
        raise PlanError(
            "terraform (>= 1.9) is not on PATH: install it from "
            "https://developer.hashicorp.com/terraform/install"
        )
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [binary, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        words = (result.stderr or result.stdout).strip()
        raise PlanError(f"terraform {args[0]} failed in {cwd}:\n{words}")
    return result.stdout


def _env(repo: Path) -> dict[str, str]:
    """Terraform's environment: the project's provider-mirror config where this machine has a
    mirror (``tools/tf_cli_config.py`` decides, as it does for ``make plan``), and GOGC."""
    env = dict(os.environ)
    env.update({"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"})
    # Go's collector target for terraform and its provider: ~25% less CPU a plan for ~250 MB
    # more memory (tools/tf_cli_config.py, TERRAFORM_GOGC, has the figures); yours is kept.
    env.setdefault("GOGC", "400")
    tool = repo / "tools" / "tf_cli_config.py"
    written = subprocess.run(  # noqa: S603 - the project's own tool
        [sys.executable, str(tool), "--write", str(repo / ".build" / "terraform.tfrc")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if written:
        env["TF_CLI_CONFIG_FILE"] = written
    return env


def plan_json(
    repo: Path,
    root: Path,
    tfvars: Path,
    work: Path,
    *,
    variables: dict[str, Any],
    inputs: tuple[Path, ...] = (),
    say: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """The plan of ``root`` with ``tfvars`` and ``variables``, as ``terraform show -json``
    gives it, planned on a rewritten copy under ``work`` (cached by content, ``inputs`` -- the
    files and directories the plan reads, such as the zip and the web build -- included).
    ``repo`` is the checkout whose tools find this machine's provider mirror."""
    root = root.resolve()
    if not tfvars.is_file():
        raise PlanError(f"no tfvars file {tfvars}")
    tree = work / "tf"
    say(f"copying {root.name}/ and modules/ to {tree} (computed values -> local equivalents)")
    copied = _copy(root, tree)
    rewrite_tree(d for base in copied for d in _tf_dirs(base))
    local_vars = tree / root.name / "local.auto.tfvars.json"
    shutil.copy(tfvars, tree / root.name / "local.tfvars")
    local_vars.write_text(json.dumps(variables, sort_keys=True))
    key = _fingerprint(
        tree, [json.dumps(variables, sort_keys=True).encode(), *map(_content, inputs)]
    )
    cached = work / f"plan-{key}.json"
    if cached.is_file():
        say(f"plan unchanged since an earlier start ({cached.name})")
        cached.touch()  # recently used: kept longest
        result: dict[str, Any] = json.loads(cached.read_text())
        return result
    env = _env(repo)
    cwd = tree / root.name
    lock = cwd / ".terraform.lock.hcl"
    init_args = ["init", "-input=false", "-no-color"]
    if lock.exists():
        init_args.append("-lockfile=readonly")
    # init again only when module calls or the lock file changed since the last one.
    marker = cwd / ".terraform" / "local-runtime-init"
    calls = _module_calls(cwd, lock)
    if marker.is_file() and marker.read_text() == calls:
        say("terraform init: modules and providers unchanged since the last init")
    else:
        say("terraform init")
        _terraform(init_args, cwd, env)
        marker.write_text(calls)
    say(f"terraform plan -var-file={tfvars.name}")
    _terraform(
        [
            "plan",
            "-input=false",
            "-no-color",
            "-refresh=false",
            "-lock=false",
            "-var-file=local.tfvars",
            "-out=local.tfplan",
        ],
        cwd,
        env,
    )
    say("terraform show -json")
    raw = _terraform(["show", "-json", "local.tfplan"], cwd, env)
    cached.write_text(raw)
    _forget_old_plans(work)
    result = json.loads(raw)
    return result
