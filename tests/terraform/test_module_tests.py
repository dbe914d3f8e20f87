"""Runs each module's own `terraform test` files (modules/<module>/tests/*.tftest.hcl).

The module behaviour tests are Terraform's: exact IAM documents, each validation through
`expect_failures`, a `create = false` run that plans nothing. This wrapper runs them in the
suite's copy of the code and checks that every run block of every file was run and passed.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.terraform.tfplan import ROOT, terraform_binary, tf_env

pytestmark = pytest.mark.terraform

MODULES = sorted(p.name for p in (ROOT / "modules").iterdir() if p.is_dir())


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **tf_env()}
    return subprocess.run(
        [terraform_binary(), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize("module", MODULES)
def test_module_terraform_tests_pass(workspace: Path, module: str) -> None:
    path = workspace / "modules" / module
    files = sorted((path / "tests").glob("*.tftest.hcl"))
    assert files, f"modules/{module} has no tests/*.tftest.hcl"
    runs = sum(len(re.findall(r'^run "', f.read_text(), flags=re.M)) for f in files)
    init = _run(["init", "-input=false", "-no-color", "-backend=false"], path)
    assert init.returncode == 0, init.stderr
    result = _run(["test", "-no-color"], path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Success! {runs} passed, 0 failed." in result.stdout, result.stdout
