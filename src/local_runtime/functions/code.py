"""Where the functions' code comes from: ``src/`` (reloaded when it changes) or the unpacked
package, which must be built for this machine's architecture (its pydantic-core says which)."""

from __future__ import annotations

import platform
import shutil
import zipfile
from pathlib import Path

from local_runtime.errors import StartError

_MACHINE = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


def code_folder(kind: str, repo: Path, zip_path: Path, work: Path) -> tuple[Path, Path | None]:
    """(the code on the functions' path, the folder to watch for changes or None)."""
    if kind == "src":
        return repo / "src", repo / "src" / "handlers"
    target = work / "code"
    shutil.rmtree(target, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(target)
    arch = _MACHINE.get(platform.machine().lower(), platform.machine())
    cores = list(target.glob("pydantic_core/_pydantic_core.*.so"))
    if cores and not any(arch in core.name for core in cores):
        raise StartError(
            f"{zip_path} is built for another architecture ({cores[0].name}); this machine is "
            f"{arch}. Build one for it: .venv/bin/tox run -e package -- --architecture "
            f"{'x86_64' if arch == 'x86_64' else 'arm64'} --out dist/handlers-{arch}.zip, "
            f"then --zip dist/handlers-{arch}.zip"
        )
    return target, None
