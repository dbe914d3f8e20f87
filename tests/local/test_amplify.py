"""AWS's own client against the local Event API: Amplify JS (``aws-amplify/data`` events,
API key mode) connects, subscribes, posts and receives, unchanged but for its endpoint and
the local CA (``NODE_EXTRA_CA_CERTS``, for this command only)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid

import pytest

from tests.local.platform import ROOT, LocalPlatform

pytestmark = pytest.mark.local

HERE = ROOT / "web" / "test" / "amplify"


@pytest.fixture(scope="module")
def node() -> list[str]:
    """node, and the flag Node 20 needs for its WebSocket; the check imports the web app's
    aws-amplify (web/node_modules, installed by `make web`, which `make test` runs first)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "node (>= 20) runs the Amplify check: install it (Debian: apt-get install -y nodejs)",
            pytrace=False,
        )
    if not (ROOT / "web" / "node_modules" / "aws-amplify" / "package.json").is_file():
        pytest.fail(
            "the web app's packages are not installed: run `make web` (npm ci in web/)",
            pytrace=False,
        )
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    major = int(version.stdout.strip().lstrip("v").split(".")[0])
    return [node, "--experimental-websocket"] if major < 22 else [node]


def test_amplify_connects_subscribes_posts_and_receives(
    platform: LocalPlatform, node: list[str]
) -> None:
    o = platform.outputs
    channel = f"/chat/amplify-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": o["local_ca_file"]}
    done = subprocess.run(
        [
            *node,
            "check.mjs",
            o["realtime_publish_url"],
            o["realtime_api_key"],
            o["aws_region"],
            channel,
            json.dumps({"text": "hello from Amplify, call +44 20 7946 0018"}),
        ],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    received = json.loads(done.stdout.strip().splitlines()[-1])["event"]
    assert received["type"] == "data"
    assert received["event"]["text"] == "hello from Amplify, call ***18"
    assert received["event"]["room"] == channel.rsplit("/", 1)[-1]
    console = platform.console_text()
    assert f"subscribe {channel}" in console
    assert f"publish {channel}: 1 delivered, 0 failed (API_KEY)" in console
