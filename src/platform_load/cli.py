"""``platform-load``: fan-out load on the platform's Event API, on this machine or, given a
deployment's outputs, in AWS; latency, loss, duplicates, order and what it would cost.

    platform-load --outputs dist/local/outputs.json --subscribers 200 --channels 4 \\
        --rate 50 --seconds 10 --json dist/load.json

Subscribers connect over WebSocket (``--auth key`` the API key, ``iam`` SigV4 with your AWS
credentials or the operator's key on ``make local``, ``user`` a user of the platform's pool
signed in with SRP), publishes go over HTTP or the WebSocket
(``--publish``), each event with a message id so a durable channel keeps it once. A progress
line a second on stderr; the figures on stdout and, with ``--json``, in a file. Bounded:
at most 10,000 subscribers, 5,000 publishes a second, an hour. Ctrl-C stops cleanly and
reports what was measured.

``--plan`` runs nothing: for the traffic asked (``--rate`` publishes a second, ``--subscribers``
over ``--channels``, ``--uploads`` a second; no bounds) it reads a Terraform plan's settings
and AWS's default quotas and prints which limit binds first (``platform_load.capacity``):

    platform-load --plan --terraform-plan dist/prod-plan.json --rate 5000 \
        --subscribers 100000 --channels 1000 --uploads 500 --quota eventapi.inbound=10000
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import ssl
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from platform_load.capacity import CapacityError, Traffic, plan_report
from platform_load.costs import Cost, PriceError, Usage, estimate, render
from platform_load.run import Plan, Run, Target, run_load
from platform_load.usage import lambda_counters, usage_of

DEFAULT_OUTPUTS = Path("dist/local/outputs.json")
LOCAL_PLANS = Path(".build/local")  # make local's plan, cached as plan-<hash>.json
FLAGS = {  # Traffic's fields -> the options that give them
    "publishes": "--rate",
    "subscribers": "--subscribers",
    "channels": "--channels",
    "uploads": "--uploads",
    "handler_ms": "--handler-ms",
    "sources": "--sources",
}
LIMITS = {"subscribers": 10_000, "rate": 5_000.0, "seconds": 3_600.0}


class LoadError(RuntimeError):
    """The run cannot start as asked; the message says why."""


@dataclass(frozen=True)
class KeyAuth:
    host: str
    key: str

    def headers(self, body: str) -> dict[str, str]:
        return {"host": self.host, "x-api-key": self.key}


@dataclass(frozen=True)
class TokenAuth:
    """A token of the platform's user pool (Cognito SRP sign-in)."""

    host: str
    token: str

    def headers(self, body: str) -> dict[str, str]:
        return {"host": self.host, "Authorization": self.token}


def sign_in(out: dict[str, Any], user: str | None) -> str:
    """An ID token: ``user`` with $PLATFORM_PASSWORD, or make local's own local user."""
    import boto3  # noqa: PLC0415
    from pycognito.aws_srp import AWSSRP  # noqa: PLC0415

    pool, client_id = out.get("cognito_user_pool_id"), out.get("cognito_user_pool_client_id")
    if not pool or not client_id:
        raise LoadError("--auth user needs outputs with the user pool's ids")
    local = (out.get("local_users") or [{}])[0]
    username = user or local.get("username")
    password = os.environ.get("PLATFORM_PASSWORD") or (
        local.get("password") if username == local.get("username") else None
    )
    if not username or not password:
        raise LoadError("--auth user: give --user and set PLATFORM_PASSWORD")
    cognito = boto3.client(
        "cognito-idp",
        region_name=str(pool).split("_", 1)[0],
        endpoint_url=out.get("aws_endpoint_url"),
    )
    srp = AWSSRP(
        username=username, password=password, pool_id=pool, client_id=client_id, client=cognito
    )
    try:
        tokens = srp.authenticate_user()
    except cognito.exceptions.NotAuthorizedException as exc:
        raise LoadError(f"sign-in refused for {username}: {exc}") from exc
    token: str = tokens["AuthenticationResult"]["IdToken"]
    return token


