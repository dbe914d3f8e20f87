"""Each module's shape (README, example, described and typed inputs) and its example's
validity. Module behaviour is tested by the modules' own `terraform test` files
(modules/<module>/tests/, run by test_module_tests.py)."""

from __future__ import annotations

from collections.abc import Callable

import hcl2
import pytest

from module_docs import blocks  # tools/ (pytest's pythonpath)
from tests.terraform.tfplan import ROOT, TerraformDir

pytestmark = pytest.mark.terraform

Example = Callable[[str], TerraformDir]
MODULES = sorted(p.name for p in (ROOT / "modules").iterdir() if p.is_dir())


@pytest.mark.parametrize("module", MODULES)
def test_module_has_readme_example_and_described_typed_io(module: str) -> None:
    path = ROOT / "modules" / module
    assert (path / "README.md").is_file(), f"{module}: README.md missing"
    assert list((path / "tests").glob("*.tftest.hcl")), f"{module}: terraform test files missing"
    variables = blocks(path / "variables.tf", "variable")
    outputs = blocks(path / "outputs.tf", "output")
    assert variables
    assert outputs
    assert [v.name for v in variables if not v.description] == [], f"{module}: undescribed input"
    assert [v.name for v in variables if v.type is None] == [], f"{module}: untyped input"
    assert [o.name for o in outputs if not o.description] == [], f"{module}: undescribed output"
    assert "create" in {v.name for v in variables}, f"{module}: no create toggle"


@pytest.mark.parametrize("module", MODULES)
def test_example_shows_the_module_and_a_disabled_call(module: str) -> None:
    example = ROOT / "modules" / module / "examples" / "basic" / "main.tf"
    with example.open() as handle:
        calls = {
            name.strip('"'): body
            for entry in hcl2.load(handle).get("module", [])
            for name, body in entry.items()
        }
    disabled = calls.pop("disabled", None)
    assert disabled is not None, f'{module}: the example has no `module "disabled"` call'
    assert disabled["create"] is False, f"{module}: the disabled call does not set create = false"
    assert calls, f"{module}: the example has no enabled call"


@pytest.mark.parametrize("module", MODULES)
def test_example_validates(example: Example, module: str) -> None:
    result = example(module).validate()
    assert result["valid"], result["diagnostics"]
