"""Each service of the platform, made from the plan: the host (``host.Platform``) calls these
in order and keeps what they return. Every service reaches the functions through the one
registry (``Functions``) and injects faults through the one registry (``Faults``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from local_runtime.appsync.api import EventApi
from local_runtime.appsync.auth import Authorizer
from local_runtime.appsync.http import event_api_app
from local_runtime.appsync.protocol import Realtime
from local_runtime.aws.operator import Operator
from local_runtime.aws.server import LocalAws
from local_runtime.cognito.tokens import JwtVerifier
from local_runtime.console import Console
from local_runtime.events.bus import EventBus
from local_runtime.faults import Faults
from local_runtime.functions.code import code_folder
from local_runtime.functions.registry import Functions
from local_runtime.functions.runtime import CodeWatcher, Credentials, FunctionRuntime
from local_runtime.functions.streams import StreamMapping
from local_runtime.iam.identities import Identity
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.eventapi import EventApiSpec
from local_runtime.plan.models import PlatformSpec
from local_runtime.scheduler.runner import ScheduleRunner


@dataclass(frozen=True)
class Context:
    """What every service is made with."""

    spec: PlatformSpec
    operator: Operator
    console: Console
    faults: Faults
    delay_scale: float
    concurrency: int = 2  # workers of one function at once on this machine (--concurrency)


def functions(
    ctx: Context,
    credentials: dict[str, Credentials],
    *,
    code: tuple[str, Path, Path, Path],
    out: Path,
    ca_file: Path,
    extra_code: tuple[Path, ...],
) -> Functions:
    """A runtime per planned function, its code from ``code`` (kind, repo, zip, work)."""
    code_dir, watch = code_folder(*code)
    watcher = CodeWatcher(watch)
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    spec = ctx.spec
    ctx.console.step(f"{len(spec.functions)} functions, code from {code_dir}, logs in {logs}")
    return Functions(
        {
            name: FunctionRuntime(
                function,
                region=spec.region,
                code_dir=code_dir,
                watcher=watcher,
                credentials=credentials[name],
                aws_endpoint=ctx.operator.aws.endpoint,
                log_dir=logs,
                console=ctx.console,
                delay_scale=ctx.delay_scale,
                send_failure=ctx.operator.send_record,
                faults=ctx.faults,
                ca_file=ca_file,
                extra_code=extra_code,
                concurrency=ctx.concurrency,
            )
            for name, function in spec.functions.items()
        }
    )


def bus(ctx: Context, registry: Functions, archive: Path) -> EventBus:
    spec = ctx.spec
    made = EventBus(
        spec,
        functions=registry,
        send_sqs=ctx.operator.send_sqs,
        console=ctx.console,
        archive_dir=archive,
        delay_scale=ctx.delay_scale,
        faults=ctx.faults,
    )
    ctx.console.step(
        f"bus: {len(spec.buses)} bus(es), {len(spec.rules)} rules, "
        f"{sum(len(r.targets) for r in spec.rules.values())} targets"
    )
    return made


def streams(ctx: Context, registry: Functions, stream_arns: dict[str, str]) -> list[StreamMapping]:
    """A poller per planned stream mapping, started."""
    pollers = []
    for mapping in ctx.spec.mappings:
        stream = stream_arns.get(mapping.table)
        if stream is None or mapping.function not in registry:
            raise UnsupportedError(
                f"{mapping.address}: table {mapping.table} has no stream, or function "
                f"{mapping.function} is not in the plan"
            )
        poller = StreamMapping(
            mapping,
            stream_arn=stream,
            functions=registry,
            client=ctx.operator.client("dynamodbstreams"),
            region=ctx.spec.region,
            console=ctx.console,
            delay_scale=ctx.delay_scale,
            send_failure=ctx.operator.send_record,
        )
        poller.start()
        pollers.append(poller)
    ctx.console.step(f"streams: {len(pollers)} mapping(s) polling")
    return pollers


def principals(
    spec: PlatformSpec, operator_key: Credentials, credentials: dict[str, Credentials]
) -> dict[str, str]:
    """Access key -> the IAM principal AppSync names in an IAM caller's identity: the
    operator's user, and each function's role session."""
    account = spec.account_id
    found = {operator_key.access_key_id: f"arn:aws:iam::{account}:user/local-client"}
    for name, function in spec.functions.items():
        role = function.role.rsplit("/", 1)[-1]
        found[credentials[name].access_key_id] = (
            f"arn:aws:sts::{account}:assumed-role/{role}/{name}"
        )
    return found


def event_api(
    ctx: Context,
    apis: tuple[EventApiSpec, ...],
    registry: Functions,
    *,
    host: str,
    api_key: str,
    secrets: dict[str, str],
    principals: dict[str, str],
    identities: dict[str, Identity],
    verifier: Callable[[str], JwtVerifier],
    ka_interval: float,
) -> tuple[EventApi, web.Application] | None:
    """The plan's Event API (the runtime serves one) and its app, or None when it has none."""
    if len(apis) > 1:
        raise UnsupportedError("the local runtime serves one Event API; the plan has more")
    if not apis:
        return None
    authorizer = Authorizer(
        apis[0],
        host=host,
        api_key=api_key,
        secrets=secrets,
        principals=principals,
        identities=identities,
        verifier=verifier,
        functions=registry,
        region=ctx.spec.region,
        account_id=ctx.spec.account_id,
    )
    api = EventApi(apis[0], authorizer, registry, ctx.console, ctx.faults)
    return api, event_api_app(api, Realtime(api, ctx.console, ka_interval))