@dataclass(frozen=True)
class IamAuth:
    host: str
    region: str
    credentials: Any

    def headers(self, body: str) -> dict[str, str]:
        from botocore.auth import SigV4Auth  # noqa: PLC0415
        from botocore.awsrequest import AWSRequest  # noqa: PLC0415

        request = AWSRequest(
            method="POST",
            url=f"https://{self.host}/event",
            data=body,
            headers={"content-type": "application/json; charset=UTF-8", "host": self.host},
        )
        SigV4Auth(self.credentials, "appsync", self.region).add_auth(request)
        return dict(request.headers.items())


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="platform-load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--outputs",
        type=Path,
        help=f"a deployment's `terraform output -json`, or make local's ({DEFAULT_OUTPUTS})",
    )
    p.add_argument(
        "--host", help="the Event API's HTTP host instead of --outputs (this machine only)"
    )
    p.add_argument("--api-key", help="with --host: the API key")
    p.add_argument("--subscribers", type=int, default=100, help="WebSocket subscribers (100)")
    p.add_argument("--channels", type=int, default=1, help="channels they spread over (1)")
    p.add_argument("--rate", type=float, default=10.0, help="publishes a second (10)")
    p.add_argument("--seconds", type=float, default=10.0, help="how long to publish (10)")
    p.add_argument("--namespace", default="chat", help="the channel namespace (chat)")
    p.add_argument("--publish", choices=["http", "ws"], default="http", help="publish over (http)")
    p.add_argument(
        "--auth",
        choices=["key", "iam", "user"],
        default="key",
        help="the API key, SigV4, or a user of the pool (--user, $PLATFORM_PASSWORD; on make "
        "local its own local user) (key)",
    )
    p.add_argument("--user", help="--auth user: the user to sign in as")
    p.add_argument("--drain", type=float, default=10.0, help="seconds to wait for late events")
    p.add_argument("--region", help="price region (default: the deployment's)")
    p.add_argument("--json", type=Path, help="write the figures here as JSON")
    plan = p.add_argument_group("capacity plan (--plan: nothing is run)")
    plan.add_argument("--plan", action="store_true", help="print which limit binds first")
    plan.add_argument(
        "--terraform-plan",
        type=Path,
        help="`terraform show -json PLAN` of your environment (default: make local's plan)",
    )
    plan.add_argument("--uploads", type=float, default=0.0, help="POST /uploads a second (0)")
    plan.add_argument(
        "--handler-ms", type=float, default=50.0, help="one invocation's duration, ms (50)"
    )
    plan.add_argument(
        "--sources", type=int, help="client addresses the traffic comes from (--subscribers)"
    )
    plan.add_argument(
        "--quota",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="your account's value of a quota (see quotas.json), e.g. eventapi.inbound=10000",
    )
    return p


def _validate(args: argparse.Namespace) -> None:
    problems = []
    if not 1 <= args.subscribers <= LIMITS["subscribers"]:
        problems.append(f"--subscribers must be 1-{LIMITS['subscribers']:,}")
    if not 1 <= args.channels <= args.subscribers:
        problems.append("--channels must be 1 to --subscribers")
    if not 0 < args.rate <= LIMITS["rate"]:
        problems.append(f"--rate must be above 0 and at most {LIMITS['rate']:,.0f} a second")
    if not 0 < args.seconds <= LIMITS["seconds"]:
        problems.append(f"--seconds must be above 0 and at most {LIMITS['seconds']:,.0f}")
    if not 0 <= args.drain <= 120:
        problems.append("--drain must be 0-120 seconds")
    if problems:
        raise LoadError("; ".join(problems))


