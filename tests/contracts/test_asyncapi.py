"""docs/asyncapi.json: generated from the plan and the models, and valid for the AsyncAPI
parser (``@asyncapi/parser``, pinned by tests/contracts/asyncapi/package-lock.json)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / "tests" / "contracts" / "asyncapi"
DOCUMENT = ROOT / "docs" / "asyncapi.json"
sys.path.insert(0, str(ROOT / "tools"))

from asyncapi import FIXTURE, PAGE, document  # noqa: E402
from asyncapi_page import render  # noqa: E402
from handlers.contracts import CONTRACTS  # noqa: E402


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    npm = shutil.which("npm")
    if not found or not npm:
        pytest.fail("the AsyncAPI check needs Node.js 20+ and npm (apt-get install -y nodejs npm)")
    if not (CHECKER / "node_modules" / "@asyncapi" / "parser").is_dir():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=CHECKER,
            check=True,
            timeout=300,
        )
    return found


def parse(node: str, path: Path) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [node, str(CHECKER / "validate.mjs"), str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return done.returncode, json.loads(done.stdout.strip().splitlines()[-1])


def test_the_document_is_generated() -> None:
    assert json.loads(DOCUMENT.read_text()) == document(), (
        "docs/asyncapi.json is stale: run `python tools/asyncapi.py`"
    )


def test_the_page_is_the_document_rendered() -> None:
    contract = document()
    assert PAGE.read_text() == render(contract), (
        "docs/asyncapi.md is stale: run `python tools/asyncapi.py`"
    )
    page = PAGE.read_text()
    for channel in contract["channels"].values():
        assert f"## `{channel['address']}`" in page
    for name, operation in contract["operations"].items():
        line = next(line for line in page.splitlines() if f"(`{name}`)" in line)
        modes = [ref["$ref"].rsplit("/", 1)[-1] for ref in operation.get("security", [])]
        assert line.startswith(f"- **{operation['action']}**"), line
        assert all(f"`{mode}`" in line for mode in modes), line
    assert "| `text` | yes | string |" in page  # the chat message's required field


def test_the_parser_accepts_it(node: str) -> None:
    code, result = parse(node, DOCUMENT)
    assert (code, result["parsed"]) == (0, True), result
    assert not [d for d in result["diagnostics"] if d["severity"] <= 1], result


def test_the_parser_refuses_a_broken_copy(node: str, tmp_path: Path) -> None:
    broken = json.loads(DOCUMENT.read_text())
    broken["operations"]["publishChat"]["channel"] = {"$ref": "#/channels/nowhere"}
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    code, result = parse(node, path)
    assert code == 1
    assert any(d["code"] == "invalid-ref" for d in result["diagnostics"])


def test_every_namespace_and_contract_is_there_with_its_auth() -> None:
    doc = json.loads(DOCUMENT.read_text())
    plan = json.loads(FIXTURE.read_text())
    stack = next(c for c in plan["resource_changes"] if c["type"] == "aws_cloudformation_stack")
    template = json.loads(stack["change"]["after"]["template_body"])
    planned = {
        r["Properties"]["Name"]: r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::AppSync::ChannelNamespace"
    }
    assert set(planned) <= set(doc["channels"])
    # the presence namespace: published by IAM (the platform) only, no client publish operation
    presence = [m["AuthType"] for m in planned["presence"]["PublishAuthModes"]]
    assert presence == ["AWS_IAM"]
    assert "publishPresence" not in doc["operations"]
    answers = doc["operations"]["publishAnswers"]["security"]
    assert [s["$ref"].rsplit("/", 1)[1] for s in answers] == [
        m["AuthType"] for m in planned["answers"]["PublishAuthModes"]
    ]
    # durable namespaces deliver seq and id
    assert "seq" in doc["components"]["messages"]["chatDelivered"]["payload"]["required"]
    addresses = {c["address"] for c in doc["channels"].values()}
    assert {c.detail_type for c in CONTRACTS.values()} <= addresses
