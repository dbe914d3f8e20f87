"""`make package`'s zip: reproducible, built for python3.13 arm64, without runtime-provided
libraries, under the size budget."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUDGET_BYTES = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
    )
    (found,) = out.glob("platform_handlers-*.whl")
    return found


@pytest.fixture(scope="module")
def builds(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    zips = []
    for run in ("first", "second"):
        out = tmp_path_factory.mktemp(run) / "handlers.zip"
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "tools" / "package_lambda.py"),
                "--wheel",
                str(wheel),
                "--out",
                str(out),
            ],
            check=True,
        )
        zips.append(out)
    return zips


def test_two_builds_are_byte_identical(builds: list[Path]) -> None:
    first, second = (hashlib.sha256(p.read_bytes()).hexdigest() for p in builds)
    assert first == second


def test_zip_is_under_budget(builds: list[Path]) -> None:
    assert builds[0].stat().st_size < BUDGET_BYTES


def test_zip_holds_the_handlers_and_arm64_pydantic_core(builds: list[Path]) -> None:
    names = zipfile.ZipFile(builds[0]).namelist()
    assert "handlers/capture_order/handler.py" in names
    assert "handlers/notify/handler.py" in names
    cores = [n for n in names if n.startswith("pydantic_core/") and n.endswith(".so")]
    assert cores == ["pydantic_core/_pydantic_core.cpython-313-aarch64-linux-gnu.so"]


def test_runtime_provided_libraries_and_bytecode_are_left_out(builds: list[Path]) -> None:
    tops = {n.split("/", 1)[0] for n in zipfile.ZipFile(builds[0]).namelist()}
    for provided in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3"):
        assert provided not in tops
    assert not [n for n in zipfile.ZipFile(builds[0]).namelist() if n.endswith(".pyc")]


def test_entries_have_fixed_timestamps(builds: list[Path]) -> None:
    infos = zipfile.ZipFile(builds[0]).infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