def _on_this_machine(host: str) -> bool:
    name = host.rsplit(":", 1)[0].strip("[]") if host.count(":") <= 1 else host.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _outputs(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise LoadError(f"{path} does not exist: start `make local`, or pass --outputs FILE")
    raw = json.loads(path.read_text())
    return {k: v.get("value") if isinstance(v, dict) else v for k, v in raw.items()}


def _outputs_of(args: argparse.Namespace) -> dict[str, Any]:
    """The outputs the run reads; refuses anything off this machine without explicit ones."""
    if args.host:
        if args.outputs is not None:
            raise LoadError("give --outputs or --host, not both")
        if not _on_this_machine(args.host):
            raise LoadError(
                f"{args.host} is not on this machine: a run against a deployment needs its "
                "outputs, given explicitly (--outputs FILE, from `terraform output -json`)"
            )
        if not args.api_key:
            raise LoadError("--host needs --api-key")
        out: dict[str, Any] = {
            "realtime_http_dns": args.host,
            "realtime_publish_url": f"https://{args.host}/event",
            "realtime_websocket_url": f"wss://{args.host}/event/realtime",
            "realtime_api_key": args.api_key,
        }
    else:
        out = _outputs(args.outputs or DEFAULT_OUTPUTS)
        host = out.get("realtime_http_dns")
        if not host:
            raise LoadError("the outputs have no realtime_http_dns: is this the platform?")
        if args.outputs is None and not _on_this_machine(str(host)):
            raise LoadError(
                f"{DEFAULT_OUTPUTS} points at {host}, not this machine: pass a deployment's "
                "outputs explicitly (--outputs FILE) to run against it"
            )
    return out


def _auth(args: argparse.Namespace, out: dict[str, Any], host: str, region: str) -> Any:
    if args.auth == "key":
        key = out.get("realtime_api_key")
        if not key:
            raise LoadError("the outputs have no realtime_api_key: use --auth iam")
        return KeyAuth(host, str(key))
    if args.auth == "user":
        return TokenAuth(host, sign_in(out, args.user))
    from botocore.credentials import Credentials  # noqa: PLC0415
    from botocore.session import Session  # noqa: PLC0415

    if out.get("aws_access_key_id"):  # make local: the operator's key
        credentials = Credentials(out["aws_access_key_id"], out["aws_secret_access_key"])
    else:
        found = Session().get_credentials()
        if found is None:
            raise LoadError("--auth iam: no AWS credentials found (see `aws configure`)")
        credentials = found.get_frozen_credentials()
    return IamAuth(host, region, credentials)


def target_of(args: argparse.Namespace) -> tuple[Target, dict[str, Any]]:
    """Where the run goes, and the outputs it was read from."""
    out = _outputs_of(args)
    host = str(out["realtime_http_dns"])
    local = _on_this_machine(host)
    tls = (
        ssl.create_default_context(cafile=out["local_ca_file"])
        if out.get("local_ca_file")
        else None
    )
    auth = _auth(args, out, host, str(out.get("aws_region") or args.region or "us-east-1"))
    publish_url = out.get("realtime_publish_url") or f"https://{host}/event"
    websocket_url = out.get("realtime_websocket_url") or (
        "wss://" + host.replace("appsync-api", "appsync-realtime-api") + "/event/realtime"
    )
    return Target(host, str(publish_url), str(websocket_url), auth, tls, local), out


def _status(out: dict[str, Any]) -> dict[str, Any] | None:
    url = out.get("local_control_url")
    if not url:
        return None
    with urllib.request.urlopen(f"{url}/_local/status", timeout=10) as response:  # noqa: S310
        status: dict[str, Any] = json.loads(response.read())
    return status


def report(
    run: Run,
    plan: Plan,
    *,
    region: str,
    lambda_before: dict[str, tuple[int, int, int]] | None,
    lambda_after: dict[str, tuple[int, int, int]] | None,
    target: str,
) -> tuple[dict[str, Any], Cost]:
    """The run's figures (the JSON) and its cost estimate."""
    figures = run.tally.figures()
    accepted = len(run.tally.sent)
    usage, how = usage_of(
        accepted=accepted,
        delivered=int(figures["delivered"]),
        connections=run.connected,
        subscriptions=run.subscribed,
        connection_seconds=run.connection_seconds,
        durable=run.tally.sequenced,
        lambda_before=lambda_before,
        lambda_after=lambda_after,
    )
    cost = estimate(usage, region, events=accepted)
    result = {
        "target": target,
        "subscribers": plan.subscribers,
        "channels": plan.channels,
        "rate": plan.rate,
        "seconds": plan.seconds,
        "publish": plan.publish,
        "subscribed": run.subscribed,
        "published": run.published,
        "accepted": accepted,
        "achieved_rate": round(run.published / run.publishing_seconds, 2)
        if run.publishing_seconds
        else None,
        **figures,
        "unknown_events": run.tally.unknown,
        "publish_errors": dict(run.publish_errors),
        "connection_errors": dict(run.connection_errors),
        "interrupted": run.interrupted,
        "usage": usage.model_dump(),
        "usage_note": how,
        "cost": cost.model_dump(),
    }
    return result, cost


def _summary(result: dict[str, Any], out: TextIO) -> None:
    latency = result["latency_ms"]
    print(
        f"{result['subscribed']}/{result['subscribers']} subscribed, "
        f"{result['accepted']}/{result['published']} publishes accepted "
        f"({result['achieved_rate']}/s asked {result['rate']:g}/s)\n"
        f"delivered {result['delivered']} of {result['expected']}, lost {result['lost']}, "
        f"duplicated {result['duplicated']}, out of order {result['out_of_order']} "
        f"(reordered between overlapping publishes: {result['reordered_concurrent']})\n"
        f"delivery latency ms: p50 {latency['p50']}  p95 {latency['p95']}  "
        f"p99 {latency['p99']}  max {latency['max']}\n"
        f"publish errors {result['publish_errors'] or 'none'}; "
        f"connection errors {result['connection_errors'] or 'none'}",
        file=out,
    )


def _terraform_plan(path: Path | None) -> dict[str, Any]:
    if path is None:
        cached = sorted(LOCAL_PLANS.glob("plan-*.json"), key=lambda p: p.stat().st_mtime)
        if not cached:
            raise LoadError(
                "no plan to read: start `make local` once, or pass --terraform-plan FILE "
                "(`terraform show -json PLAN`)"
            )
        path = cached[-1]
    if not path.is_file():
        raise LoadError(f"{path} does not exist")
    try:
        plan: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise LoadError(f"{path} is not JSON ({exc}): give `terraform show -json PLAN`") from exc
    return plan


def _overrides(given: list[str]) -> dict[str, float]:
    found = {}
    for item in given:
        name, _, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not name or number <= 0:
            raise LoadError(f"--quota {item}: give NAME=VALUE with a positive number")
        found[name] = number
    return found


def capacity_main(args: argparse.Namespace, out: TextIO) -> int:
    """``--plan``: the capacity plan for the traffic asked."""
    try:
        traffic = Traffic(
            publishes=args.rate,
            subscribers=args.subscribers,
            channels=args.channels,
            uploads=args.uploads,
            handler_ms=args.handler_ms,
            sources=args.sources or args.subscribers,
        )
    except ValidationError as exc:
        problems = [f"{FLAGS[str(e['loc'][0])]}: {e['msg'].lower()}" for e in exc.errors()]
        print(f"platform-load: --plan: {'; '.join(problems)}", file=sys.stderr)
        return 2
    try:
        result, text = plan_report(
            _terraform_plan(args.terraform_plan), traffic, _overrides(args.quota), args.region
        )
    except (LoadError, CapacityError) as exc:
        print(f"platform-load: {exc}", file=sys.stderr)
        return 2
    print(text, file=out)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


def main(argv: list[str] | None = None, out: TextIO = sys.stdout) -> int:
    args = _parser().parse_args(argv)
    if args.plan:
        return capacity_main(args, out)
    try:
        _validate(args)
        target, outputs = target_of(args)
        region = str(args.region or outputs.get("aws_region") or "us-east-1")
        estimate(Usage(), region, events=0)  # an unknown region is named before the run
    except (LoadError, PriceError) as exc:
        print(f"platform-load: {exc}", file=sys.stderr)
        return 2
    plan = Plan(
        subscribers=args.subscribers,
        channels=args.channels,
        rate=args.rate,
        seconds=args.seconds,
        namespace=args.namespace,
        publish=args.publish,
        drain_seconds=args.drain,
    )
    before = _status(outputs) if target.local else None
    try:
        run = asyncio.run(run_load(target, plan))
    except KeyboardInterrupt:
        print("platform-load: interrupted before any figure", file=sys.stderr)
        return 130
    after = _status(outputs) if target.local else None
    result, cost = report(
        run,
        plan,
        region=region,
        lambda_before=lambda_counters(before) if before else None,
        lambda_after=lambda_counters(after) if after else None,
        target="local" if target.local else target.http_host,
    )
    _summary(result, out)
    print(render(cost), file=out)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 1 if run.interrupted else 0
