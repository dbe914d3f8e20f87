"""`make bench`, local figures: the Event API and the async loop of `make local`, over the
network, in one run of the platform.

- publish -> subscriber delivery latency (p50, p99) over WebSocket publishes, with 1, 100 and
  1,000 subscribers, through the chat handler (`/chat/...`) and through a pass-through
  namespace (`/bench/...`, a handler that returns the items unchanged: `local/passthrough.py`,
  added to a copy of the root), so the table shows the handler's own share;
- answer -> report latency (p50, p99): an answer published on `/answers/<user>` until its
  report arrives on `/reports/<user>`, through the stream, the bus, the security service and
  report delivery;
- HTTP publish throughput over a fixed time, through both namespaces;
- fan-out: `platform-load` on the same platform, 1,000 subscribers on 10 channels, with its
  loss, latency and what the traffic would cost in AWS;
- durable channels: chat delivery with history on (the plan's default) against the same
  namespace with it off (a second platform of the same root with ``realtime_history = {}``),
  and a catch-up of 1,000 kept events (``GET <channel_history_url>/chat/...``, 10 pages);
- side by side (``peers.py``): the same delivery and HTTP figures, in the same run, against a
  bare broadcast server (the ceiling) and MiniStack's Event API, with the HTTP budgets: at
  least 2,000 publishes a second through the chat handler, and at least MiniStack's rate
  through a namespace without handlers.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent

BUDGETS = {
    "delivery_p99_ms": 50.0,
    "delivery_p99_1000_ms": 50.0,  # the same, with 1,000 subscribers on the channel
    "http_publish_chat_per_s": 2000.0,  # through the chat handler, on this 2-core machine
    "answer_report_p99_s": 1.5,
    "chat_vs_passthrough_ratio": 2.0,
    "history_on_vs_off_p99_ratio": 1.5,
    "catch_up_1000_s": 1.0,
}

BENCH_TF = """
# make bench: a pass-through handler (benchmarks/local/passthrough.py) for the bench namespace.
module "bench_passthrough" {
  source = "../modules/lambda-function"

