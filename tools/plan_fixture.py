"""Write (or ``--check``) the plan fixture the fast tests start the local platform from.

``make plan-fixture`` plans ``terraform/`` with ``environments/local.tfvars`` exactly as
``make local`` does (``local_runtime.plan.terraform``: the copied root, local equivalents),
trims the plan to what the runtime reads (``local_runtime.plan.fixture``) and writes
``tests/unit/runtime/fixtures/local-plan.json``. ``--check`` (the terraform env) fails when
the committed fixture is not what the Terraform plans today, so the fast tests never run a
platform the Terraform no longer describes. Needs terraform (the provider mirror), the
package (``dist/handlers.zip``) and the web build (``dist/web``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from local_runtime.plan.fixture import trim  # noqa: E402
from local_runtime.plan.terraform import plan_json  # noqa: E402

FIXTURE = ROOT / "tests" / "unit" / "runtime" / "fixtures" / "local-plan.json"


def rendered(work: Path) -> str:
    zip_path, web_dir = ROOT / "dist" / "handlers.zip", ROOT / "dist" / "web"
    for needed, make in ((zip_path, "make package"), (web_dir / "index.html", "make web")):
        if not needed.is_file():
            sys.exit(f"{needed} is missing: run `{make}` first")
    raw = plan_json(
        ROOT,
        ROOT / "terraform",
        ROOT / "terraform" / "environments" / "local.tfvars",
        work,
        variables={"lambda_zip": str(zip_path), "web": {"source_dir": str(web_dir)}},
        inputs=(zip_path, web_dir),
    )
    return json.dumps(trim(raw, ROOT), indent=1, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the fixture is stale")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plan-fixture-") as work:
        text = rendered(Path(work))
    if args.check:
        if not FIXTURE.is_file() or FIXTURE.read_text() != text:
            print(
                f"{FIXTURE.relative_to(ROOT)} is not what terraform/ plans today: run "
                "`make plan-fixture` and commit it",
                file=sys.stderr,
            )
            return 1
        print(f"{FIXTURE.relative_to(ROOT)} is up to date")
        return 0
    FIXTURE.write_text(text)
    print(f"wrote {FIXTURE.relative_to(ROOT)} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
