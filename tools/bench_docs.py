"""The benchmark figures in docs/performance.md, generated from ``make bench``'s JSON.

``docs/bench.json`` is the record the docs show: each figure as ``make bench`` last measured
it, with the commit and date of that run (``--merge dist/bench.json`` takes the figures a run
measured, ``--only`` runs included, and keeps the others). The tables between
``<!-- bench:NAME:start -->`` and ``<!-- bench:NAME:end -->`` are written from it; ``--check``
fails when they differ (tests/docs), so no figure is typed by hand.

    python tools/bench_docs.py --merge dist/bench.json   # after make bench (make bench does it)
    python tools/bench_docs.py --check
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "docs" / "bench.json"
PAGE = ROOT / "docs" / "performance.md"
FIGURES = ("cold_init", "warm_publish", "package", "plan", "local")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _ratio(value: float) -> str:
    return f"{value:.2f}x"


def _run(section: dict[str, Any]) -> str:
    return f"Measured at commit {section['commit']} on {section['date']}."


def cold_init(section: dict[str, Any]) -> str:
    lines = [
        "| module | as shipped | sources only | vs seed | budget | vs reference with the same"
        " `.pyc` |",
        "|---|---|---|---|---|---|",
    ]
    for row in section["rows"]:
        name = row["name"]
        if row["kind"] in ("handler", "first-use"):  # a module, perhaps "+ what it then does"
            module, plus, rest = name.partition(" + ")
            name = f"`{module}`" + (f" + {rest}" if plus else "")
        seed = _ratio(row["ratio_to_seed"])
        budget = ""
        if "budget_ratio" in row:
            seed = f"**{seed}**"
            verdict = "ok" if row["met"] else "missed"
            budget = f"<= {_ratio(row['budget_ratio'])} {verdict}"
        same = _ratio(row["ratio_same_bytecode"])
        if "budget_same_bytecode" in row:
            verdict = "ok" if row["met_same_bytecode"] else "missed"
            same = f"**{same}** (<= {_ratio(row['budget_same_bytecode'])} {verdict})"
        lines.append(
            f"| {name} | {_ms(row['shipped_seconds'])} | {_ms(row['source_only_seconds'])} "
            f"| {seed} | {budget} | {same} |"
        )
    return "\n".join([*lines, "", _run(section)])


def warm_publish(section: dict[str, Any]) -> str:
    lines = [
        "| items | payloads | handler | bare | vs bare | budget | seed | vs seed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in section["rows"]:
        verdict = "ok" if row["met"] else "missed"
        lines.append(
            f"| {row['items']} | {row['payloads']} | {row['handler_us_per_item']:.1f} "
            f"| {row['bare_us_per_item']:.1f} | {_ratio(row['ratio'])} "
            f"| <= {_ratio(row['budget_ratio'])} {verdict} | {row['seed_us_per_item']:.1f} "
            f"| {_ratio(row['ratio_to_seed'])} |"
        )
    parts = ", ".join(f"{k} {v:.1f} us" for k, v in section["per_item_parts_us"].items())
    return "\n".join([*lines, "", f"Per item, in the same run: {parts}. {_run(section)}"])


def package(section: dict[str, Any]) -> str:
    (zipped,) = section["zips"]
    parts = ", ".join(
        f"{p['part']} {p['zipped_bytes'] / 1e6:.2f} MB" for p in zipped["biggest"][:4]
    )
    verdict = "ok" if section["met"] else "missed"
    return (
        f"{section['total_zipped_bytes'] / 1e6:.2f} MB zipped (budget <= "
        f"{section['budget_bytes'] / 1e6:.0f} MB, all zips together: {verdict}), "
        f"{zipped['unpacked_bytes'] / 1e6:.2f} MB unpacked, {zipped['files']} files of which "
        f"{zipped['pyc_files']} `.pyc` ({zipped['pyc_zipped_bytes'] / 1e6:.2f} MB zipped). "
        f"Largest parts, zipped: {parts}. {_run(section)}"
    )


def plan(section: dict[str, Any]) -> str:
    seconds = ", ".join(f"{s:.2f}" for s in section["seconds"])
    verdict = "ok" if section["met"] else "missed"
    return (
        f"`{section['summary']}`; median of {section['runs']}: **{section['median_seconds']:.1f}"
        f" s** ({seconds}), budget <= {section['budget_seconds']:.0f} s: {verdict}. "
        f"{_run(section)}"
    )


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


NAMESPACES = {"chat": "`/chat` (channel handler, history on)", "bench": "`/bench` (pass-through)"}


def local_platform(section: dict[str, Any]) -> str:
    """Figure 5: delivery by namespace and subscribers, then the other measured budgets."""
    lines = [
        "| namespace | subscribers | deliveries | p50 | p99 | budget | vs pass-through |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in section["delivery"]:
        ratio = _ratio(r["ratio_to_passthrough"]) if "ratio_to_passthrough" in r else ""
        lines.append(
            f"| {NAMESPACES[r['namespace']]} | {r['subscribers']:,} | {r['deliveries']:,} "
            f"| {r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms "
            f"| p99 <= {r['budget_p99_ms']:.0f} ms {'ok' if r['met'] else '**missed**'} "
            f"| {ratio} |"
        )
    budgets = section["budgets"]
    history, caught, loop = section["history"], section["catch_up"], section["answer_to_report"]
    http = {h["namespace"]: h for h in section["http_publish"]}
    chat_ratios = [r for r in section["delivery"] if "ratio_to_passthrough" in r]
    ratios = ", ".join(_ratio(r["ratio_to_passthrough"]) for r in chat_ratios)
    failed = sum(h["failed"] for h in section["http_publish"])
    bullets = [
        f"- durable chat against the same namespace with history off: p50 "
        f"{history['on_p50_ms']:.1f} ms against {history['off_p50_ms']:.1f} ms, p99 "
        f"{history['on_p99_ms']:.1f} ms against {history['off_p99_ms']:.1f} ms: "
        f"{history['ratio_p99']:.1f}x, budget <= {history['budget_ratio']:.1f}x: "
        f"{_verdict(history['met'])}.",
        f"- chat handler's p50 <= {budgets['chat_vs_passthrough_ratio']:.0f}x the "
        f"pass-through's: {ratios} (1, 100, 1,000 subscribers): "
        f"{_verdict(all(r['ratio_met'] for r in chat_ratios))}.",
        f"- catch-up of {caught['events']:,} kept events: {_ms(caught['seconds'])}, budget <= "
        f"{caught['budget_s']:.0f} s: {_verdict(caught['met'])}.",
        f"- answer -> report ({loop['answers']} answers): p50 {_ms(loop['p50_s'])}, p99 "
        f"{_ms(loop['p99_s'])}, budget <= {loop['budget_p99_s']:.1f} s: "
        f"{_verdict(loop['met'])}.",
        f"- HTTP publish: {http['chat']['per_second']:,.0f} publishes/s through the durable "
        f"chat handler, {http['bench']['per_second']:,.0f}/s through the pass-through, "
        f"{failed} failed (budgets and the peers in figure 7).",
    ]
    return "\n".join([*lines, "", *bullets, "", _run(section)])


def fan_out(section: dict[str, Any]) -> str:
    """Figure 6: platform-load's run inside the bench."""
    run = section["fan_out"]
    latency, cost = run["latency_ms"], run["cost"]
    return (
        f"{run['delivered']:,} of {run['expected']:,} delivered, {run['lost']:,} lost, "
        f"{run['duplicated']:,} twice, {run['out_of_order']:,} out of order; latency p50 "
        f"{latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms, **p99 {latency['p99']:.1f} ms "
        f"(budget <= {run['budget_p99_ms']:.0f} ms): {_verdict(run['met'])}**. What the same "
        f"traffic would cost in AWS ({cost['region']}, prices of {cost['as_of']}): "
        f"${cost['total_usd']:.3f} for the run, ${cost['usd_per_million_events']:,.0f} per "
        f"million events published. {_run(section)}"
    )