  function_name    = "${local.prefix}-bench-passthrough"
  description      = "Returns every published item unchanged (make bench)."
  handler          = "passthrough.lambda_handler"
  filename         = local.lambda_zip
  async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }
}
"""


def bench_root(work: Path, history: bool = True) -> Path:
    """A copy of the root with the pass-through handler and its namespace `bench` (and,
    without ``history``, no durable namespace)."""
    ignore = shutil.ignore_patterns(".terraform", "terraform.tfstate*", "*.tfplan", "backend.tf")
    for name in ("terraform", "modules"):
        shutil.copytree(ROOT / name, work / name, ignore=ignore)
    root = work / "terraform"
    (root / "bench.tf").write_text(BENCH_TF)
    realtime = root / "realtime.tf"
    text = realtime.read_text()
    for old, new in (
        (
            "  lambda_data_sources = {\n",
            "  lambda_data_sources = {\n    bench = { function_arn = module.bench_passthrough."
            "function_arn }\n",
        ),
        (
            "  channel_namespaces = merge({\n",
            "  channel_namespaces = merge({\n"
            '    bench = { on_publish = { data_source = "bench" } }\n',
        ),
    ):
        if old not in text:
            raise SystemExit(f"bench: {old.strip()!r} not found in terraform/realtime.tf")
        text = text.replace(old, new, 1)
    realtime.write_text(text)
    if not history:
        tfvars = root / "environments" / "local.tfvars"
        # Presence keeps its companion namespace durable too: off as well, so nothing is.
        tfvars.write_text(tfvars.read_text() + "\nrealtime_history = {}\nrealtime_presence = {}\n")
    return root


class Platform:
    def __init__(self, work: Path, root: Path) -> None:
        self.work, self.root = work, root
        self.process: subprocess.Popen[bytes] | None = None
        self.outputs: dict[str, Any] = {}

    def start(self) -> None:
        out = self.work / "out"
        log = (self.work / "console.log").open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "local_runtime",
                "--root",
                str(self.root),
                "--var-file",
                str(self.root / "environments" / "local.tfvars"),
                "--out",
                str(out),
                "--work",
                str(self.work / "plans"),
                "--extra-code",
                str(HERE / "local"),
                "--aws-port",
                "0",
                "--http-port",
                "0",
                "--events-port",
                "0",
                "--control-port",
                "0",
                "-q",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit((self.work / "console.log").read_text())
            if (out / "outputs.json").is_file():
                raw = json.loads((out / "outputs.json").read_text())
                self.outputs = {k: v["value"] for k, v in raw.items()}
                return
            time.sleep(0.5)
        raise SystemExit("the local platform did not start in 240 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Api:
    """Where the bench's clients connect and publish. ``connect_to`` (host, port) dials an
    address other than the URL's (a peer that routes by host name); ``post_url`` is where
    HTTP publishes go, ``post_headers`` what they carry."""

    def __init__(self, outputs: dict[str, Any]) -> None:
        self.host = outputs["realtime_http_dns"]
        self.url = outputs["realtime_websocket_url"]
        self.publish_url = outputs["realtime_publish_url"]
        self.key = outputs["realtime_api_key"]
        ca = outputs.get("local_ca_file")
        self.tls: ssl.SSLContext | None = ssl.create_default_context(cafile=ca) if ca else None
        self.auth = {"host": self.host, "x-api-key": self.key}
        self.users = outputs.get("local_users") or []
        self.client_id = outputs.get("cognito_user_pool_client_id")
        self.connect_to: tuple[str, int] | None = None
        self.post_url = self.publish_url
        self.post_headers = {"content-type": "application/json", "x-api-key": self.key}

    async def socket(self, auth: dict[str, str] | None = None) -> ClientConnection:
        import base64

        header = base64.urlsafe_b64encode(json.dumps(auth or self.auth).encode()).decode()
        dial = {"host": self.connect_to[0], "port": self.connect_to[1]} if self.connect_to else {}
        ws = await connect(
            self.url,
            subprotocols=["aws-appsync-event-ws", "header-" + header.rstrip("=")],  # type: ignore[list-item]
            ssl=self.tls,
            max_queue=None,
            **dial,  # type: ignore[arg-type]
        )
        await ws.send(json.dumps({"type": "connection_init"}))
        await expect(ws, "connection_ack")
        return ws


async def expect(ws: ClientConnection, kind: str, sub_id: str | None = None) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if message.get("type") == kind and (sub_id is None or message.get("id") == sub_id):
            return dict(message)
        if message.get("type", "").endswith("_error"):
            raise SystemExit(f"bench: {message}")


async def subscribe(ws: ClientConnection, channel: str, auth: dict[str, str]) -> str:
    sub_id = str(uuid.uuid4())
    await ws.send(
        json.dumps({"type": "subscribe", "id": sub_id, "channel": channel, "authorization": auth})
    )
    await expect(ws, "subscribe_success", sub_id)
    return sub_id


async def delivery(api: Api, namespace: str, subscribers: int, messages: int) -> dict[str, Any]:
    """Latency from sending a WebSocket publish to each subscriber's data message."""
    channel = f"/{namespace}/bench-{uuid.uuid4().hex[:8]}"
    sockets = [await api.socket() for _ in range(subscribers)]
    for ws in sockets:
        await subscribe(ws, channel, api.auth)
    sent: dict[str, float] = {}
    latencies: list[float] = []
    done = asyncio.Event()
    expected = subscribers * messages

    async def listen(ws: ClientConnection) -> None:
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") != "data":
                continue
            marker = json.loads(message["event"]).get("clientMessageId")
            if marker in sent:
                latencies.append(time.perf_counter() - sent[marker])
                if len(latencies) >= expected:
                    done.set()

    listeners = [asyncio.ensure_future(listen(ws)) for ws in sockets]
    publisher = await api.socket()
    # One publish first, not timed: the handler's cold start is `make bench`'s cold-init figure.
    warm_up = str(uuid.uuid4())
    await publisher.send(
        json.dumps(
            {
                "type": "publish",
                "id": warm_up,
                "channel": channel,
                "events": [json.dumps({"text": "warm-up"})],
                "authorization": api.auth,
            }
        )
    )
    await expect(publisher, "publish_success", warm_up)
    for n in range(messages):
        marker = f"m{n}"
        payload = json.dumps(
            {"text": "hello, this is a benchmark message", "clientMessageId": marker}
        )
        sent[marker] = time.perf_counter()
        publish_id = str(uuid.uuid4())
        await publisher.send(
            json.dumps(
                {
                    "type": "publish",
                    "id": publish_id,
                    "channel": channel,
                    "events": [payload],
                    "authorization": api.auth,
                }
            )
        )
        await expect(publisher, "publish_success", publish_id)
    await asyncio.wait_for(done.wait(), 120)
    for task in listeners:
        task.cancel()
    for ws in [*sockets, publisher]:
        await ws.close()
    ms = [x * 1000 for x in latencies]
    return {
        "namespace": namespace,
        "subscribers": subscribers,
        "messages": messages,
        "deliveries": len(ms),
        "p50_ms": percentile(ms, 0.50),
        "p99_ms": percentile(ms, 0.99),
    }


