"""``make local`` / ``python -m local_runtime``: the platform on 127.0.0.1, in the foreground.

Ctrl-C (SIGINT) or SIGTERM stops everything it started. Endpoints and credentials are printed
and written to ``dist/local/outputs.json`` in the shape of ``terraform output -json``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from local_runtime.console import Console
from local_runtime.faults import KINDS, parse_rates
from local_runtime.host import Options, run


def _checkout() -> Path:
    """The project checkout to run: the working directory (``make local`` and the tests run
    from it), or the one this file lives in when it runs from ``src/``."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (candidate / "src" / "handlers").is_dir() and (candidate / "terraform").is_dir():
            return candidate
    raise SystemExit(
        "python -m local_runtime runs from the project's checkout (the folder with terraform/ "
        "and src/handlers/): cd there first"
    )


REPO = _checkout()


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0 picks a free one)")
    return value


def _scale(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError("--delay-scale must be in (0, 1]")
    return value


def default_concurrency() -> int:
    return max(2, os.cpu_count() or 2)


def _concurrency(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("--concurrency must be 1-64 workers per function")
    return value


def _retention(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 24 * 3600:
        raise argparse.ArgumentTypeError("--stream-retention must be 0-86400 seconds (AWS: 24 h)")
    return value


def _rates(text: str) -> dict[str, float]:
    try:
        return parse_rates(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m local_runtime",
        description="Run the platform that terraform/ plans on this machine (no AWS account).",
    )
    p.add_argument("--root", type=Path, default=REPO / "terraform", help="Terraform root")
    p.add_argument(
        "--var-file",
        type=Path,
        default=REPO / "terraform" / "environments" / "local.tfvars",
        help="tfvars of the local environment",
    )
    p.add_argument("--zip", type=Path, default=REPO / "dist" / "handlers.zip", help="the package")
    p.add_argument("--out", type=Path, default=REPO / "dist" / "local", help="outputs and logs")
    p.add_argument("--work", type=Path, default=REPO / ".build" / "local", help="plan cache")
    p.add_argument(
        "--plan",
        type=Path,
        default=None,
        metavar="FILE",
        help="start from a saved, trimmed plan (make plan-fixture) instead of planning the root",
    )
    p.add_argument("--aws-port", type=_port, default=4566, help="local AWS endpoint (moto)")
    p.add_argument("--http-port", type=_port, default=4567, help="the HTTP API")
    p.add_argument("--events-port", type=_port, default=4568, help="the Event API (HTTPS, WSS)")
    p.add_argument("--control-port", type=_port, default=4569, help="webhook receiver, control")
    p.add_argument("--web-port", type=_port, default=4570, help="the web app (HTTPS)")
    p.add_argument(
        "--web", type=Path, default=REPO / "dist" / "web", help="the built web app (make web)"
    )
    p.add_argument(
        "--code",
        choices=("src", "zip"),
        default="src",
        help="run the handlers from src/ (reloaded when they change) or from the unpacked zip",
    )
    p.add_argument(
        "--delay-scale",
        type=_scale,
        default=0.01,
        help="retry delays are AWS's times this (default 0.01: Lambda's 1 min wait is 0.6 s)",
    )
    p.add_argument(
        "--concurrency",
        type=_concurrency,
        default=default_concurrency(),
        metavar="N",
        help="at most N workers of one function at once on this machine (default: the cores, "
        f"at least 2: {default_concurrency()} here); past its reserved concurrency a function "
        "is throttled as in AWS, past N it waits for a worker",
    )
    p.add_argument(
        "--ka-interval",
        type=float,
        default=60.0,
        help="seconds between the Event API's keep-alive (ka) messages",
    )
    p.add_argument(
        "--local-user",
        default="local-user@example.com",
        help="the user created in each Cognito user pool of the plan (its fresh password is "
        "printed, and written to outputs.json, local_users)",
    )
    p.add_argument(
        "--extra-code",
        type=Path,
        action="append",
        default=[],
        help="another folder of handler code on the functions' PYTHONPATH (after the package), "
        "for functions a copied root adds (make bench's pass-through handler)",
    )
    p.add_argument(
        "--faults",
        type=_rates,
        default={},
        metavar="KIND=RATE,...",
        help=f"inject failures from the start, each kind at its rate from 0 to 1 (kinds: "
        f"{', '.join(KINDS)}); off by default, changed at run time with POST /_local/faults",
    )
    p.add_argument(
        "--stream-retention",
        type=_retention,
        default=24 * 3600,
        metavar="SECONDS",
        help="how long a DynamoDB stream record lives before it is trimmed (AWS: 24 hours, the "
        "default); changed at run time with POST /_local/streams",
    )
    p.add_argument("-v", "--verbose", action="count", default=0, help="show payloads")
    p.add_argument("-q", "--quiet", action="store_true", help="only problems")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    options = Options(
        repo=REPO,
        root=args.root,
        tfvars=args.var_file,
        zip_path=args.zip,
        work=args.work.resolve(),
        out=args.out.resolve(),
        plan_file=args.plan.resolve() if args.plan else None,
        aws_port=args.aws_port,
        http_port=args.http_port,
        events_port=args.events_port,
        control_port=args.control_port,
        web_port=args.web_port,
        web_dir=args.web,
        code=args.code,
        delay_scale=args.delay_scale,
        concurrency=args.concurrency,
        ka_interval=args.ka_interval,
        local_user=args.local_user,
        extra_code=tuple(p.resolve() for p in args.extra_code),
        verbosity=0 if args.quiet else 1 + args.verbose,
        faults=tuple(args.faults.items()),
        stream_retention=args.stream_retention,
    )
    console = Console(options.verbosity)
    try:
        return asyncio.run(run(options, console))
    except KeyboardInterrupt:
        return 130
