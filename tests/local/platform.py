"""Starting the local platform (``python -m local_runtime``) from a test, on free ports, and
talking to it over the network only; every wait is bounded, and stop ends what start began."""

from __future__ import annotations

import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
ZIP = ROOT / "dist" / "handlers.zip"
WEB = ROOT / "dist" / "web"
START_TIMEOUT = 180.0  # a first plan of the root takes about 15 s here; a cached one about 2 s
T = TypeVar("T")


def wait_for(check: Callable[[], T | None], timeout: float, what: str, every: float = 0.2) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what} (last: {last!r})")


class LocalPlatform:
    def __init__(
        self, workdir: Path, root: Path | None = None, args: list[str] | None = None
    ) -> None:
        self.workdir = workdir
        self.root = root or ROOT / "terraform"
        self.out = workdir / "out"
        self.args = args or []
        self.process: subprocess.Popen[bytes] | None = None
        self.console = workdir / "console.log"
        self.outputs: dict[str, Any] = {}
        self._tokens: dict[int, str] = {}

    def command(self) -> list[str]:
        if not ZIP.is_file():
            raise AssertionError(f"{ZIP} is missing: run `make package` first")
        if not (WEB / "index.html").is_file():
            raise AssertionError(f"{WEB}/index.html is missing: run `make web` first")
        return [
            sys.executable,
            "-m",
            "local_runtime",
            "--root",
            str(self.root),
            "--var-file",
            str(self.root / "environments" / "local.tfvars"),
            "--zip",
            str(ZIP),
            "--out",
            str(self.out),
            "--work",
            str(self.workdir.parent / "plans"),
            "--aws-port",
            "0",
            "--http-port",
            "0",
            "--events-port",
            "0",
            "--control-port",
            "0",
            "--web-port",
            "0",
            "--web",
            str(WEB),
            "--delay-scale",
            "0.005",
            *self.args,
        ]

    def start(self) -> LocalPlatform:
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "outputs.json").unlink(missing_ok=True)
        with self.console.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
            )

        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"the platform exited early:\n{self.console_text()}")
            return (self.out / "outputs.json").is_file() and "ready in" in self.console_text()

        wait_for(ready, START_TIMEOUT, "the platform to be ready")
        raw = json.loads((self.out / "outputs.json").read_text())
        self.outputs = {k: v["value"] for k, v in raw.items()}
        return self

    def run_to_exit(self, timeout: float = START_TIMEOUT) -> tuple[int, str]:
        """Run a start that must fail: its exit code and console."""
        self.out.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            self.command(), capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False
        )
        return done.returncode, done.stdout + done.stderr

    def console_text(self) -> str:
        return self.console.read_text(errors="replace") if self.console.exists() else ""

    def stop(self) -> int:
        """SIGTERM, as Ctrl-C would; the exit code. Fails if anything it started survives."""
        assert self.process is not None
        pids = self.worker_pids()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired as exc:
            self.process.kill()
            self.process.wait(timeout=10)
            raise AssertionError(
                f"the platform did not stop on SIGTERM:\n{self.console_text()}"
            ) from exc
        for pid in pids:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"worker {pid} survived the platform")
        return code

    # --- over the network -------------------------------------------------------------------

    def get(self, url: str) -> Any:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return json.loads(response.read())

    def get_with(self, url: str, token: str) -> Any:
        """GET ``url`` with ``token`` in ``Authorization``; the JSON answer (any status)."""
        request = urllib.request.Request(url, headers={"Authorization": token})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read() or b"null")

    def post(
        self, url: str, body: Any, raw: bool = False, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """POST ``body``; the status and the JSON answer (its text when it is not JSON). An
        https:// URL (the web app's distribution) is trusted through the local CA."""
        data = body.encode() if raw else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - loopback
            url,
            data=data,
            method="POST",
            headers={"content-type": "application/json", **(headers or {})},
        )
        context = (
            ssl.create_default_context(cafile=self.outputs["local_ca_file"])
            if url.startswith("https://")
            else None
        )
        try:
            with urllib.request.urlopen(request, timeout=10, context=context) as response:  # noqa: S310
                return response.status, _json_or_text(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _json_or_text(exc.read())

    def token(self, user: int = 0) -> str:
        """An ID token of the plan's local user (``outputs.local_users``) from its pool."""
        if user not in self._tokens:
            account = self.outputs["local_users"][user]
            result = self.client("cognito-idp").initiate_auth(
                ClientId=self.outputs["cognito_user_pool_client_id"],
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": account["username"], "PASSWORD": account["password"]},
            )
            self._tokens[user] = result["AuthenticationResult"]["IdToken"]
        return self._tokens[user]

    def upload(
        self, body: Any, raw: bool = False, token: str | None = None, origin: bool = False
    ) -> tuple[int, Any]:
        """POST /uploads as a signed-in customer (the local user unless ``token`` is given):
        through the edge (``upload_url``), or to the HTTP API's own route (``origin``)."""
        auth = token if token is not None else self.token()
        url = self.outputs["ingest_api_upload_url" if origin else "upload_url"]
        return self.post(url, body, raw=raw, headers={"Authorization": auth})

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self.get(self.outputs["local_control_url"] + "/_local/status")
        return result

    def worker_pids(self) -> list[int]:
        try:
            functions = self.status()["functions"]
        except OSError:
            return []
        return [pid for f in functions.values() for pid in f.get("pids", [])]

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until nothing runs or waits: no invocation, retry, delivery or stream batch
        (seen idle twice in a row, half a second apart)."""
        seen = [False]

        def idle() -> bool:
            now = bool(self.status()["idle"])
            both = now and seen[0]
            seen[0] = now
            return both

        wait_for(idle, timeout, "the platform to settle", every=0.5)

    def inject(self, order: dict[str, Any]) -> None:
        status, answer = self.post(self.outputs["local_control_url"] + "/_local/faults", order)
        assert status == 200, answer

    def client(self, service: str, config: Config | None = None) -> Any:
        o = self.outputs
        return boto3.client(
            service,
            endpoint_url=o["aws_endpoint_url"],
            region_name=o["aws_region"],
            aws_access_key_id=o["aws_access_key_id"],
            aws_secret_access_key=o["aws_secret_access_key"],
            config=config,
        )

    def drain(self, queue_url: str) -> list[dict[str, Any]]:
        """Every message of a queue (received, not deleted), bodies decoded."""
        sqs = self.client("sqs")
        found: dict[str, dict[str, Any]] = {}
        for _ in range(20):
            batch = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=10,
                MessageAttributeNames=["All"],
                VisibilityTimeout=60,
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not batch:
                break
            for message in batch:
                found[message["MessageId"]] = {
                    "body": json.loads(message["Body"]),
                    "attributes": {
                        k: v.get("StringValue")
                        for k, v in message.get("MessageAttributes", {}).items()
                    },
                }
        return list(found.values())


def copy_root(dest: Path) -> Path:
    """A copy of terraform/ and modules/ to change, as a user would edit their checkout."""
    ignore = shutil.ignore_patterns(".terraform", "terraform.tfstate*", "*.tfplan", "backend.tf")
    for name in ("terraform", "modules"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    return dest / "terraform"


def _json_or_text(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return body.decode(errors="replace")
