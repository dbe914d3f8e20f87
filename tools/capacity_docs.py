"""Write (or ``--check``) docs/performance.md's capacity table: the plan of
``platform-load --plan`` for the bench's traffic, 10x and 100x, on the settings ``make local``
plans (the defaults).

The bench's fan-out run publishes 50 events a second to 1,000 subscribers on 10 channels;
the table adds 5 uploads a second, handlers of 50 ms, and one client address per subscriber.
The settings come from the committed plan fixture (``tools/plan_fixture.py`` keeps it equal to
what Terraform plans), so a change to a default changes the table and ``--check`` fails until
it is written again.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from platform_load.capacity import (  # noqa: E402
    UNITS,
    Traffic,
    limits,
    quotas,
    settings_from_plan,
)

FIXTURE = ROOT / "tests" / "unit" / "runtime" / "fixtures" / "local-plan.json"
PAGE = ROOT / "docs" / "performance.md"
START, END = "<!-- capacity-table:start -->", "<!-- capacity-table:end -->"
BENCH = {"publishes": 50.0, "subscribers": 1_000, "channels": 10, "uploads": 5.0}


def _n(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.3g}"


def table() -> str:
    settings = settings_from_plan(json.loads(FIXTURE.read_text()))
    quota = quotas(settings.region)
    rows = [
        "| traffic | binds first | at | headroom | then | raise |",
        "|---|---|---|---|---|---|",
    ]
    for scale in (1, 10, 100):
        traffic = Traffic(
            publishes=BENCH["publishes"] * scale,
            subscribers=int(BENCH["subscribers"] * scale),
            channels=int(BENCH["channels"] * scale),
            uploads=BENCH["uploads"] * scale,
            handler_ms=50,
            sources=int(BENCH["subscribers"] * scale),
        )
        known = [limit for limit in limits(settings, traffic, quota) if limit.headroom]
        first, then = known[0], known[1]
        rows.append(
            f"| {scale}x: {_n(traffic.publishes)} publishes/s, {traffic.subscribers:,} "
            f"subscribers, {_n(traffic.uploads)} uploads/s | {first.name} | "
            f"{_n(first.binds_at or 0)} {UNITS[first.traffic]} | {_n(first.headroom or 0)}x | "
            f"{then.name} ({_n(then.headroom or 0)}x; raise `{then.raise_with}`) | "
            f"`{first.raise_with}` |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/performance.md differs")
    args = parser.parse_args()
    text = PAGE.read_text()
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    if not rest:
        sys.exit(f"docs/performance.md has no {START} ... {END} block")
    written = f"{before}{START}\n{table()}\n{END}{after}"
    if args.check:
        if written != text:
            sys.exit(
                "docs/performance.md's capacity table is stale: run `python tools/capacity_docs.py`"
            )
        return 0
    PAGE.write_text(written)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