async def answer_to_report(api: Api, answers: int) -> dict[str, Any]:
    """An answer published on /answers/<user> until its report arrives on /reports/<user>."""
    user = api.users[0]
    auth = {"Authorization": user_token(api), "host": api.host}
    ws = await api.socket(auth)
    sub_id = await subscribe(ws, f"/reports/{user['user_id']}", auth)
    seconds: list[float] = []
    questions = ["mfa", "password-manager", "disk-encryption"]
    for n in range(-1, answers):  # -1: a warm-up answer (the functions' cold starts), not timed
        answer = {
            "questionnaireId": "account-security.v1",
            "questionId": questions[n % len(questions)],
            "value": n % 2 == 0,
        }
        started = time.perf_counter()
        await ws.send(
            json.dumps(
                {
                    "type": "publish",
                    "id": str(uuid.uuid4()),
                    "channel": f"/answers/{user['user_id']}",
                    "events": [json.dumps(answer)],
                    "authorization": auth,
                }
            )
        )
        await expect(ws, "data", sub_id)
        if n >= 0:
            seconds.append(time.perf_counter() - started)
    await ws.close()
    return {
        "answers": answers,
        "p50_s": percentile(seconds, 0.50),
        "p99_s": percentile(seconds, 0.99),
    }


async def throughput(
    api: Api, namespace: str, seconds: float, concurrency: int = 8
) -> dict[str, Any]:
    """HTTP publishes per second (one event each) with ``concurrency`` clients."""
    channel = f"/{namespace}/bench-http"
    # No clientMessageId: on a durable channel the same one twice is one event.
    body = json.dumps({"channel": channel, "events": [json.dumps({"text": "throughput"})]})
    stop = time.perf_counter() + seconds
    counts = {"ok": 0, "failed": 0}

    async def client(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < stop:
            async with session.post(
                api.post_url, data=body, headers=api.post_headers, ssl=api.tls or False
            ) as r:
                answer = await r.json()
                counts["ok" if r.status == 200 and not answer.get("failed") else "failed"] += 1

    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "namespace": namespace,
        "seconds": elapsed,
        "published": counts["ok"],
        "failed": counts["failed"],
        "per_second": counts["ok"] / elapsed,
    }


async def catch_up(api: Api, token: str, history_url: str, events: int) -> dict[str, Any]:
    """Publish ``events`` to a fresh chat room (5 per request), then time reading them all
    back from the history API, page by page (100 each), as a client catching up does (after
    one untimed read that warms the function)."""
    channel = f"/chat/catch-up-{uuid.uuid4().hex[:8]}"
    async with aiohttp.ClientSession() as session:
        for start in range(0, events, 5):
            batch = [json.dumps({"text": f"event {n}"}) for n in range(start, start + 5)]
            body = json.dumps({"channel": channel, "events": batch})
            async with session.post(
                api.post_url, data=body, headers=api.post_headers, ssl=api.tls or False
            ) as r:
                if (await r.json()).get("failed"):
                    raise SystemExit(f"bench: publishing to {channel} failed")
        # One read first, not timed: the history function's cold start is figure 1's business.
        async with session.get(
            f"{history_url}{channel}?after={events}", headers={"Authorization": token}
        ) as r:
            if (await r.json()).get("events") != []:
                raise SystemExit("bench: the warm-up read found events after the last one")
        started = time.perf_counter()
        seqs: list[int] = []
        query = "after=0&limit=100"
        for _ in range(events // 100 + 2):
            url = f"{history_url}{channel}?{query}"
            async with session.get(url, headers={"Authorization": token}) as r:
                page = await r.json()
            seqs += [e["seq"] for e in page["events"]]
            if page["next"] is None:
                break
            query = f"cursor={page['next']}&limit=100"
        elapsed = time.perf_counter() - started
    if seqs != list(range(1, events + 1)):
        raise SystemExit(f"bench: the catch-up read {len(seqs)} events, not 1..{events}")
    return {"events": events, "seconds": elapsed}


def user_token(api: Api) -> str:
    import boto3

    user = api.users[0]
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=os.environ["BENCH_AWS_ENDPOINT"],
        region_name="eu-west-1",
        aws_access_key_id=os.environ["BENCH_AWS_KEY"],
        aws_secret_access_key=os.environ["BENCH_AWS_SECRET"],
    )
    token: str = cognito.initiate_auth(
        ClientId=api.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]},
    )["AuthenticationResult"]["IdToken"]
    return token


