"""Run the pattern corpus through a second implementation: MiniStack's EventBridge.

``make crosscheck`` installs MiniStack (PyPI ``ministack``, pinned below) into a venv of its
own under ``.build/crosscheck`` (it pins a botocore of its own, so it cannot share the
project's envs), starts its server on a free port of 127.0.0.1, asks its ``TestEventPattern``
about every case of ``tests/unit/runtime/patterns_corpus.json`` through boto3, stops the
server and prints where it and the corpus disagree. Not part of ``make test``: the corpus
stands on AWS's documentation and event-ruler's tests; this says how another emulator fares
on it.

TestEventPattern takes an EventBridge event, so each corpus event gets the envelope fields it
lacks (``id``, ``account``, ``source``, ``time``, ``region``, ``resources``,
``detail-type``, ``detail``) with neutral values; cases that test Lambda's filter dialect are
asked as EventBridge patterns, and Lambda-only refusals are skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import venv
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "unit" / "runtime" / "patterns_corpus.json"
MINISTACK = "ministack==1.5.33"
ENVELOPE = {
    "version": "0",
    "id": "00000000-0000-0000-0000-000000000000",
    "detail-type": "cross-check",
    "source": "cross.check",
    "account": "123456789012",
    "time": "2026-01-01T00:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {},
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def ministack_python(folder: Path) -> Path:
    python = folder / "bin" / "python"
    if not python.exists():
        venv.create(folder, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", MINISTACK, "boto3"], check=True)
    return python


def _ask(python: Path, port: int, cases: list[dict[str, Any]]) -> list[Any]:
    """TestEventPattern for each (pattern, event): True, False or the error code."""
    script = """
import json, sys, boto3, botocore.exceptions
client = boto3.client("events", endpoint_url=sys.argv[1], region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
answers = []
for pattern, event in json.load(sys.stdin):
    try:
        answers.append(client.test_event_pattern(EventPattern=pattern, Event=event)["Result"])
    except botocore.exceptions.ClientError as exc:
        answers.append(exc.response["Error"]["Code"])
print(json.dumps(answers))
"""
    asked = [
        (
            case["pattern"] if isinstance(case["pattern"], str) else _dump(case["pattern"]),
            _dump(case["event"]),
        )
        for case in cases
    ]
    done = subprocess.run(
        [str(python), "-c", script, f"http://127.0.0.1:{port}"],
        input=json.dumps(asked),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    answers: list[Any] = json.loads(done.stdout)
    return answers


def _dump(value: Any) -> str:
    return json.dumps(value, default=lambda d: float(d) if isinstance(d, Decimal) else d)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--env", type=Path, default=ROOT / ".build" / "crosscheck")
    args = parser.parse_args()
    python = ministack_python(args.env)
    corpus = json.loads(CORPUS.read_text(), parse_float=Decimal)
    cases = []
    for case in corpus["cases"]:
        if "invalid" in case and case.get("dialect") == "lambda":
            continue
        event = case.get("event", {})
        event = corpus["events"][event] if isinstance(event, str) else event
        cases.append({**case, "event": {**ENVELOPE, **event}})
    port = _free_port()
    env = {**os.environ, "GATEWAY_PORT": str(port), "BIND_HOST": "127.0.0.1", "LOG_LEVEL": "ERROR"}
    server = subprocess.Popen(
        [str(python.parent / "ministack")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            if time.monotonic() > deadline or server.poll() is not None:
                print("MiniStack did not start within 60 s", file=sys.stderr)
                return 2
            time.sleep(0.2)
        answers = _ask(python, port, cases)
    finally:
        server.terminate()
        server.wait(timeout=30)
    disagreements = []
    for case, answer in zip(cases, answers, strict=True):
        expected: Any = "InvalidEventPatternException" if "invalid" in case else case["matches"]
        if answer != expected:
            disagreements.append((case["source"], expected, answer))
    for source, expected, answer in disagreements:
        print(f"  {source}: corpus {expected}, MiniStack {answer}")
    print(
        f"{MINISTACK}: agrees on {len(cases) - len(disagreements)} of {len(cases)} cases "
        f"({len(disagreements)} disagreements)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
