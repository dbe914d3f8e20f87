"""How the tests, make and the local runtime run terraform here: the provider mirror's CLI
config where this machine has a mirror, and Go's collector target unless one is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from tf_cli_config import TERRAFORM_GOGC, terraform_env  # tools/ (pytest's pythonpath)


def test_with_a_mirror_its_config_is_written_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "registry.terraform.io" / "hashicorp" / "aws").mkdir(parents=True)
    monkeypatch.setenv("TF_PROVIDER_MIRROR", str(mirror))
    monkeypatch.delenv("GOGC", raising=False)
    env = terraform_env(tmp_path / "terraform.tfrc")
    assert env == {"TF_CLI_CONFIG_FILE": str(tmp_path / "terraform.tfrc"), "GOGC": "400"}
    assert f'path    = "{mirror}"' in (tmp_path / "terraform.tfrc").read_text()
    assert TERRAFORM_GOGC == "400"


def test_without_a_mirror_only_the_collector_target_and_never_over_yours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TF_PROVIDER_MIRROR", str(tmp_path / "none"))
    monkeypatch.delenv("GOGC", raising=False)
    assert terraform_env(tmp_path / "terraform.tfrc") == {"GOGC": "400"}
    monkeypatch.setenv("GOGC", "150")
    assert terraform_env(tmp_path / "terraform.tfrc") == {}  # yours is inherited as it is
    assert not (tmp_path / "terraform.tfrc").exists()
