"""The score of `make mutation`: per mutated module and in all, the share of mutants the tests
kill, read from mutmut's own results (``mutants/**/*.meta``, statuses as ``mutmut.stats``
names them). A timeout counts as killed (the mutant made a test loop); a mutant no test ran,
or one never checked, counts as surviving. Exit 1 below the budget.

    python tools/mutation_score.py [--budget 0.90] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

KILLED = {"killed", "timeout", "caught by type check"}


def scores(root: Path) -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = {}
    for meta in sorted(root.glob("src/**/*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if not codes:
            continue
        module = meta.relative_to(root).as_posix().removesuffix(".meta")
        found[module] = Counter(status_by_exit_code[code] for code in codes.values())
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("mutants"))
    parser.add_argument("--budget", type=float, default=0.90)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    found = scores(args.root)
    if not found:
        print(f"no mutmut results under {args.root}: run `mutmut run` first", file=sys.stderr)
        return 2
    rows = []
    total, killed = 0, 0
    print(f"{'module':<52} {'mutants':>7} {'killed':>6} {'score':>6}")
    for module, counts in found.items():
        n, k = sum(counts.values()), sum(counts[s] for s in KILLED)
        total, killed = total + n, killed + k
        rows.append({"module": module, "mutants": n, "killed": k, "score": k / n})
        print(f"{module:<52} {n:>7} {k:>6} {k / n:>6.1%}")
    score = killed / total
    print(f"{'all':<52} {total:>7} {killed:>6} {score:>6.1%}  (budget >= {args.budget:.0%})")
    if args.json:
        summary = {"modules": rows, "mutants": total, "killed": killed, "score": score}
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    if score < args.budget:
        print(f"mutation score {score:.1%} is under the budget {args.budget:.0%}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
