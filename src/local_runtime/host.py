"""The platform on this machine: plan, local AWS, workers, bus, streams, HTTP API, outputs."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import platform as host
import secrets
import shutil
import socket
import ssl
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trustme
from aiohttp import web

from local_runtime.apigateway.httpapi import http_api_app
from local_runtime.appsync.api import EventApi
from local_runtime.aws.provision import provision
from local_runtime.aws.server import LocalAws
from local_runtime.cloudfront.site import web_app
from local_runtime.cognito.pools import create_local_user, create_user_pools, pool_of
from local_runtime.cognito.tokens import JwtVerifier
from local_runtime.console import Console
from local_runtime.control import Control
from local_runtime.events.bus import Deliverers, EventBus
from local_runtime.faults import Faults
from local_runtime.functions.runtime import CodeWatcher, Credentials, FunctionRuntime
from local_runtime.functions.streams import StreamMapping
from local_runtime.plan.equivalents import API_KEY, AWS_ENDPOINT, HTTP_API_ENDPOINT, WEB_HOST
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.eventapi import EventApiSpec, read_event_apis, stack_outputs
from local_runtime.plan.models import PlatformSpec
from local_runtime.plan.platform import read_platform
from local_runtime.plan.terraform import plan_json
from local_runtime.tls import local_ca, server_context


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
    ka_interval: float = 60.0
    local_user: str = "local-user@example.com"
    extra_code: tuple[Path, ...] = ()
    verbosity: int = 1
    faults: tuple[tuple[str, float], ...] = ()  # kind -> rate at start (off by default)


def _socket(port: int, listen: bool = True) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise UnsupportedError(
            f"port {port} on 127.0.0.1 is taken ({exc.strerror}): choose another, or 0 for a "
            "free one"
        ) from exc
    if listen:
        sock.listen(128)
    return sock


def _key(label: str) -> Credentials:
    tag = "".join(c for c in label.upper() if c.isalnum())[-10:].rjust(10, "X")
    return Credentials(
        f"AKIALOCAL{tag}{secrets.token_hex(1).upper()}"[:20], secrets.token_urlsafe(30)
    )


class Platform:
    def __init__(self, options: Options, console: Console) -> None:
        self.options = options
        self.console = console
        self.functions: dict[str, FunctionRuntime] = {}
        self.mappings: list[StreamMapping] = []
        self.runners: list[web.AppRunner] = []
        self.aws: LocalAws | None = None
        self.bus: EventBus | None = None
        self.events: EventApi | None = None
        self.local_users: list[dict[str, str]] = []
        self.spec: PlatformSpec | None = None
        self.outputs: dict[str, dict[str, Any]] = {}
        self.faults = Faults()
        problem = self.faults.configure(dict(options.faults))
        if problem:
            raise UnsupportedError(f"--faults: {problem}")

    # --- start ------------------------------------------------------------------------------

    async def start(self) -> None:
        options, say = self.options, self.console.step
        started = time.monotonic()
        say(f"planning {options.root.name}/ with {options.tfvars.name}")
        self._check_inputs()
        plan = await asyncio.to_thread(
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
                say=lambda text: self.console.line(f"    {text}", "dim"),
            )
        )

        client = _key("client")
        say("starting the local AWS (moto) with the platform's EventBridge in front")
        http_socket = _socket(options.http_port)
        control_socket = _socket(options.control_port)
        events_socket = _socket(options.events_port)
        web_socket = _socket(options.web_port)
        events_host = f"127.0.0.1:{events_socket.getsockname()[1]}"
        api_key = "da2-local" + secrets.token_hex(13)
        credentials: dict[str, Credentials] = {}
        secrets_by_key: dict[str, str] = {client.access_key_id: client.secret_access_key}
        self.aws = self._start_aws(client, secrets_by_key)
        region = str(((plan.get("variables") or {}).get("region") or {}).get("value"))
        cognito = self.aws.client(
            "cognito-idp", region, client.access_key_id, client.secret_access_key
        )
        pools = await asyncio.to_thread(
            create_user_pools, plan, cognito, lambda text: self.console.line(f"    {text}", "dim")
        )
        self.local_users = [
            await asyncio.to_thread(create_local_user, cognito, pool_id, options.local_user)
            for pool_id in pools.pools.values()
        ]
        replacements = {
            AWS_ENDPOINT: self.aws.endpoint,
            HTTP_API_ENDPOINT: f"http://127.0.0.1:{http_socket.getsockname()[1]}",
            WEB_HOST: f"127.0.0.1:{web_socket.getsockname()[1]}",
            **pools.replacements,
            API_KEY: api_key,
            **stack_outputs(plan, {"events_host": events_host}),
        }
        self.spec = spec = read_platform(plan, replacements)
        self.aws.arn_prefix = f"arn:aws:dynamodb:{spec.region}:{spec.account_id}:"
        for name in spec.functions:
            credentials[name] = _key(name)
            secrets_by_key[credentials[name].access_key_id] = credentials[name].secret_access_key
        streams = await asyncio.to_thread(
            provision, spec, self._client, lambda text: self.console.line(f"    {text}", "dim")
        )

        ca = local_ca(options.work / "ca")
        ca_file = options.work / "ca" / "ca.pem"
        code_dir, watch = self._code()
        watcher = CodeWatcher(watch)
        logs = options.out / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        say(f"{len(spec.functions)} functions, code from {code_dir}, logs in {logs}")
        for name, function in spec.functions.items():
            self.functions[name] = FunctionRuntime(
                function,
                region=spec.region,
                code_dir=code_dir,
                watcher=watcher,
                credentials=credentials[name],
                aws_endpoint=self.aws.endpoint,
                log_dir=logs,
                console=self.console,
                delay_scale=options.delay_scale,
                send_failure=self._send_record,
                ca_file=ca_file,
                extra_code=options.extra_code,
            )

        self.bus = EventBus(
            spec,
            Deliverers(
                invoke_async=lambda name, payload, corr: self.functions[name].invoke_async(
                    payload, corr
                ),
                send_sqs=self._send_sqs,
                has_function=lambda name: name in self.functions,
            ),
            self.console,
            options.out / "archive",
            options.delay_scale,
            faults=self.faults,
        )
        self.bus.loop = asyncio.get_running_loop()
        say(
            f"bus: {len(spec.buses)} bus(es), {len(spec.rules)} rules, "
            f"{sum(len(r.targets) for r in spec.rules.values())} targets"
        )

        self._start_streams(streams)
        say(f"streams: {len(self.mappings)} mapping(s) polling")

        await self._start_event_api(
            read_event_apis(plan, replacements),
            events_socket,
            client=client,
            credentials=credentials,
            events_host=events_host,
            api_key=api_key,
            ca=ca,
        )

        control = Control(self.console, self.status, self.faults)
        control.inject = self.inject
        await self._serve(
            http_api_app(
                spec.http_apis,
                self._put_entries,
                self.console,
                self._verifier,
                invoke=lambda name, event, request_id: self.functions[name].invoke(
                    event, request_id, request_id
                ),
                account_id=spec.account_id,
            ),
            http_socket,
        )
        await self._serve(control.app(), control_socket)
        await self._start_web(web_socket, ca, ca_file)
        control_url = f"http://127.0.0.1:{control_socket.getsockname()[1]}"
        self._webhook_parameters(f"{control_url}/hooks")
        say(f"HTTP API: {sum(len(a.routes) for a in spec.http_apis)} route(s)")

        self._write_outputs(client, control_url, logs, ca_file)
        self._print_table(time.monotonic() - started)

    def _start_aws(self, client: Credentials, secrets_by_key: dict[str, str]) -> LocalAws:
        """moto behind the platform's own EventBridge and Lambda Invoke, with the fault
        switch; requests signed by ``client`` (the operator) are never faulted."""
        aws = LocalAws(
            self.options.aws_port,
            secrets_by_key,
            self._events,
            self._lambda_invoke,
            faults=self.faults,
            operator_keys=frozenset({client.access_key_id}),
        )
        aws.start()
        return aws

    def _check_inputs(self) -> None:
        """The files the plan reads must exist before it is made."""
        options = self.options
        if not options.zip_path.is_file():
            raise UnsupportedError(
                f"{options.zip_path} is missing: run `make package` first (the plan hashes it)"
            )
        if not (options.web_dir / "index.html").is_file():
            raise UnsupportedError(
                f"{options.web_dir}/index.html is missing: run `make web` first (the plan "
                "uploads the built app)"
            )

    async def _start_web(self, web_socket: socket.socket, ca: trustme.CA, ca_file: Path) -> None:
        """Serve the plan's web app (one) on its TLS socket, or close the socket."""
        aws, spec = self._parts()
        if not spec.websites:
            web_socket.close()
            return
        site = spec.websites[0]
        await self._serve(web_app(site, aws.endpoint, self.console), web_socket, server_context(ca))
        self.console.step(
            f"web app: {len(site.files)} files on https://127.0.0.1:{web_socket.getsockname()[1]}"
            f" (CA {ca_file})"
        )

    async def _start_event_api(
        self,
        apis: tuple[EventApiSpec, ...],
        events_socket: socket.socket,
        *,
        client: Credentials,
        credentials: dict[str, Credentials],
        events_host: str,
        api_key: str,
        ca: trustme.CA,
    ) -> None:
        """Serve the plan's Event API (one) on its TLS socket, or close the socket."""
        aws, spec = self._parts()
        options, say = self.options, self.console.step
        ca_file = options.work / "ca" / "ca.pem"
        if len(apis) > 1:
            raise UnsupportedError("the local runtime serves one Event API; the plan has more")
        if not apis:
            events_socket.close()
            return
        principals = {client.access_key_id: f"arn:aws:iam::{spec.account_id}:user/local-client"}
        for name, function in spec.functions.items():
            role = function.role.rsplit("/", 1)[-1]
            principals[credentials[name].access_key_id] = (
                f"arn:aws:sts::{spec.account_id}:assumed-role/{role}/{name}"
            )
        self.events = EventApi(
            apis[0],
            host=events_host,
            api_key=api_key,
            secrets=aws.secrets,
            principals=principals,
            verifier=self._verifier,
            functions=self.functions,
            console=self.console,
            ka_interval=options.ka_interval,
            region=spec.region,
            account_id=spec.account_id,
            faults=self.faults,
        )
        await self._serve(self.events.app(), events_socket, server_context(ca))
        say(
            f"Event API: {', '.join(apis[0].namespaces)} on https://{events_host} "
            f"(modes {', '.join(apis[0].providers)}; CA {ca_file})"
        )

    def _start_streams(self, streams: dict[str, str]) -> None:
        _, spec = self._parts()
        for mapping in spec.mappings:
            stream = streams.get(mapping.table)
            if stream is None or mapping.function not in self.functions:
                raise UnsupportedError(
                    f"{mapping.address}: table {mapping.table} has no stream, or function "
                    f"{mapping.function} is not in the plan"
                )
            poller = StreamMapping(
                mapping,
                stream_arn=stream,
                function=self.functions[mapping.function],
                client=self._client("dynamodbstreams"),
                region=spec.region,
                console=self.console,
                delay_scale=self.options.delay_scale,
                send_failure=self._send_record,
            )
            poller.start()
            self.mappings.append(poller)

    def _write_outputs(
        self, client: Credentials, control_url: str, logs: Path, ca_file: Path
    ) -> None:
        aws, spec = self._parts()
        options = self.options
        self.outputs = dict(spec.outputs)
        extras = {
            "aws_endpoint_url": aws.endpoint,
            "aws_region": spec.region,
            "aws_access_key_id": client.access_key_id,
            "aws_secret_access_key": client.secret_access_key,
            "webhook_messages_url": f"{control_url}/hooks",
            "local_control_url": control_url,
            "local_logs_dir": str(logs.resolve()),
            "local_ca_file": str(ca_file.resolve()),
        }
        for name, value in extras.items():
            self.outputs[name] = {
                "value": value,
                "type": "string",
                "sensitive": name == "aws_secret_access_key",
            }
        if self.local_users:
            self.outputs["local_users"] = {
                "value": self.local_users,
                "type": [
                    "tuple",
                    [["object", dict.fromkeys(u, "string")] for u in self.local_users],
                ],
                "sensitive": True,
            }
        options.out.mkdir(parents=True, exist_ok=True)
        (options.out / "outputs.json").write_text(json.dumps(self.outputs, indent=2) + "\n")

    def _code(self) -> tuple[Path, Path | None]:
        options = self.options
        if options.code == "src":
            return options.repo / "src", options.repo / "src" / "handlers"
        target = options.work / "code"
        shutil.rmtree(target, ignore_errors=True)
        with zipfile.ZipFile(options.zip_path) as zf:
            zf.extractall(target)
        machine = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}
        arch = machine.get(host.machine().lower(), host.machine())
        cores = list(target.glob("pydantic_core/_pydantic_core.*.so"))
        if cores and not any(arch in core.name for core in cores):
            raise UnsupportedError(
                f"{options.zip_path} is built for another architecture ({cores[0].name}); this "
                f"machine is {arch}. Build one for it: .venv/bin/tox run -e package -- "
                f"--architecture {'x86_64' if arch == 'x86_64' else 'arm64'} "
                f"--out dist/handlers-{arch}.zip, then --zip dist/handlers-{arch}.zip"
            )
        return target, None

    def _webhook_parameters(self, receiver: str) -> None:
        """As an operator would: store the webhook URL where each function reads it."""
        ssm = self._client("ssm")
        for name, function in self.functions.items():
            env = function.spec.environment
            if env.get("WEBHOOK_URL_STORE") == "ssm" and env.get("WEBHOOK_URL_NAME"):
                ssm.put_parameter(
                    Name=env["WEBHOOK_URL_NAME"],
                    Value=f"{receiver}/{name}",
                    Type="SecureString",
                    Overwrite=True,
                )
                self.console.line(
                    f"    {name}: webhook URL stored in SSM {env['WEBHOOK_URL_NAME']}", "dim"
                )

    async def _serve(
        self, app: web.Application, sock: socket.socket, tls: ssl.SSLContext | None = None
    ) -> None:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, sock, ssl_context=tls).start()
        self.runners.append(runner)

    def _print_table(self, seconds: float) -> None:
        rows = [(k, v["value"]) for k, v in self.outputs.items() if isinstance(v["value"], str)]
        width = max(len(k) for k, _ in rows)
        self.console.line("")
        for key, value in sorted(rows):
            shown = "(in outputs.json)" if self.outputs[key]["sensitive"] else value
            self.console.line(f"  {key:<{width}}  {shown}")
        web_url = (self.outputs.get("web_url") or {}).get("value")
        if web_url:
            self.console.line("")
            self.console.line(f"  Open {web_url} and sign in as:", "bold")
        for user in self.local_users:
            # A throwaway user of a throwaway pool on 127.0.0.1: printing it is the walkthrough.
            self.console.line(
                f"  local user: {user['username']}  password: {user['password']}  "
                f"(user id {user['user_id']})"
            )
        if self.local_users:
            self.console.line(
                "  its tokens: aws --endpoint-url <aws_endpoint_url> cognito-idp initiate-auth "
                "--auth-flow USER_PASSWORD_AUTH --client-id <cognito_user_pool_client_id> "
                "--auth-parameters USERNAME=<username>,PASSWORD=<password>"
            )
        self.console.line("")
        if self.faults.active:
            rates = ", ".join(f"{k} {v:.0%}" for k, v in self.faults.rates.items() if v)
            self.console.line(f"  fault injection is ON: {rates}", "warn")
        self.console.step(
            f"ready in {seconds:.1f} s: {self.options.out / 'outputs.json'} (Ctrl-C stops "
            "everything)"
        )

    # --- what the parts call ----------------------------------------------------------------

    def _verifier(self, issuer: str) -> JwtVerifier:
        """The token checker of a user pool of the plan (the only issuers reachable here)."""
        aws, _ = self._parts()
        pool = pool_of(issuer)
        if pool is None:
            raise UnsupportedError(
                f"JWT issuer {issuer} is not a Cognito user pool of the plan; no other issuer "
                "is reachable from this machine"
            )
        return JwtVerifier(issuer, f"{aws.endpoint}/{pool}/.well-known/jwks.json")

    def _parts(self) -> tuple[LocalAws, PlatformSpec]:
        if self.aws is None or self.spec is None:
            raise RuntimeError("the platform is not started")
        return self.aws, self.spec

    def _bus(self) -> EventBus:
        if self.bus is None:
            raise RuntimeError("the bus is not running yet")
        return self.bus

    def _client(self, service: str) -> Any:
        aws, spec = self._parts()
        key = next(iter(aws.secrets))
        return aws.client(service, spec.region, key, aws.secrets[key])

    def _events(
        self, operation: str, payload: dict[str, Any], caller: str
    ) -> tuple[int, dict[str, Any]]:
        return self._bus().handle(operation, payload, caller)

    def _lambda_invoke(
        self, function: str, kind: str, payload: Any
    ) -> tuple[int, dict[str, str], bytes]:
        """Lambda's Invoke API on the local functions (called from the local AWS's thread)."""
        name = function.rsplit(":function:", maxsplit=1)[-1].split(":", maxsplit=1)[
            0
        ]  # a name, or an ARN
        runtime = self.functions.get(name)
        loop = self.bus.loop if self.bus is not None else None
        if runtime is None or loop is None:
            error = {"Type": "User", "Message": f"Function not found: {function}"}
            return (
                404,
                {"x-amzn-ErrorType": "ResourceNotFoundException"},
                json.dumps(error).encode(),
            )
        if kind == "Event":
            asyncio.run_coroutine_threadsafe(_call(runtime.invoke_async, payload), loop).result(10)
            return 202, {}, b""
        if kind == "DryRun":
            return 204, {}, b""
        result = asyncio.run_coroutine_threadsafe(runtime.invoke(payload), loop).result(900)
        headers = {} if result.ok else {"X-Amz-Function-Error": "Unhandled"}
        return 200, headers, json.dumps(result.payload).encode()

    def _put_entries(self, entries: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
        return self._bus().put_events(entries)

    def _queue_url(self, name: str) -> str:
        aws, spec = self._parts()
        return f"{aws.endpoint}/{spec.account_id}/{name}"

    def _send_sqs(self, queue: str, body: str, attributes: dict[str, str] | None) -> None:
        message: dict[str, Any] = {"QueueUrl": self._queue_url(queue), "MessageBody": body}
        if attributes:
            message["MessageAttributes"] = {
                k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
            }
        self._client("sqs").send_message(**message)

    async def _send_record(self, queue: str, record: dict[str, Any]) -> None:
        await asyncio.to_thread(self._send_sqs, queue, json.dumps(record), None)

    def inject(self, order: dict[str, Any]) -> str | None:
        if "rates" in order:
            return self._set_rates(order["rates"], order.get("seed"))
        count = int(order.get("count", 1))
        if "function" in order:
            function = self.functions.get(str(order["function"]))
            if function is not None and order.get("fault") in {"timeout", "crash"}:
                function.faults.extend([str(order["fault"])] * count)
                return None
            return (
                "fault must be timeout or crash"
                if function is not None
                else f"no function {order['function']!r} in the plan"
            )
        if "target" in order and self.bus is not None:
            self.bus.delivery_faults[str(order["target"])] = count
            return None
        if order.get("event_api") == "drop_connections" and self.events is not None:
            self.events.drop_connections()
            return None
        return "say which rates, function, target, webhook_status or event_api (drop_connections)"

    def _set_rates(self, rates: Any, seed: Any) -> str | None:
        problem = self.faults.configure(rates, seed)
        if problem is None:
            active = {k: v for k, v in self.faults.rates.items() if v}
            shown = ", ".join(f"{k} {v:.0%}" for k, v in active.items()) or "none (lifted)"
            self.console.hop("fault", f"fault rates: {shown}", tone="warn")
        return problem

    def status(self) -> dict[str, Any]:
        functions = {
            name: {
                "invocations": f.invocations,
                "errors": f.errors,
                "waiting": f.backlog,
                "running": f.lock.locked(),
                "pid": f.worker.process.pid if f.worker is not None else None,
                # What the plan gave the function, resolved: tests tie it to the code.
                "handler": f.spec.handler,
                "environment": f.spec.environment,
            }
            for name, f in self.functions.items()
        }
        streams_busy = any(m.busy for m in self.mappings)
        delivering = self.bus.delivering if self.bus else 0
        idle = (
            not streams_busy
            and delivering == 0
            and all(not f["running"] and f["waiting"] == 0 for f in functions.values())
        )
        return {
            "functions": functions,
            "streams_busy": streams_busy,
            "deliveries": delivering,
            "idle": idle,
            "faults": self.faults.snapshot(),
        }

    # --- stop -------------------------------------------------------------------------------

    async def stop(self) -> None:
        for mapping in self.mappings:
            await mapping.stop()
        workers = 0
        for function in self.functions.values():
            workers += function.worker is not None
            await function.stop()
        for runner in self.runners:
            await runner.cleanup()
        if self.aws is not None:
            await asyncio.to_thread(self.aws.stop)
        self.console.step(f"stopped: {workers} worker(s), the servers and the local AWS")


async def run(options: Options, console: Console) -> int:
    platform = Platform(options, console)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for signum in ("SIGINT", "SIGTERM"):
        with contextlib.suppress(NotImplementedError, AttributeError):
            loop.add_signal_handler(getattr(__import__("signal"), signum), stopping.set)
    try:
        try:
            await platform.start()
        except (UnsupportedError, RuntimeError) as exc:
            console.line(f"local runtime refused to start: {exc}", "fail")
            return 2
        await stopping.wait()
    finally:
        await platform.stop()
        if os.environ.get("LOCAL_RUNTIME_DEBUG"):
            console.line("debug: stop complete")
    return 0


async def _call(invoke_async: Callable[[Any, str], str], payload: Any) -> str:
    """Queue an asynchronous invocation on the runtime's loop (it schedules tasks there)."""
    return invoke_async(payload, "operator")
