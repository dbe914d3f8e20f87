"""`make bench`, side by side: the bench's own Event API clients (``local_bench.delivery`` and
``local_bench.throughput``) against two peers in the same run, each in its own process:

- the ceiling: ``broadcast_server.py``, a bare broadcast server written for the bench (TLS,
  no auth, no handler, no channel rules), what this machine does when nothing but the
  sockets is in the way;
- MiniStack's Event API (PyPI ``ministack``, pinned and installed in its own venv as
  ``make crosscheck`` does, ``tools/cross_check_patterns.py``), a namespace without handlers:
  it runs none. Plain HTTP and ``ws://``: it serves no TLS. It routes by host name
  (``<api>.appsync-api.<region>.localhost``), so the clients dial 127.0.0.1 and send that name.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from local_bench import Api, delivery, throughput

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from cross_check_patterns import MINISTACK, ministack_python  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"bench: {what} did not start within 60 s")
        time.sleep(0.1)


@contextmanager
def _process(argv: list[str], env: dict[str, str], ports: list[int], what: str) -> Iterator[None]:
    process = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        for port in ports:
            _wait_for(port, process, what)
        yield
    finally:
        with_group = os.getpgid(process.pid)
        os.killpg(with_group, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(with_group, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def ceiling(work: Path) -> Iterator[Api]:
    """The bare broadcast server, with a certificate of its own (trustme)."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    work.mkdir(parents=True, exist_ok=True)
    ca_file, cert_file, key_file = work / "ca.pem", work / "cert.pem", work / "key.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    ws_port, http_port = free_port(), free_port()
    argv = [
        sys.executable,
        str(Path(__file__).with_name("broadcast_server.py")),
        *("--ws-port", str(ws_port), "--http-port", str(http_port)),
        *("--cert", str(cert_file), "--key", str(key_file)),
    ]
    with _process(argv, dict(os.environ), [ws_port, http_port], "the broadcast server"):
        yield Api(
            {
                "realtime_http_dns": f"127.0.0.1:{http_port}",
                "realtime_websocket_url": f"wss://127.0.0.1:{ws_port}/event/realtime",
                "realtime_publish_url": f"https://127.0.0.1:{http_port}/event",
                "realtime_api_key": "none",
                "local_ca_file": str(ca_file),
            }
        )


@contextmanager
def ministack(work: Path) -> Iterator[Api]:
    """MiniStack with an Event API and a ``bench`` namespace (no handlers)."""
    import boto3

    python = ministack_python(ROOT / ".build" / "crosscheck")
    port = free_port()
    env = {**os.environ, "GATEWAY_PORT": str(port), "BIND_HOST": "127.0.0.1", "LOG_LEVEL": "ERROR"}
    with _process([str(python.parent / "ministack")], env, [port], MINISTACK):
        appsync = boto3.client(
            "appsync",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",  # noqa: S106 (MiniStack's placeholder)
        )
        key_mode = [{"authType": "API_KEY"}]
        api = appsync.create_api(
            name="bench",
            eventConfig={
                "authProviders": key_mode,
                "connectionAuthModes": key_mode,
                "defaultPublishAuthModes": key_mode,
                "defaultSubscribeAuthModes": key_mode,
            },
        )["api"]
        appsync.create_channel_namespace(apiId=api["apiId"], name="bench")
        key = appsync.create_api_key(apiId=api["apiId"])["apiKey"]["id"]
        http_host, realtime_host = api["dns"]["HTTP"], api["dns"]["REALTIME"]
        peer = Api(
            {
                "realtime_http_dns": http_host,
                "realtime_websocket_url": f"ws://{realtime_host}/event/realtime",
                "realtime_publish_url": f"http://{http_host}/event",
                "realtime_api_key": key,
            }
        )
        peer.connect_to = ("127.0.0.1", port)
        peer.post_url = f"http://127.0.0.1:{port}/event"
        peer.post_headers = {**peer.post_headers, "host": http_host}
        yield peer


async def _figures(api: Api, messages: int, seconds: float) -> dict[str, Any]:
    rows = []
    for subscribers in (1, 100, 1000):
        count = messages if subscribers < 1000 else max(20, messages // 10)
        rows.append(await delivery(api, "bench", subscribers, count))
    return {"delivery": rows, "http_publish": await throughput(api, "bench", seconds)}


def run(work: Path, messages: int, seconds: float) -> dict[str, Any]:
    """The same figures against both peers, one after the other (never at once)."""
    peers: dict[str, Callable[[Path], Any]] = {"ceiling": ceiling, "ministack": ministack}
    results = {}
    for name, start in peers.items():
        with start(work / name) as api:
            results[name] = asyncio.run(_figures(api, messages, seconds))
    results["ministack"]["version"] = MINISTACK
    return results
