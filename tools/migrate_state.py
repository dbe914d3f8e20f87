"""Move an existing deployment's event rules to the flows that now own them.

Until this version one ``module.event_bus`` held the bus and every rule. Now the bus module
creates the bus and its archive only; ``module.ingest_rules`` (terraform/ingest.tf) and
``module.async_rules`` (terraform/async.tf) own their rules, targets, dead-letter queues and
Lambda permissions. Terraform's ``moved`` blocks cannot say this (the rule keys carry
``<project>-<environment>``, and ``moved`` takes static addresses only), so this tool reads
the state and moves each object with ``terraform state mv``; nothing in AWS changes.

    python tools/migrate_state.py                 # print the moves (dry run)
    python tools/migrate_state.py --apply         # run them (terraform state mv)

Run it in terraform/ after ``terraform init`` and before the first plan of the new version.
The dead-letter queues are then replaced, since their names lose the repeated prefix:
redrive or save what they hold first (README, "Upgrading").
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Which flow owns a rule, by the rule's name after "<project>-<environment>-".
OWNERS = {
    "capture-order": "module.ingest_rules",
    "notify": "module.ingest_rules",
    "security": "module.async_rules",
    "report-delivery": "module.async_rules",
}
# The module's per-rule and per-target objects (data sources are read again, not moved).
_ADDRESS = re.compile(
    r"^module\.event_bus\.(?P<resource>(?:aws_cloudwatch_event_rule|aws_cloudwatch_event_target"
    r'|aws_sqs_queue|aws_sqs_queue_policy|aws_lambda_permission)\.\w+)\["(?P<key>[^"]+)"\]$'
)


class UnknownRuleError(ValueError):
    """A rule in the state that no flow of this version owns."""


def moves(addresses: Iterable[str]) -> list[tuple[str, str]]:
    """(from, to) for every object of the old bus module that a flow now owns."""
    planned = []
    for address in addresses:
        match = _ADDRESS.match(address.strip())
        if match is None:
            continue
        rule = match["key"].split("/", 1)[0]
        owner = next((m for suffix, m in OWNERS.items() if rule.endswith(f"-{suffix}")), None)
        if owner is None:
            raise UnknownRuleError(
                f"{address}: rule {rule!r} is not one of the platform's "
                f"({', '.join(sorted(OWNERS))}); move it by hand with terraform state mv"
            )
        planned.append((address.strip(), f'{owner}.{match["resource"]}["{match["key"]}"]'))
    return planned


def _terraform(args: list[str], cwd: Path) -> str:
    result = subprocess.run(
        ["terraform", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )
    if result.returncode != 0:
        raise SystemExit(f"terraform {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apply", action="store_true", help="run the moves (default: print)")
    parser.add_argument("--dir", type=Path, default=ROOT / "terraform", help="the root module")
    args = parser.parse_args(argv)
    planned = moves(_terraform(["state", "list"], args.dir).splitlines())
    if not planned:
        print("nothing to move: the state already has each flow's rules in its own module")
        return 0
    for source, target in planned:
        print(f"terraform state mv '{source}' '{target}'")
        if args.apply:
            _terraform(["state", "mv", source, target], args.dir)
    verb = "moved" if args.apply else "to move (dry run; --apply runs them)"
    print(f"{len(planned)} objects {verb}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