def side_by_side(section: dict[str, Any]) -> str:
    """Figure 7: ours beside the ceiling and MiniStack, and the HTTP publish budgets."""
    sides = section["side_by_side"]
    lines = [
        "| target | 1 | 100 | 1,000 | HTTP publishes/s |",
        "|---|---|---|---|---|",
    ]
    for name, target in sides["targets"].items():
        cells = ["{:.1f} / {:.1f}".format(*target["delivery"][str(n)]) for n in (1, 100, 1000)]
        lines.append(f"| {name} | {' | '.join(cells)} | {target['http_per_s']:,.0f} |")
    ministack = section["peers"]["ministack"]["version"]
    return "\n".join(
        [
            *lines,
            "",
            f"HTTP publish through chat: {sides['chat_per_s']:,.0f}/s; budget >= "
            f"{sides['chat_budget_per_s']:,.0f}/s: {_verdict(sides['chat_met'])}; budget >= "
            f"MiniStack's {sides['ministack_per_s']:,.0f}/s: "
            f"{_verdict(sides['vs_ministack_met'])}. MiniStack: PyPI `{ministack}`. "
            + _run(section),
        ]
    )


# marker name -> (the record's section, its renderer)
RENDER: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "cold-init": ("cold_init", cold_init),
    "warm-publish": ("warm_publish", warm_publish),
    "package": ("package", package),
    "plan": ("plan", plan),
    "local": ("local", local_platform),
    "fan-out": ("local", fan_out),
    "side-by-side": ("local", side_by_side),
}


def render(page: str, record: dict[str, Any]) -> str:
    """``page`` with every bench block written from ``record``; SystemExit names a missing one."""
    for marker, (name, write) in RENDER.items():
        # blank lines inside the markers: Markdown ends an HTML block (the comment) only there
        block = re.compile(
            rf"(<!-- bench:{marker}:start -->\n\n).*?(\n\n<!-- bench:{marker}:end -->)", re.S
        )
        match = block.search(page)
        if match is None:
            sys.exit(f"docs/performance.md has no bench:{marker}:start ... end block")
        page = page[: match.end(1)] + write(record[name]) + page[match.start(2) :]
    return page


def merge(record: dict[str, Any], run: dict[str, Any], commit: str, date: str) -> dict[str, Any]:
    """The record with every figure ``run`` measured replaced, stamped with its commit."""
    merged = dict(record)
    for name in FIGURES:
        if name in run:
            merged[name] = {**run[name], "commit": commit, "date": date}
    merged["machine"] = run.get("machine", record.get("machine"))
    return merged


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    return done.stdout.strip() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merge", type=Path, help="a run's JSON (make bench: dist/bench.json)")
    parser.add_argument("--check", action="store_true", help="fail if the page differs")
    args = parser.parse_args()
    record = json.loads(RECORD.read_text())
    if args.merge:
        today = datetime.date.today().isoformat()
        record = merge(record, json.loads(args.merge.read_text()), _commit(), today)
        RECORD.write_text(json.dumps(record, indent=2) + "\n")
    page = PAGE.read_text()
    written = render(page, record)
    if args.check:
        if written != page:
            sys.exit("docs/performance.md's bench figures are stale: run tools/bench_docs.py")
        return 0
    PAGE.write_text(written)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
