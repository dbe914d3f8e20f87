"""Build the Lambda zip from the tox-built wheel, reproducibly.

    tox run -e package      (tox builds the wheel and passes it as $TOX_PACKAGE)

* Dependencies are fetched for the Lambda runtime (``--platform``, ``--python-version``,
  ``--only-binary=:all:``), never for the machine that builds, and constrained to
  ``requirements/lambda-constraints.txt``.
* What the python3.13 runtime already ships (boto3, botocore and their dependencies) is
  left out: it is large, and the runtime's copy is the one that gets patched.
* Byte-code for the target Python is shipped for every module the handlers import when
  they start (traced by importing each ``handlers.*.handler`` in this interpreter, which must
  be the target version), and for the whole ``handlers`` package. /var/task is read-only, so
  without it every cold start compiles those modules again (`make bench` measures both).
  Other modules keep only their source: compiling everything would add about 2 MB to the
  zip for modules no handler loads at start. The ``.pyc`` files are ``unchecked-hash``
  (PEP 552): they carry a hash of their source instead of a timestamp, which keeps the
  build reproducible, and the runtime does not stat or hash the source to use them.
* The zip is byte-for-byte reproducible: entries sorted, fixed timestamps and
  permissions, no install-specific metadata.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib.util import cache_from_source
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "requirements" / "lambda-constraints.txt"

# Distributions the Lambda Python runtime provides (names as in *.dist-info, normalised).
RUNTIME_PROVIDED = {
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "python_dateutil",
    "six",
    "urllib3",
}
# Per-install files that differ between two installs of the same wheel.
VOLATILE_METADATA = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
# The path Lambda unpacks the zip to; recorded in the byte-code in place of the build folder.
TASK_ROOT = "/var/task"
# Environment of the import trace: what a deployed function sees (placeholder values).
TRACE_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "package-trace",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "package-trace",
    "POWERTOOLS_METRICS_NAMESPACE": "PackageTrace",
}
_TRACE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(
    (m.__name__, m.__file__) for m in list(sys.modules.values())
    if getattr(m, "__file__", None) and m.__file__.endswith(".py")
)))
"""
_COMPILE = """
import json, py_compile, sys
for source, cfile, dfile in json.load(sys.stdin):
    py_compile.compile(source, cfile=cfile, dfile=dfile, doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
"""


def install(wheel: Path, target: Path, python_version: str, architecture: str) -> None:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--no-warn-conflicts",
        "--platform",
        PLATFORMS[architecture],
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--only-binary=:all:",
        "--target",
        str(target),
        "--constraint",
        str(CONSTRAINTS),
        str(wheel),
    ]
    subprocess.run(cmd, check=True)


