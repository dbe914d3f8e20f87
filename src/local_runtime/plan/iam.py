"""The planned roles' identity-based policies: what each function's role may do.

A role's policies are its ``aws_iam_role_policy`` resources (and ``inline_policy`` blocks of
``aws_iam_role``), and the ``aws_iam_policy`` resources attached to it
(``aws_iam_role_policy_attachment``). A policy's JSON is often unknown in the plan although
all of its content is known: an ``aws_iam_policy_document`` that depends on a resource being
created is read at apply. Its statements are in the plan, so the document is made from them
as the provider makes it (``aws_iam_policy_document``: ``effect`` defaults to ``Allow``; sets
of actions and resources; each ``condition`` block one operator, key and values).

A policy the plan does not know (an AWS managed policy, a value known only after apply) stops
the runtime with an error naming it: a role is never evaluated with part of its policies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from local_runtime.plan.changes import Change, Plan, substitute
from local_runtime.plan.errors import UnresolvedValueError

_INDEX = re.compile(r"\[[^\]]*\]")


@dataclass
class RolePolicies:
    """One role's policy documents by where they come from, or why they are not known."""

    documents: list[tuple[str, Any]] = field(default_factory=list)
    unknown: list[UnresolvedValueError] = field(default_factory=list)


def _module_config(plan: Plan, address: str) -> tuple[str, dict[str, Any]]:
    """The module prefix of ``address`` (``module.a.``) and that module's configuration."""
    parts = address.split(".")
    module: dict[str, Any] = (plan.raw.get("configuration") or {}).get("root_module") or {}
    prefix = ""
    while len(parts) > 2 and parts[0] == "module":
        name = _INDEX.sub("", parts[1])
        prefix += f"module.{parts[1]}."
        module = ((module.get("module_calls") or {}).get(name) or {}).get("module") or {}
        parts = parts[2:]
    return prefix, module


def _document_reference(plan: Plan, address: str) -> str | None:
    """The address of the ``aws_iam_policy_document`` whose JSON a policy resource takes."""
    prefix, module = _module_config(plan, address)
    local = _INDEX.sub("", address.removeprefix(prefix))
    for resource in module.get("resources") or []:
        if resource.get("address") != local:
            continue
        references = ((resource.get("expressions") or {}).get("policy") or {}).get("references")
        for reference in references or []:
            if reference.startswith("data.aws_iam_policy_document.") and reference.endswith(
                ".json"
            ):
                return prefix + str(reference).removesuffix(".json")
    return None


def _statement(raw: dict[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": raw.get("effect") or "Allow"}
    if raw.get("sid"):
        statement["Sid"] = raw["sid"]
    for element, key in (
        ("Action", "actions"),
        ("NotAction", "not_actions"),
        ("Resource", "resources"),
        ("NotResource", "not_resources"),
    ):
        if raw.get(key):
            statement[element] = sorted(raw[key])
    if raw.get("principals") or raw.get("not_principals"):
        statement["Principal"] = "(a principal: this is a resource-based policy)"
    conditions: dict[str, dict[str, list[str]]] = {}
    for condition in raw.get("condition") or []:
        conditions.setdefault(condition["test"], {})[condition["variable"]] = list(
            condition["values"]
        )
    if conditions:
        statement["Condition"] = conditions
    return statement


def _from_document(plan: Plan, data_address: str, replacements: Mapping[str, str]) -> Any:
    for raw in plan.raw.get("resource_changes") or []:
        if raw.get("address") != data_address:
            continue
        change = Change(raw, replacements)
        for part in ("source_policy_documents", "override_policy_documents", "source_json"):
            if change.after.get(part):
                raise UnresolvedValueError(data_address, part, "not made locally")
        statements = change.get("statement")
        return {"Version": "2012-10-17", "Statement": [_statement(s) for s in statements]}
    raise UnresolvedValueError(data_address, "json", "not in the plan")


def _policy(plan: Plan, raw: dict[str, Any], replacements: Mapping[str, str]) -> Any:
    change = Change(raw, replacements)
    try:
        return json.loads(change.get("policy"))
    except UnresolvedValueError:
        reference = _document_reference(plan, change.address)
        if reference is None:
            raise
        return _from_document(plan, reference, replacements)


def read_role_policies(plan: Plan, replacements: Mapping[str, str]) -> dict[str, RolePolicies]:
    """Role name -> its policies, as far as the plan knows them."""
    roles: dict[str, RolePolicies] = {}
    policies_by_arn: dict[str, dict[str, Any]] = {
        str(substitute((r["change"].get("after") or {}).get("arn"), replacements)): r
        for r in plan.of_type("aws_iam_policy")
    }
    for raw in plan.of_type("aws_iam_role_policy"):
        change = Change(raw, replacements)
        role = roles.setdefault(str(change.get("role")), RolePolicies())
        try:
            role.documents.append((change.address, _policy(plan, raw, replacements)))
        except UnresolvedValueError as error:
            role.unknown.append(error)
    for raw in plan.of_type("aws_iam_role"):
        change = Change(raw, replacements)
        role = roles.setdefault(str(change.get("name")), RolePolicies())
        for i, block in enumerate(change.after.get("inline_policy") or []):
            if block.get("policy"):
                role.documents.append((f"{change.address}.inline_policy[{i}]", block["policy"]))
        for arn in change.after.get("managed_policy_arns") or []:
            role.unknown.append(UnresolvedValueError(change.address, "managed_policy_arns", arn))
    for raw in plan.of_type("aws_iam_role_policy_attachment"):
        change = Change(raw, replacements)
        role = roles.setdefault(str(change.get("role")), RolePolicies())
        arn = change.after.get("policy_arn")
        attached = policies_by_arn.get(str(arn))
        if attached is None:
            problem = f"{arn} is not planned (an AWS managed policy is not known locally)"
            role.unknown.append(UnresolvedValueError(change.address, "policy_arn", problem))
            continue
        try:
            role.documents.append((attached["address"], _policy(plan, attached, replacements)))
        except UnresolvedValueError as error:
            role.unknown.append(error)
    return roles
