"""Helpers over `terraform show -json` output: resources, configuration, IAM statements."""

from __future__ import annotations

import copy
import json
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tftest

from tf_cli_config import terraform_env  # tools/ (pytest's pythonpath)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def terraform_binary() -> str:
    """The terraform CLI, or a test failure that says what to install."""
    found = shutil.which("terraform")
    if not found:
        pytest.fail(
            "terraform (>= 1.9) is not on PATH: install it from "
            "https://developer.hashicorp.com/terraform/install to run the plan and apply tests",
            pytrace=False,
        )
    return found


def tf_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    env.update(terraform_env(ROOT / ".build" / "terraform.tfrc"))
    env.update(extra or {})
    return env


def make_zip(path: Path) -> Path:
    """A tiny stand-in for dist/handlers.zip: plans only hash it."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("handlers/__init__.py", "")
    return path


@dataclass
class Resource:
    address: str
    type: str
    mode: str
    after: dict[str, Any]
    after_unknown: dict[str, Any]


class Plan:
    """One plan's JSON, with the lookups the tests need."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.resources = [
            Resource(
                address=rc["address"],
                type=rc["type"],
                mode=rc["mode"],
                after=rc["change"].get("after") or {},
                after_unknown=rc["change"].get("after_unknown") or {},
            )
            for rc in raw.get("resource_changes", [])
        ]

    def of_type(self, type_: str, mode: str = "managed") -> list[Resource]:
        return [r for r in self.resources if r.type == type_ and r.mode == mode]

    def one(self, address_suffix: str) -> Resource:
        found = [r for r in self.resources if r.address.endswith(address_suffix)]
        assert len(found) == 1, f"{address_suffix}: {[r.address for r in found]}"
        return found[0]

    def config_resources(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(module path, resource configuration) for every resource in every module."""

        def walk(module: dict[str, Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
            for res in module.get("resources", []):
                yield prefix, res
            for name, call in module.get("module_calls", {}).items():
                yield from walk(call.get("module", {}), f"{prefix}module.{name}.")

        yield from walk(self.raw["configuration"]["root_module"], "")

    def config(self, address: str) -> dict[str, Any]:
        """Configuration of a resource by its full address without instance keys."""
        for prefix, res in self.config_resources():
            if prefix + res["address"] == address:
                return res
        raise KeyError(address)

    def iam_statements(self) -> list[tuple[str, dict[str, Any]]]:
        """Every IAM statement the plan knows: policy documents and inline JSON policies."""
        statements: list[tuple[str, dict[str, Any]]] = []
        for doc in self.of_type("aws_iam_policy_document", mode="data"):
            for st in doc.after.get("statement") or []:
                statements.append((doc.address, st))
        for prefix, res in self.config_resources():
            if res["type"] != "aws_iam_policy_document":
                continue
            for st in res.get("expressions", {}).get("statement", []):
                statements.append((prefix + res["address"], _config_statement(st)))
        for pol in self.of_type("aws_iam_role_policy") + self.of_type("aws_sqs_queue_policy"):
            if isinstance(pol.after.get("policy"), str):
                for st in json.loads(pol.after["policy"])["Statement"]:
                    statements.append((pol.address, st))
        return statements


def _config_statement(expr: dict[str, Any]) -> dict[str, Any]:
    actions = expr.get("actions", {})
    effect = expr.get("effect", {}).get("constant_value", "Allow")
    return {"actions": actions.get("constant_value", []), "effect": effect, "config": True}


def actions_of(statement: dict[str, Any]) -> list[str]:
    actions = statement.get("actions", statement.get("Action", []))
    return [actions] if isinstance(actions, str) else list(actions or [])


def workspace_copy(dest: Path) -> Path:
    """Copy terraform/ and modules/ to ``dest``: tests never touch the checkout's state,
    lock file or .terraform folders (tftest's cleanup would delete them)."""
    ignore = shutil.ignore_patterns(".terraform", "terraform.tfstate*", ".tftest-cache")
    for name in ("terraform", "modules"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore, dirs_exist_ok=True)
    # The web app's build where the root and the static-site example look for it (a small
    # stand-in: plan tests need files to upload, not the real app; `make web` builds that).
    shutil.copytree(FIXTURES / "web_dist", dest / "dist" / "web", dirs_exist_ok=True)
    return dest


class TerraformDir:
    """A Terraform root (in a workspace copy) driven by tftest."""

    def __init__(
        self,
        tfdir: Path,
        extra_files: list[Path] | None = None,
        env: dict[str, str] | None = None,
        lockfile_readonly: bool = False,
        default_vars: dict[str, Any] | None = None,
    ) -> None:
        for extra in extra_files or []:
            shutil.copy(extra, tfdir / extra.name)
        self.tfdir = tfdir
        self.default_vars = default_vars or {}
        self._plans: dict[str, tuple[dict[str, Any], str]] = {}
        self.tf = tftest.TerraformTest(str(tfdir), binary=terraform_binary(), env=tf_env(env))
        args = ["-input=false", "-no-color"]
        if lockfile_readonly:
            args.append("-lockfile=readonly")
        self.init_output = self.tf.execute_command("init", *args).out

    def validate(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(
            self.tf.execute_command("validate", "-json", "-no-color").out
        )
        return result

    def plan(self, tf_vars: dict[str, Any] | None = None) -> Plan:
        """The plan for ``tf_vars``, made once a session: the same inputs (this copy of the
        code, the same variables) give the same plan, so tests share it instead of planning
        again (a root plan takes about 10 s here)."""
        return Plan(copy.deepcopy(self._planned(tf_vars)[0]))

    def plan_text(self, tf_vars: dict[str, Any] | None = None) -> str:
        """Terraform's human-readable plan output (warnings included), on one line: the text
        of the same run as ``plan``'s JSON."""
        return self._planned(tf_vars)[1]

    def _planned(self, tf_vars: dict[str, Any] | None) -> tuple[dict[str, Any], str]:
        tf_vars = self._vars(tf_vars)
        key = json.dumps(tf_vars, sort_keys=True)
        if key not in self._plans:
            # tftest's plan(output=True) keeps the JSON and drops the text; both are wanted.
            saved = self.tfdir / f".tfplan-{len(self._plans)}"
            args = tftest.parse_args(input=False, color=False, tf_vars=tf_vars)
            text = self.tf.execute_command("plan", *args, f"-out={saved}").out
            raw = json.loads(self.tf.execute_command("show", "-no-color", "-json", str(saved)).out)
            saved.unlink()
            self._plans[key] = (raw, " ".join(text.replace("│", " ").split()))
        return self._plans[key]

    def _vars(self, tf_vars: dict[str, Any] | None) -> dict[str, Any]:
        return _tf_vars({**self.default_vars, **(tf_vars or {})})

    def plan_errors(self, tf_vars: dict[str, Any]) -> list[str]:
        """Plan that must fail; terraform's errors, each on one line (it reports every
        invalid variable of a plan at once)."""
        with pytest.raises(tftest.TerraformTestError) as caught:
            self.tf.plan(output=True, tf_vars=self._vars(tf_vars))
        # The exception's args hold terraform's output; its str() would be a tuple repr with
        # escaped newlines, which splits long messages where terraform wrapped them.
        # (tftest puts them there twice: the message and the command's stderr).
        text = " ".join(str(arg) for arg in caught.value.args)
        text = " ".join(text.replace("│", " ").split())
        return list(dict.fromkeys(f"Error:{part}".strip() for part in text.split("Error:")[1:]))


def _tf_vars(tf_vars: dict[str, Any] | None) -> dict[str, Any]:
    return {k: json.dumps(v) if not isinstance(v, str) else v for k, v in (tf_vars or {}).items()}


OFFLINE_OVERRIDE = FIXTURES / "offline_override.tf"

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
WEBHOOK = {"store": "ssm", "name": "/platform/sandbox/notify/webhook-url", "kms_key_arn": KEY}
# Independent inputs that tests of different files turn on together, so that one plan serves
# them all (a root plan takes ~10 s here); each test checks only its own input's effects.
KEY_MADE_AND_WEBHOOK = {"kms": {"create": True}, "notify_webhook": WEBHOOK}
WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/mine/0123abcd-0000-0000-0000-0000"
HISTORY_OFF_AND_OWN_WEB_ACL = {"realtime_history": {}, "web": {"web_acl_arn": WEB_ACL}}
PARTS_LEFT_OUT = {
    "realtime_presence": {},
    "realtime_history": {},
    "realtime_auth": {"api_key": {"enabled": False}},
    "web": {"create": False},
}
USERS_OFF_AND_INGEST_PUBLIC = {"users": {"create": False}, "ingest_public": True}
