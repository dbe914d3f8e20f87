"""HTTP APIs, their routes, integrations and authorizers, as the plan gives them."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from local_runtime.plan.changes import Change, name_from_arn
from local_runtime.plan.errors import UnresolvedValueError, UnsupportedError
from local_runtime.plan.models import HttpApiSpec, JwtAuthorizerSpec, RouteSpec

_INVOKE_ARN = re.compile(
    r"^arn:[\w-]+:apigateway:[\w-]+:lambda:path/2015-03-31/functions/(.+)/invocations$"
)


def _integration_key(integration: Change) -> str:
    """The local id ``equivalents`` gives an integration (what it calls)."""
    uri = integration.get("integration_uri", required=False)
    calls = uri or integration.get("integration_subtype", required=False) or ""
    return f"local-integration-{hashlib.sha1(calls.encode()).hexdigest()[:16]}"  # noqa: S324


def _route_integration(route: Change, integration: Change) -> dict[str, Any]:
    """The RouteSpec fields of what ``route`` calls: a PutEvents action or a function."""
    kind = integration.get("integration_type")
    subtype = integration.get("integration_subtype", required=False) or ""
    if kind == "AWS_PROXY" and subtype == "EventBridge-PutEvents":
        return {
            "integration_subtype": subtype,
            "request_parameters": integration.get("request_parameters"),
        }
    uri = integration.get("integration_uri", required=False) or ""
    invoke = _INVOKE_ARN.match(uri) or (re.match(r"^(arn:[\w-]+:lambda:.+)$", uri))
    if kind == "AWS_PROXY" and not subtype and invoke:
        version = integration.get("payload_format_version", required=False) or "1.0"
        if version != "2.0":
            raise UnsupportedError(
                f"{integration.address}: Lambda proxy payload format {version} is not emulated "
                "locally (2.0 is)"
            )
        return {
            "integration_subtype": "",
            "request_parameters": {},
            "function": name_from_arn(invoke[1], integration.address, "integration_uri", "lambda"),
            "timeout_seconds": (integration.get("timeout_milliseconds", required=False) or 30000)
            / 1000,
        }
    raise UnsupportedError(
        f"{integration.address}: only AWS_PROXY EventBridge-PutEvents and Lambda (payload 2.0) "
        f"integrations are emulated locally (got {kind} {subtype or uri})"
    )


def _routes(api: Change, changes: list[Change]) -> tuple[RouteSpec, ...]:
    api_id = api.get("id", required=False) if not api.unknown.get("id") else None
    api_id = api_id or f"local-{api.get('name')}"
    mine = [c for c in changes if c.after.get("api_id") == api_id]
    # Integration and authorizer ids are local equivalents (``equivalents``): the integration's
    # names what it calls, the authorizer's its name.
    integrations = {
        _integration_key(c): c for c in mine if c.type == "aws_apigatewayv2_integration"
    }
    authorizers = {
        f"local-authorizer-{c.get('name')}": c
        for c in mine
        if c.type == "aws_apigatewayv2_authorizer"
    }
    routes = []
    for route in (c for c in mine if c.type == "aws_apigatewayv2_route"):
        target = (route.get("target", required=False) or "").removeprefix("integrations/")
        if target not in integrations:
            raise UnresolvedValueError(
                route.address, "target", f"no planned integration has the id {target!r}"
            )
        authorizer = None
        if route.get("authorization_type") == "JWT":
            authorizer_id = route.get("authorizer_id", required=False) or ""
            found = authorizers.get(authorizer_id)
            if found is None or found.get("authorizer_type") != "JWT":
                raise UnresolvedValueError(
                    route.address, "authorizer_id", f"no planned JWT authorizer {authorizer_id!r}"
                )
            config = found.first("jwt_configuration") or {}
            authorizer = JwtAuthorizerSpec(
                name=found.get("name"),
                issuer=config.get("issuer") or "",
                audience=tuple(config.get("audience") or ()),
                identity_sources=tuple(found.get("identity_sources")),
            )
        elif route.get("authorization_type") != "NONE":
            raise UnsupportedError(
                f"{route.address}: authorization {route.get('authorization_type')} is not "
                "emulated locally (NONE and JWT are)"
            )
        method, _, path = route.get("route_key").partition(" ")
        routes.append(
            RouteSpec(
                address=route.address,
                method=method,
                path=path,
                authorizer=authorizer,
                authorization_scopes=tuple(route.get("authorization_scopes", required=False) or ()),
                **_route_integration(route, integrations[target]),
            )
        )
    return tuple(routes)


def read_http_api(api: Change, changes: list[Change]) -> HttpApiSpec:
    api_id = f"local-{api.get('name')}"
    stages = [
        c for c in changes if c.type == "aws_apigatewayv2_stage" and c.after.get("api_id") == api_id
    ]
    if len(stages) != 1:
        raise UnresolvedValueError(api.address, "stage", f"one of {len(stages)} stages")
    stage = stages[0]
    cors = api.first("cors_configuration") or {}
    return HttpApiSpec(
        address=api.address,
        name=api.get("name"),
        routes=_routes(api, changes),
        rate_limit=float(stage.get("default_route_settings", 0, "throttling_rate_limit")),
        burst_limit=int(stage.get("default_route_settings", 0, "throttling_burst_limit")),
        cors_allow_origins=tuple(cors.get("allow_origins") or ()),
    )
