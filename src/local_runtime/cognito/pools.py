"""Cognito user pools of the plan, created in moto, and the local user of each.

Pools and app clients are created by name before the rest of the plan is read, so that their
moto ids replace the placeholders ``equivalents`` left (an issuer URL, an audience).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local_runtime.plan.changes import Plan
from local_runtime.plan.equivalents import USER_POOL_CLIENT_ID, USER_POOL_ID

_ISSUER = re.compile(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/(?P<pool>[\w-]+)$")


@dataclass
class UserPools:
    """What ``create_user_pools`` made: placeholder -> moto id, and the pools' ids by name."""

    replacements: dict[str, str] = field(default_factory=dict)
    pools: dict[str, str] = field(default_factory=dict)


def create_user_pools(plan: Plan, cognito: Any, say: Callable[[str], None]) -> UserPools:
    """Create the plan's user pools and app clients in moto."""
    made = UserPools()
    found = made.replacements
    for rc in plan.of_type("aws_cognito_user_pool"):
        after = rc["change"].get("after") or {}
        args: dict[str, Any] = {"PoolName": after["name"]}
        if after.get("username_attributes"):
            args["UsernameAttributes"] = after["username_attributes"]
        if after.get("auto_verified_attributes"):
            args["AutoVerifiedAttributes"] = after["auto_verified_attributes"]
        pool = cognito.create_user_pool(**args)["UserPool"]
        found[USER_POOL_ID.format(after["name"])] = pool["Id"]
        made.pools[after["name"]] = pool["Id"]
    for rc in plan.of_type("aws_cognito_user_pool_client"):
        after = rc["change"].get("after") or {}
        pool_id = found.get(str(after.get("user_pool_id")), "")
        if not pool_id:
            continue
        client = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=after["name"],
            GenerateSecret=bool(after.get("generate_secret")),
            ExplicitAuthFlows=after.get("explicit_auth_flows") or ["ALLOW_USER_SRP_AUTH"],
        )["UserPoolClient"]
        found[USER_POOL_CLIENT_ID.format(after["name"])] = client["ClientId"]
    if found:
        clients = len(found) - len(made.pools)
        say(f"created {len(made.pools)} Cognito user pool(s), {clients} app client(s) locally")
    return made


def create_local_user(cognito: Any, pool_id: str, username: str) -> dict[str, str]:
    """A confirmed user with a fresh password (upper, lower case and digits, as the module's
    policy asks); its ``user_id`` is the ``sub`` its tokens carry."""
    password = f"Local-{secrets.token_hex(8)}-Pw1"
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": username},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )
    attributes = cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"]
    sub = next(a["Value"] for a in attributes if a["Name"] == "sub")
    return {"username": username, "password": password, "user_id": sub, "user_pool_id": pool_id}


def pool_of(issuer: str) -> str | None:
    """The user pool id of a Cognito issuer URL, None for any other issuer."""
    match = _ISSUER.match(issuer)
    return match["pool"] if match else None