def schedules(ctx: Context, registry: Functions) -> list[ScheduleRunner]:
    """A runner per planned schedule, started."""
    runners = []
    for spec in ctx.spec.schedules:
        if spec.function not in registry:
            raise UnsupportedError(f"{spec.address}: function {spec.function} is not in the plan")
        runner = ScheduleRunner(spec, registry, ctx.console, ctx.delay_scale)
        runner.start()
        runners.append(runner)
    if runners:
        ctx.console.step(
            "schedules: "
            + ", ".join(f"{r.spec.name} every {r.interval:g} s" for r in runners)
            + f" (--delay-scale {ctx.delay_scale:g})"
        )
    return runners


def webhook_parameters(ctx: Context, registry: Functions, receiver: str) -> None:
    """As an operator would: store the webhook URL where each function reads it."""
    ssm = ctx.operator.client("ssm")
    for name, function in registry.items():
        env = function.spec.environment
        if env.get("WEBHOOK_URL_STORE") == "ssm" and env.get("WEBHOOK_URL_NAME"):
            ssm.put_parameter(
                Name=env["WEBHOOK_URL_NAME"],
                Value=f"{receiver}/{name}",
                Type="SecureString",
                Overwrite=True,
            )
            ctx.console.line(
                f"    {name}: webhook URL stored in SSM {env['WEBHOOK_URL_NAME']}", "dim"
            )


def status(
    registry: Functions,
    mappings: list[StreamMapping],
    event_bus: EventBus | None,
    faults: Faults,
    *,
    aws: LocalAws | None = None,
    runners: list[ScheduleRunner] | None = None,
) -> dict[str, Any]:
    """``GET /_local/status``: each function, what is in flight, ``idle``, the faults, the
    schedules and how often each ran."""
    functions_status = {
        name: {
            "invocations": f.invocations,
            "errors": f.errors,
            "waiting": f.backlog,
            "running": f.running,
            "pids": sorted(w.process.pid for w in f.workers),
            "concurrency": f.concurrency(),
            # What the plan gave the function, resolved: tests tie it to the code.
            "handler": f.spec.handler,
            "environment": f.spec.environment,
        }
        for name, f in registry.items()
    }
    streams_busy = any(m.busy for m in mappings)
    delivering = event_bus.delivering if event_bus else 0
    idle = (
        not streams_busy
        and delivering == 0
        and all(not f["running"] and f["waiting"] == 0 for f in functions_status.values())
    )
    return {
        "functions": functions_status,
        "streams_busy": streams_busy,
        "deliveries": delivering,
        "idle": idle,
        "faults": faults.snapshot(),
        "schedules": {r.spec.name: r.status() for r in runners or []},
        "streams": {}
        if aws is None
        else {
            "retentionSeconds": aws.retention.seconds,
            "recordsTrimmed": aws.retention.trimmed,
        },
    }