def normalise(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def prune(target: Path) -> list[str]:
    """Remove runtime-provided distributions (every file their RECORD lists)."""
    removed = []
    for dist_info in sorted(target.glob("*.dist-info")):
        name = normalise(dist_info.name.split("-", 1)[0])
        if name not in RUNTIME_PROVIDED:
            continue
        record = dist_info / "RECORD"
        for line in record.read_text().splitlines():
            relative = line.split(",", 1)[0]
            path = (target / relative).resolve()
            if path.is_relative_to(target.resolve()) and path.is_file():
                path.unlink()
        shutil.rmtree(dist_info, ignore_errors=True)
        removed.append(dist_info.name)
    # Folders the removed distributions leave empty.
    for folder in sorted((p for p in target.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return removed


def startup_modules(target: Path) -> list[Path]:
    """Files under ``target`` of the modules the handlers import when they start.

    Each ``handlers/*/handler.py`` is imported in a fresh interpreter like this one; a module
    it loads counts when a file of the same path relative to its import root is in ``target``.
    """
    handlers = sorted(
        f"handlers.{p.parent.name}.handler" for p in (target / "handlers").glob("*/handler.py")
    )
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", **TRACE_ENV}
    done = subprocess.run(
        [sys.executable, "-c", _TRACE, *handlers],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"tracing the handlers' imports failed:\n{done.stderr}")
    found = set()
    for name, file in json.loads(done.stdout):
        relative = Path(*name.split("."))
        relative = (
            relative / "__init__.py"
            if file.endswith("__init__.py")
            else relative.with_suffix(".py")
        )
        if (target / relative).is_file():
            found.add(target / relative)
    return sorted(found)


def compile_bytecode(target: Path) -> int:
    """Write unchecked-hash ``.pyc`` for the startup modules and every ``handlers`` module."""
    sources = set(startup_modules(target)) | set((target / "handlers").rglob("*.py"))
    jobs = [
        (str(p), cache_from_source(str(p)), f"{TASK_ROOT}/{p.relative_to(target).as_posix()}")
        for p in sorted(sources)
    ]
    # A fresh interpreter with a fixed hash seed: the same input gives the same bytes.
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONHASHSEED": "0"}
    subprocess.run(
        [sys.executable, "-c", _COMPILE], input=json.dumps(jobs), text=True, env=env, check=True
    )
    return len(jobs)


# Packages of the project's wheel that are not Lambda code: the local platform and the tools.
NOT_LAMBDA_CODE = {"local_runtime", "platform_ops", "platform_load"}


def keep(path: Path, target: Path) -> bool:
    relative = path.relative_to(target)
    parts = relative.parts
    if parts[0] in NOT_LAMBDA_CODE:
        return False
    if path.suffix == ".pyo" or ("__pycache__" in parts and not is_target_bytecode(path)):
        return False
    if parts[0] == "bin":
        return False
    return not (parts[0].endswith(".dist-info") and relative.name in VOLATILE_METADATA)


def is_target_bytecode(path: Path) -> bool:
    return path.parent.name == "__pycache__" and path.name.endswith(
        f".{sys.implementation.cache_tag}.pyc"
    )


def write_zip(target: Path, out: Path) -> int:
    files = sorted(
        (p for p in target.rglob("*") if p.is_file() and keep(p, target)),
        key=lambda p: p.relative_to(target).as_posix(),
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(target).as_posix(), date_time=FIXED_DATE)
            info.external_attr = (0o100644 & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(out)
    return len(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--wheel",
        type=Path,
        default=os.environ.get("TOX_PACKAGE"),
        help="the tox-built wheel (default: $TOX_PACKAGE, which tox sets)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "handlers.zip")
    parser.add_argument("--python-version", default="3.13")
    parser.add_argument("--architecture", choices=sorted(PLATFORMS), default="arm64")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="ship sources only (the runtime then compiles every module on each cold start)",
    )
    args = parser.parse_args(argv)

    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if not args.no_bytecode and running != args.python_version:
        parser.error(
            f"byte-code for python{args.python_version} needs that interpreter, this is "
            f"python{running}: run `make package` (tox env package) or pass --no-bytecode"
        )

    if args.wheel is None:
        parser.error("no wheel: pass --wheel or run under tox (`make package`)")
    wheels = [Path(p) for p in str(args.wheel).split(os.pathsep) if p.endswith(".whl")]
    if len(wheels) != 1:
        parser.error(f"expected exactly one wheel, got {args.wheel}")
    with tempfile.TemporaryDirectory(prefix="lambda-build-") as tmp:
        target = Path(tmp) / "python"
        install(wheels[0], target, args.python_version, args.architecture)
        removed = prune(target)
        compiled = 0 if args.no_bytecode else compile_bytecode(target)
        unpacked = sum(
            p.stat().st_size for p in target.rglob("*") if p.is_file() and keep(p, target)
        )
        count = write_zip(target, args.out)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    size = args.out.stat().st_size
    print(f"left out (provided by the Lambda runtime): {', '.join(removed) or 'nothing'}")
    print(f"byte-code (python{args.python_version}, unchecked-hash): {compiled} modules")
    print(
        f"{args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}: "
        f"{count} files, {size / 1e6:.2f} MB zipped, {unpacked / 1e6:.2f} MB unpacked, "
        f"sha256 {digest}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
