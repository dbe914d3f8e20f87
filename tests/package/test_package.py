"""`make package`'s zip: reproducible, built for python3.13 arm64, without runtime-provided
libraries, with byte-code for what the handlers load at start, under the size budget."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUDGET_BYTES = 5_000_000  # issue 5: <= 5 MB zipped, all zips together


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


def test_runtime_provided_libraries_and_the_xray_sdk_are_left_out(builds: list[Path]) -> None:
    tops = {n.split("/", 1)[0] for n in zipfile.ZipFile(builds[0]).namelist()}
    for provided in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3"):
        assert provided not in tops
    # No handler uses the Powertools Tracer (src/handlers/__init__.py says why).
    assert not {"aws_xray_sdk", "wrapt"} & tops


def test_the_local_runtime_and_the_tools_are_not_lambda_code(
    wheel: Path, builds: list[Path]
) -> None:
    # The project's wheel carries the local platform, platform-ops and platform-load (with
    # its price list and quotas); the Lambda zip must not.
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("local_runtime/") for n in names)
    assert any(n.startswith("platform_ops/") for n in names)
    assert "platform_load/prices.json" in names
    assert "platform_load/quotas.json" in names
    tops = {n.split("/", 1)[0] for n in zipfile.ZipFile(builds[0]).namelist()}
    assert not {"local_runtime", "platform_ops", "platform_load"} & tops


def pyc_of(source: str) -> str:
    folder, _, name = source.rpartition("/")
    return f"{folder}/__pycache__/{name.removesuffix('.py')}.cpython-313.pyc"


@pytest.mark.parametrize(
    "source",
    [
        "handlers/channels/handler.py",
        "handlers/channels/dal.py",  # all of the handlers package, first-use modules too
        "handlers/capture_order/handler.py",
        "pydantic/main.py",
        "aws_lambda_powertools/logging/logger.py",
        "aws_lambda_powertools/event_handler/events_appsync/appsync_events.py",
    ],
)
def test_startup_modules_ship_unchecked_hash_bytecode_of_their_source(
    builds: list[Path], source: str
) -> None:
    zf = zipfile.ZipFile(builds[0])
    pyc = zf.read(pyc_of(source))
    assert pyc[:4] == importlib.util.MAGIC_NUMBER  # built by the python3.13 it targets
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # PEP 552: hash-based, unchecked
    assert pyc[8:16] == importlib.util.source_hash(zf.read(source))
    assert b"/var/task/" + source.encode() in pyc  # not the build folder: reproducible


def test_modules_no_handler_loads_at_start_ship_source_only(builds: list[Path]) -> None:
    names = set(zipfile.ZipFile(builds[0]).namelist())
    source = "aws_lambda_powertools/utilities/feature_flags/feature_flags.py"
    assert source in names
    assert pyc_of(source) not in names


def test_bytecode_needs_the_target_interpreter(wheel: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "package_lambda.py"),
            "--wheel",
            str(wheel),
            "--python-version",
            "3.12",
            "--out",
            str(tmp_path / "handlers.zip"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "byte-code for python3.12 needs that interpreter, this is python3.13" in result.stderr
    assert not (tmp_path / "handlers.zip").exists()


def test_entries_have_fixed_timestamps(builds: list[Path]) -> None:
    infos = zipfile.ZipFile(builds[0]).infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
