"""Fixtures for plan and apply tests: a copy of the Terraform code, planned offline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.terraform.tfplan import (
    OFFLINE_OVERRIDE,
    Plan,
    TerraformDir,
    make_zip,
    terraform_binary,
    workspace_copy,
)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    terraform_binary()
    return workspace_copy(tmp_path_factory.mktemp("tf"))


@pytest.fixture(scope="session")
def lambda_zip(workspace: Path) -> Path:
    return make_zip(workspace / "handlers.zip")


@pytest.fixture(scope="session")
def root(workspace: Path) -> TerraformDir:
    # -lockfile=readonly: the committed lock file must be enough to install the provider.
    # offline_plan: the root plans for real by default; the tests plan with no AWS account,
    # as `make plan` does (environments/offline.tfvars).
    return TerraformDir(
        workspace / "terraform", lockfile_readonly=True, default_vars={"offline_plan": True}
    )


@pytest.fixture(scope="session")
def root_plan(root: TerraformDir, lambda_zip: Path) -> Plan:
    return root.plan({"lambda_zip": str(lambda_zip)})


@pytest.fixture(scope="session")
def example(workspace: Path) -> Callable[[str], TerraformDir]:
    """A module's examples/basic, initialised once per session, planned with no account."""
    cache: dict[str, TerraformDir] = {}

    def get(module: str) -> TerraformDir:
        if module not in cache:
            tfdir = workspace / "modules" / module / "examples" / "basic"
            cache[module] = TerraformDir(tfdir, extra_files=[OFFLINE_OVERRIDE])
        return cache[module]

    return get