async def measure(
    api: Api, messages: int, answers: int, seconds: float, history_url: str
) -> dict[str, Any]:
    rows = []
    for subscribers in (1, 100, 1000):
        count = messages if subscribers < 1000 else max(20, messages // 10)
        for namespace in ("chat", "bench"):
            rows.append(await delivery(api, namespace, subscribers, count))
    loop = await answer_to_report(api, answers)
    http = [await throughput(api, ns, seconds) for ns in ("chat", "bench")]
    caught = await catch_up(api, user_token(api), history_url, 1000)
    return {"delivery": rows, "answer_to_report": loop, "http_publish": http, "catch_up": caught}


def _env(outputs: dict[str, Any]) -> None:
    os.environ.update(
        {
            "BENCH_AWS_ENDPOINT": outputs["aws_endpoint_url"],
            "BENCH_AWS_KEY": outputs["aws_access_key_id"],
            "BENCH_AWS_SECRET": outputs["aws_secret_access_key"],
        }
    )


FAN_OUT = {"subscribers": 1000, "channels": 10, "rate": 50, "seconds": 10}


def fan_out(outputs_file: Path, work: Path) -> dict[str, Any]:
    """platform-load's own run on the same platform: 1,000 subscribers on 10 durable chat
    channels, 50 publishes a second for 10 s (100 subscribers a channel): latency at 1,000
    subscribers, loss, and what the traffic would cost in AWS."""
    import io

    from platform_load.cli import main as load

    result_file = work / "load.json"
    text = io.StringIO()
    argv = ["--outputs", str(outputs_file), "--json", str(result_file)]
    for key, value in FAN_OUT.items():
        argv += [f"--{key}", str(value)]
    code = load(argv, out=text)
    if code != 0 or not result_file.is_file():
        raise SystemExit(f"bench: platform-load failed ({code}):\n{text.getvalue()}")
    result: dict[str, Any] = json.loads(result_file.read_text())
    result["text"] = text.getvalue()
    result["budget_p99_ms"] = BUDGETS["delivery_p99_1000_ms"]
    result["met"] = (result["latency_ms"]["p99"] or 0) <= BUDGETS["delivery_p99_1000_ms"]
    return result


def history_off(work: Path, messages: int) -> dict[str, Any]:
    """Chat delivery (1 subscriber) on a platform of the same root with history off."""
    platform = Platform(work, bench_root(work / "src", history=False))
    platform.start()
    try:
        if platform.outputs.get("channel_history_url"):
            raise SystemExit("bench: realtime_history = {} (and no presence) left history on")
        return asyncio.run(delivery(Api(platform.outputs), "chat", 1, messages))
    finally:
        platform.stop()


def run(messages: int = 1000, answers: int = 100, seconds: float = 30.0) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-local-") as tmp:
        work = Path(tmp)
        platform = Platform(work / "on", bench_root(work / "on" / "src"))
        platform.start()
        try:
            o = platform.outputs
            _env(o)
            results = asyncio.run(
                measure(Api(o), messages, answers, seconds, o["channel_history_url"])
            )
            results["fan_out"] = fan_out(work / "on" / "out" / "outputs.json", work)
        finally:
            platform.stop()
        off = history_off(work / "off", messages)
        import peers  # here, not at the top: peers imports this module's clients

        results["peers"] = peers.run(work / "peers", messages, seconds)
    rows = results["delivery"]
    by = {(r["namespace"], r["subscribers"]): r for r in rows}
    for r in rows:
        r["budget"] = "delivery_p99_1000_ms" if r["subscribers"] >= 1000 else "delivery_p99_ms"
        r["budget_p99_ms"] = BUDGETS[r["budget"]]
        r["met"] = r["p99_ms"] <= r["budget_p99_ms"]
        if r["namespace"] == "chat":
            base = by[("bench", r["subscribers"])]
            r["ratio_to_passthrough"] = r["p50_ms"] / base["p50_ms"]
            r["ratio_met"] = r["ratio_to_passthrough"] <= BUDGETS["chat_vs_passthrough_ratio"]
    loop = results["answer_to_report"]
    loop["budget_p99_s"] = BUDGETS["answer_report_p99_s"]
    loop["met"] = loop["p99_s"] <= BUDGETS["answer_report_p99_s"]
    on = by[("chat", 1)]
    results["history"] = {
        "on_p99_ms": on["p99_ms"],
        "off_p99_ms": off["p99_ms"],
        "on_p50_ms": on["p50_ms"],
        "off_p50_ms": off["p50_ms"],
        "ratio_p99": on["p99_ms"] / off["p99_ms"],
        "budget_ratio": BUDGETS["history_on_vs_off_p99_ratio"],
    }
    results["history"]["met"] = (
        results["history"]["ratio_p99"] <= BUDGETS["history_on_vs_off_p99_ratio"]
    )
    results["side_by_side"] = side_by_side(results)
    caught = results["catch_up"]
    caught["budget_s"] = BUDGETS["catch_up_1000_s"]
    caught["met"] = caught["seconds"] <= BUDGETS["catch_up_1000_s"]
    results["budgets"] = BUDGETS
    results["statistics_note"] = (
        "p50/p99 over every delivery; throughput with 8 concurrent HTTPS clients"
    )
    return results


def side_by_side(results: dict[str, Any]) -> dict[str, Any]:
    """Ours (pass-through and chat) beside the ceiling and MiniStack, and the HTTP budgets."""
    http = {h["namespace"]: h["per_second"] for h in results["http_publish"]}
    targets = {}
    for name, rows, rate in (
        ("ceiling (bare broadcast server, TLS)", results["peers"]["ceiling"]["delivery"],
         results["peers"]["ceiling"]["http_publish"]["per_second"]),
        ("MiniStack, no handler (plain HTTP)", results["peers"]["ministack"]["delivery"],
         results["peers"]["ministack"]["http_publish"]["per_second"]),
        ("ours, /bench pass-through handler", [r for r in results["delivery"]
         if r["namespace"] == "bench"], http["bench"]),
        ("ours, /chat (durable, its handler)", [r for r in results["delivery"]
         if r["namespace"] == "chat"], http["chat"]),
    ):  # fmt: skip
        targets[name] = {
            "delivery": {r["subscribers"]: (r["p50_ms"], r["p99_ms"]) for r in rows},
            "http_per_s": rate,
        }
    ministack = results["peers"]["ministack"]["http_publish"]["per_second"]
    return {
        "targets": targets,
        "chat_per_s": http["chat"],
        "chat_budget_per_s": BUDGETS["http_publish_chat_per_s"],
        "chat_met": http["chat"] >= BUDGETS["http_publish_chat_per_s"],
        "ministack_per_s": ministack,
        "vs_ministack_met": http["chat"] >= ministack,
    }


def missed(results: dict[str, Any]) -> list[str]:
    found = []
    for budget in ("delivery_p99_ms", "delivery_p99_1000_ms"):
        if not all(r["met"] for r in results["delivery"] if r["budget"] == budget):
            found.append(budget)
    if not results["side_by_side"]["chat_met"]:
        found.append("http_publish_chat_per_s")
    if not results["side_by_side"]["vs_ministack_met"]:
        found.append("http_publish_chat_vs_ministack")
    if not all(r.get("ratio_met", True) for r in results["delivery"]):
        found.append("chat_vs_passthrough_ratio")
    if not results["answer_to_report"]["met"]:
        found.append("answer_report_p99_s")
    if not results["history"]["met"]:
        found.append("history_on_vs_off_p99_ratio")
    if not results["catch_up"]["met"]:
        found.append("catch_up_1000_s")
    if not results["fan_out"]["met"]:
        found.append("fan_out_p99_ms")
    return found


def report(results: dict[str, Any]) -> list[list[str]]:
    """Rows of the delivery table (the caller prints them with its own table helper)."""
    rows = []
    for r in results["delivery"]:
        ratio = f"{r['ratio_to_passthrough']:.2f}x" if "ratio_to_passthrough" in r else ""
        rows.append(
            [
                f"/{r['namespace']}",
                str(r["subscribers"]),
                str(r["deliveries"]),
                f"{r['p50_ms']:.1f}",
                f"{r['p99_ms']:.1f}",
                f"<= {r['budget_p99_ms']:.0f} {'ok' if r['met'] else 'MISSED'}",
                ratio,
            ]
        )
    return rows


if __name__ == "__main__":  # a quick run by hand: python benchmarks/local_bench.py 200 20 5
    args = [float(a) for a in sys.argv[1:]]
    print(json.dumps(run(int(args[0]), int(args[1]), args[2]) if args else run(), indent=2))
