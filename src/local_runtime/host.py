"""The platform on this machine: plan, local AWS, functions, bus, streams, APIs, outputs.

``Platform.start`` plans ``terraform/`` (``plan``), binds every port, starts the local AWS and
makes the plan's user pools in it, reads the rest of the plan with the local values in place,
creates what moto holds, and wires each service to the one registry of functions
(``functions.registry``) and the one fault registry (``faults``). ``stop`` ends exactly what
``start`` began. A refusal at start is a ``StartError`` (``errors``): ``run`` prints it and
exits 2.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import secrets
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from local_runtime import services
from local_runtime.apigateway.httpapi import http_api_app
from local_runtime.appsync.api import EventApi
from local_runtime.aws.operator import Operator
from local_runtime.aws.provision import provision
from local_runtime.aws.server import LocalAws
from local_runtime.cloudfront.site import web_app
from local_runtime.cognito.pools import create_local_user, create_user_pools, pool_of
from local_runtime.cognito.tokens import JwtVerifier
from local_runtime.console import Console
from local_runtime.control import Control
from local_runtime.errors import StartError
from local_runtime.events.bus import EventBus
from local_runtime.faults import Faults
from local_runtime.functions.invoke import InvokeApi
from local_runtime.functions.registry import Functions
from local_runtime.functions.runtime import Credentials
from local_runtime.functions.streams import StreamMapping
from local_runtime.iam.roles import check_setup, function_identities
from local_runtime.listeners import Servers, address, bind
from local_runtime.outputs import print_ready, write_outputs
from local_runtime.plan.changes import Plan
from local_runtime.plan.equivalents import API_KEY, AWS_ENDPOINT, HTTP_API_ENDPOINT, WEB_HOST
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.eventapi import read_event_apis, stack_outputs
from local_runtime.plan.fixture import load as load_fixture
from local_runtime.plan.iam import read_role_policies
from local_runtime.plan.models import PlatformSpec
from local_runtime.plan.platform import read_platform
from local_runtime.plan.terraform import plan_json
from local_runtime.scheduler.runner import ScheduleRunner
from local_runtime.tls import local_ca, server_context
from local_runtime.wafv2.acl import WebAcl


@dataclass(frozen=True)
class Options:
    repo: Path
    root: Path
    tfvars: Path
    zip_path: Path
    work: Path
    out: Path
    aws_port: int = 4566
    http_port: int = 4567
    events_port: int = 4568
    control_port: int = 4569
    web_port: int = 4570
    web_dir: Path = Path("dist/web")
    code: str = "src"
    delay_scale: float = 0.01
    concurrency: int = 2  # workers of one function at once (--concurrency)
    ka_interval: float = 60.0
    local_user: str = "local-user@example.com"
    extra_code: tuple[Path, ...] = ()
    verbosity: int = 1
    faults: tuple[tuple[str, float], ...] = ()  # kind -> rate at start (off by default)
    stream_retention: float = 24 * 3600  # seconds a DynamoDB stream record lives (AWS: 24 h)
    plan_file: Path | None = None  # a trimmed plan (plan/fixture.py) instead of planning


def _pair(credentials: Credentials) -> tuple[str, str]:
    return credentials.access_key_id, credentials.secret_access_key


def _key(label: str) -> Credentials:
    tag = "".join(c for c in label.upper() if c.isalnum())[-10:].rjust(10, "X")
    return Credentials(
        f"AKIALOCAL{tag}{secrets.token_hex(1).upper()}"[:20], secrets.token_urlsafe(30)
    )


class Platform:
    def __init__(self, options: Options, console: Console) -> None:
        self.options = options
        self.console = console
        self.servers = Servers()
        self.faults = Faults()
        problem = self.faults.configure(dict(options.faults))
        if problem:
            raise StartError(f"--faults: {problem}")
        self.functions = Functions({})
        self.mappings: list[StreamMapping] = []
        self.schedules: list[ScheduleRunner] = []
        self.aws: LocalAws | None = None
        self.bus: EventBus | None = None
        self.events: EventApi | None = None
        self.local_users: list[dict[str, str]] = []

    def _dim(self, text: str) -> None:
        self.console.line(f"    {text}", "dim")

    async def start(self) -> None:
        options, started = self.options, time.monotonic()
        self.console.step(f"planning {options.root.name}/ with {options.tfvars.name}")
        plan = await self._plan()
        self.console.step("starting the local AWS (moto) with the platform's services in front")
        sockets = {
            name: bind(port)
            for name, port in (
                ("http", options.http_port),
                ("control", options.control_port),
                ("events", options.events_port),
                ("web", options.web_port),
            )
        }
        operator_key = _key("client")
        keys = {operator_key.access_key_id: operator_key.secret_access_key}
        self.aws = aws = LocalAws(
            options.aws_port,
            keys,
            self.faults,
            operator_keys=frozenset(keys),
            retention_seconds=options.stream_retention,
        )
        aws.start()
        cognito = aws.client("cognito-idp", plan.region, *_pair(operator_key))
        pools = await asyncio.to_thread(create_user_pools, plan, cognito, self._dim)
        self.local_users = [
            await asyncio.to_thread(create_local_user, cognito, pool, options.local_user)
            for pool in pools.pools.values()
        ]
        api_key = "da2-local" + secrets.token_hex(13)
        replacements = {
            AWS_ENDPOINT: aws.endpoint,
            HTTP_API_ENDPOINT: f"http://{address(sockets['http'])}",
            WEB_HOST: address(sockets["web"]),
            **pools.replacements,
            API_KEY: api_key,
            **stack_outputs(plan, {"events_host": address(sockets["events"])}),
        }
        spec = read_platform(plan, replacements)
        aws.arn_prefix = f"arn:aws:dynamodb:{spec.region}:{spec.account_id}:"
        ctx = services.Context(
            spec,
            Operator(aws, spec.region, spec.account_id, *_pair(operator_key)),
            self.console,
            self.faults,
            options.delay_scale,
            options.concurrency,
        )
        credentials = {name: _key(name) for name in spec.functions}
        keys.update({c.access_key_id: c.secret_access_key for c in credentials.values()})
        # Each function acts as its role: IAM decides its requests (iam/).
        identities = function_identities(spec, read_role_policies(plan, replacements))
        check_setup(spec, identities)
        aws.identities = {credentials[name].access_key_id: i for name, i in identities.items()}
        stream_arns = await asyncio.to_thread(provision, spec, ctx.operator.client, self._dim)
        ca_file = options.work / "ca" / "ca.pem"
        ca = local_ca(ca_file.parent)
        self.functions = services.functions(
            ctx,
            credentials,
            code=(options.code, options.repo, options.zip_path, options.work),
            out=options.out,
            ca_file=ca_file,
            extra_code=options.extra_code,
        )
        loop = asyncio.get_running_loop()
        self.bus = services.bus(ctx, self.functions, options.out / "archive")
        self.bus.loop = loop
        aws.events = self.bus.handle
        aws.invoke = InvokeApi(
            self.functions, loop, f"arn:aws:lambda:{spec.region}:{spec.account_id}:function:"
        )
        self.mappings = services.streams(ctx, self.functions, stream_arns)
        self.schedules = services.schedules(ctx, self.functions)
        event_api = services.event_api(
            ctx,
            read_event_apis(plan, replacements),
            self.functions,
            host=address(sockets["events"]),
            api_key=api_key,
            secrets=keys,
            principals=services.principals(spec, operator_key, credentials),
            identities=aws.identities,
            verifier=self._verifier,
            ka_interval=options.ka_interval,
        )
        self.events, events_app = event_api if event_api else (None, None)
        control_url = f"http://{address(sockets['control'])}"
        await self._serve(spec, sockets, events_app, ca, ca_file)
        services.webhook_parameters(ctx, self.functions, f"{control_url}/hooks")
        outputs_path = options.out / "outputs.json"
        outputs = write_outputs(
            outputs_path,
            spec.outputs,
            {
                "aws_endpoint_url": aws.endpoint,
                "aws_region": spec.region,
                "aws_access_key_id": operator_key.access_key_id,
                "aws_secret_access_key": operator_key.secret_access_key,
                "webhook_messages_url": f"{control_url}/hooks",
                "local_control_url": control_url,
                "local_logs_dir": str((options.out / "logs").resolve()),
                "local_ca_file": str(ca_file.resolve()),
            },
            self.local_users,
        )
        print_ready(
            self.console,
            outputs,
            self.local_users,
            self.faults,
            seconds=time.monotonic() - started,
            path=outputs_path,
        )

    async def _plan(self) -> Plan:
        """The plan of the root, with the package and the web build it reads (or the saved
        plan of ``--plan``)."""
        options = self.options
        if options.plan_file is not None:
            self._dim(f"the saved plan {options.plan_file.name} (no terraform)")
            return Plan(load_fixture(options.plan_file, options.repo))
        if not options.zip_path.is_file():
            raise StartError(
                f"{options.zip_path} is missing: run `make package` first (the plan hashes it)"
            )
        if not (options.web_dir / "index.html").is_file():
            raise StartError(
                f"{options.web_dir}/index.html is missing: run `make web` first (the plan "
                "uploads the built app)"
            )
        raw = await asyncio.to_thread(
            functools.partial(
                plan_json,
                options.repo,
                options.root,
                options.tfvars,
                options.work,
                variables={
                    "lambda_zip": str(options.zip_path.resolve()),
                    "web": {"source_dir": str(options.web_dir.resolve())},
                },
                inputs=(options.zip_path, options.web_dir),
                say=self._dim,
            )
        )
        return Plan(raw)

    async def _serve(
        self,
        spec: PlatformSpec,
        sockets: dict[str, socket.socket],
        events_app: web.Application | None,
        ca: Any,
        ca_file: Path,
    ) -> None:
        """Serve the Event API, the HTTP API, the control API and the web app, each on its
        socket; a service the plan does not have closes its socket."""
        bus = self.bus
        assert bus is not None  # noqa: S101 - made before
        if self.events is None or events_app is None:
            sockets["events"].close()
        else:
            await self.servers.serve(events_app, sockets["events"], server_context(ca))
            self.console.step(
                f"Event API: {', '.join(self.events.spec.namespaces)} on "
                f"https://{address(sockets['events'])} (modes "
                f"{', '.join(self.events.spec.providers)}; CA {ca_file})"
            )
        http = http_api_app(
            spec.http_apis,
            lambda entries: bus.handle("PutEvents", {"Entries": entries}),
            self.console,
            self._verifier,
            functions=self.functions,
            account_id=spec.account_id,
        )
        await self.servers.serve(http, sockets["http"])
        self.console.step(f"HTTP API: {sum(len(a.routes) for a in spec.http_apis)} route(s)")
        control = Control(
            self.console,
            lambda: services.status(
                self.functions,
                self.mappings,
                self.bus,
                self.faults,
                aws=self.aws,
                runners=self.schedules,
            ),
            self.faults,
            functions=self.functions,
            drop_connections=self.events.drop_connections if self.events else None,
            retention=self.aws.retention if self.aws else None,
        )
        await self.servers.serve(control.app(), sockets["control"])
        if not spec.websites or self.aws is None:
            sockets["web"].close()
            return
        site = spec.websites[0]
        web_acl = None
        if site.web_acl is not None:
            web_acl = WebAcl(site.web_acl.name, site.web_acl.planned)
            self.console.step(
                f"web ACL {web_acl.name}: {len(web_acl.rules)} rule(s) applied in front of the "
                "web app and its API paths"
            )
            for rule, why in web_acl.not_applied.items():
                self._dim(f"not applied here: {rule} ({why})")
        elif site.web_acl_elsewhere:
            self._dim(f"web ACL {site.web_acl_elsewhere} is not the plan's: not applied here")
        api_base = None
        if site.api_origin == HTTP_API_ENDPOINT.removeprefix("https://"):
            api_base = f"http://{address(sockets['http'])}"
        app = web_app(site, self.aws.endpoint, self.console, api_base=api_base, web_acl=web_acl)
        await self.servers.serve(app, sockets["web"], server_context(ca))
        self.console.step(
            f"web app: {len(site.files)} files on https://{address(sockets['web'])} (CA {ca_file})"
        )

    def _verifier(self, issuer: str) -> JwtVerifier:
        """The token checker of a user pool of the plan (the only issuers reachable here)."""
        pool = pool_of(issuer)
        if pool is None or self.aws is None:
            raise UnsupportedError(
                f"JWT issuer {issuer} is not a Cognito user pool of the plan; no other issuer "
                "is reachable from this machine"
            )
        return JwtVerifier(issuer, f"{self.aws.endpoint}/{pool}/.well-known/jwks.json")

    async def stop(self) -> None:
        for runner in self.schedules:
            await runner.stop()
        for mapping in self.mappings:
            await mapping.stop()
        workers = await self.functions.stop()
        await self.servers.stop()
        if self.aws is not None:
            await asyncio.to_thread(self.aws.stop)
        self.console.step(f"stopped: {workers} worker(s), the servers and the local AWS")


async def run(options: Options, console: Console) -> int:
    platform = Platform(options, console)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stopping.set)
    try:
        try:
            await platform.start()
        except StartError as exc:
            console.line(f"local runtime refused to start: {exc}", "fail")
            return 2
        await stopping.wait()
    finally:
        await platform.stop()
        if os.environ.get("LOCAL_RUNTIME_DEBUG"):
            console.line("debug: stop complete")
    return 0
