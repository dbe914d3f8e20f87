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
def node() -> str:
    """node with the check's packages installed from its lock file (npm ci, once)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail(
            "node (>= 20) and npm run the Amplify check: install them "
            "(Debian: apt-get install -y nodejs npm)",
            pytrace=False,
        )
    lock = (HERE / "package-lock.json").read_bytes()
    marker = HERE / "node_modules" / ".installed-lock"
    if not marker.is_file() or marker.read_bytes() != lock:
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            check=True,
            timeout=300,
        )
        marker.write_bytes(lock)
    return node


def test_amplify_connects_subscribes_posts_and_receives(platform: LocalPlatform, node: str) -> None:
    o = platform.outputs
    channel = f"/chat/amplify-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": o["local_ca_file"]}
    done = subprocess.run(
        [
            node,
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
