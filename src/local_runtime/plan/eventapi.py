"""The Event API as the plan defines it: read from the CloudFormation template the
``appsync-events-api`` module builds (``AWS::AppSync::Api`` ``EventConfig``,
``AWS::AppSync::ChannelNamespace``, ``AWS::AppSync::DataSource``) and the stack's parameters,
and its API key from the plan's ``aws_appsync_api_key`` (its ``expires``, RFC 3339), so that an
auth-mode, namespace or key change in Terraform changes the local endpoint. Property names
follow the CloudFormation reference of each resource type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from local_runtime.plan.changes import Plan, name_from_arn, substitute
from local_runtime.plan.equivalents import ACCOUNT_ID, CFN_OUTPUT
from local_runtime.plan.errors import UnsupportedError

API_KEY = "API_KEY"
AWS_IAM = "AWS_IAM"
COGNITO = "AMAZON_COGNITO_USER_POOLS"
OIDC = "OPENID_CONNECT"
LAMBDA = "AWS_LAMBDA"
MODES = (API_KEY, AWS_IAM, COGNITO, OIDC, LAMBDA)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class AuthProvider(_Model):
    auth_type: str
    user_pool_id: str | None = None
    app_id_client_regex: str | None = None
    authorizer_function: str | None = None
    authorizer_ttl_seconds: int = 300


class HandlerSpec(_Model):
    function: str
    invoke_type: str  # REQUEST_RESPONSE or EVENT


class NamespaceSpec(_Model):
    name: str
    publish_modes: tuple[str, ...]
    subscribe_modes: tuple[str, ...]
    on_publish: HandlerSpec | None
    on_subscribe: HandlerSpec | None


class EventApiSpec(_Model):
    address: str
    name: str
    api_id: str  # the local id, the same in the stack outputs (``local_api_id``)
    providers: dict[str, AuthProvider]
    connection_modes: tuple[str, ...]
    namespaces: dict[str, NamespaceSpec]
    has_api_key: bool
    api_key_expires: int | None


def _modes(value: Any) -> tuple[str, ...]:
    return tuple(m["AuthType"] for m in value or [])


def _resolve(value: Any, parameters: Mapping[str, Any], where: str) -> Any:
    """A property's value with ``{"Ref": <parameter>}`` replaced by the stack's parameter."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        name = value["Ref"]
        if name not in parameters:
            raise UnsupportedError(f"{where}: Ref {name} is not a parameter of the stack")
        return parameters[name]
    return value


def read_event_apis(plan: Plan, replacements: Mapping[str, str]) -> tuple[EventApiSpec, ...]:
    """Every Event API the plan's CloudFormation stacks declare."""
    found = []
    keys = [raw["change"].get("after") or {} for raw in plan.of_type("aws_appsync_api_key")]
    if len(keys) > 1:
        raise UnsupportedError("one API key (aws_appsync_api_key) is emulated locally")
    for raw in plan.of_type("aws_cloudformation_stack"):
        after = substitute(raw["change"].get("after") or {}, replacements)
        body = after.get("template_body")
        if not isinstance(body, str):
            continue
        template = json.loads(body)
        resources: dict[str, Any] = template.get("Resources") or {}
        apis = {k: r for k, r in resources.items() if r.get("Type") == "AWS::AppSync::Api"}
        if not apis:
            continue
        if len(apis) != 1:
            raise UnsupportedError(f"{raw['address']}: one Event API per stack is emulated")
        found.append(
            _api(
                raw["address"],
                apis,
                resources,
                after.get("parameters") or {},
                keys,
                api_id=local_api_id(str(after.get("name"))),
            )
        )
    return tuple(found)


def local_api_id(stack: str) -> str:
    """The local id of the Event API of ``stack``: its name's letters and digits (AppSync's ids
    are 26 lower-case letters and digits)."""
    return re.sub(r"[^a-z0-9]", "", stack.lower())[:26] or "local"


def _api(
    address: str,
    apis: dict[str, Any],
    resources: dict[str, Any],
    parameters: dict[str, Any],
    keys: list[dict[str, Any]],
    *,
    api_id: str,
) -> EventApiSpec:
    ((logical, api),) = apis.items()
    where = f"{address} {logical}"
    config = (api.get("Properties") or {}).get("EventConfig") or {}
    providers: dict[str, AuthProvider] = {}
    for provider in config.get("AuthProviders") or []:
        kind = provider["AuthType"]
        if kind == OIDC:
            raise UnsupportedError(
                f"{where}: the OPENID_CONNECT auth mode is not emulated locally (its issuer is "
                "not reachable from this machine); leave realtime_auth.openid_connect unset in "
                "the local tfvars"
            )
        cognito = provider.get("CognitoConfig") or {}
        lambda_config = provider.get("LambdaAuthorizerConfig") or {}
        authorizer = _resolve(lambda_config.get("AuthorizerUri"), parameters, where)
        providers[kind] = AuthProvider(
            auth_type=kind,
            user_pool_id=_resolve(cognito.get("UserPoolId"), parameters, where),
            app_id_client_regex=cognito.get("AppIdClientRegex"),
            authorizer_function=name_from_arn(authorizer, address, "AuthorizerUri", "lambda")
            if isinstance(authorizer, str) and authorizer.startswith("arn:")
            else authorizer,
            authorizer_ttl_seconds=int(lambda_config.get("AuthorizerResultTtlInSeconds", 300)),
        )
    sources: dict[str, str] = {}
    for key, resource in resources.items():
        if resource.get("Type") != "AWS::AppSync::DataSource":
            continue
        props = resource.get("Properties") or {}
        if props.get("Type") != "AWS_LAMBDA":
            raise UnsupportedError(f"{address} {key}: only AWS_LAMBDA data sources are emulated")
        arn = _resolve((props.get("LambdaConfig") or {}).get("LambdaFunctionArn"), parameters, key)
        sources[props["Name"]] = name_from_arn(
            str(arn), address, f"{key}.LambdaFunctionArn", "lambda"
        )
    default_publish = _modes(config.get("DefaultPublishAuthModes"))
    default_subscribe = _modes(config.get("DefaultSubscribeAuthModes"))
    namespaces: dict[str, NamespaceSpec] = {}
    for key, resource in resources.items():
        if resource.get("Type") != "AWS::AppSync::ChannelNamespace":
            continue
        props = resource.get("Properties") or {}
        if props.get("CodeHandlers") or props.get("CodeS3Location"):
            raise UnsupportedError(f"{address} {key}: code handlers are not emulated locally")
        handlers: dict[str, HandlerSpec | None] = {"OnPublish": None, "OnSubscribe": None}
        for operation, handler in (props.get("HandlerConfigs") or {}).items():
            if handler.get("Behavior") != "DIRECT":
                raise UnsupportedError(
                    f"{address} {key}: {operation} behavior {handler.get('Behavior')} is not "
                    "emulated locally (DIRECT is)"
                )
            integration = handler.get("Integration") or {}
            source = integration.get("DataSourceName")
            if source not in sources:
                raise UnsupportedError(f"{address} {key}: no data source {source!r}")
            handlers[operation] = HandlerSpec(
                function=sources[source],
                invoke_type=(integration.get("LambdaConfig") or {}).get(
                    "InvokeType", "REQUEST_RESPONSE"
                ),
            )
        namespaces[props["Name"]] = NamespaceSpec(
            name=props["Name"],
            publish_modes=_modes(props.get("PublishAuthModes")) or default_publish,
            subscribe_modes=_modes(props.get("SubscribeAuthModes")) or default_subscribe,
            on_publish=handlers["OnPublish"],
            on_subscribe=handlers["OnSubscribe"],
        )
    expires = None
    if keys and isinstance(keys[0].get("expires"), str):
        # AppSync rounds the expiry down to the hour; so does this.
        moment = datetime.fromisoformat(keys[0]["expires"].replace("Z", "+00:00"))
        expires = int(moment.replace(minute=0, second=0, microsecond=0).timestamp())
    return EventApiSpec(
        address=address,
        name=str((api.get("Properties") or {}).get("Name", logical)),
        api_id=api_id,
        providers=providers,
        connection_modes=_modes(config.get("ConnectionAuthModes")),
        namespaces=namespaces,
        has_api_key=bool(keys),
        api_key_expires=expires,
    )


# Fn::GetAtt of the Event API's resource types -> local value; formats from the
# AWS::AppSync::* CloudFormation reference ("Return values"). {api} is the local API id.
_GETATT: dict[tuple[str, str], str] = {
    ("AWS::AppSync::Api", "ApiId"): "{api}",
    ("AWS::AppSync::Api", "ApiArn"): "arn:aws:appsync:{region}:{account}:apis/{api}",
    ("AWS::AppSync::Api", "Dns.Http"): "{events_host}",
    ("AWS::AppSync::Api", "Dns.Realtime"): "{events_host}",
    ("AWS::AppSync::ChannelNamespace", "ChannelNamespaceArn"): (
        "arn:aws:appsync:{region}:{account}:apis/{api}/channelNamespace/{name}"
    ),
    ("AWS::AppSync::DataSource", "DataSourceArn"): (
        "arn:aws:appsync:{region}:{account}:apis/{api}/datasources/{name}"
    ),
}


def stack_outputs(plan: Plan, values: Mapping[str, str]) -> dict[str, str]:
    """Placeholder -> local value for every stack output whose ``Fn::GetAtt`` has a local
    equivalent; ``values`` gives ``events_host``. Longest placeholders first, so that one
    output's placeholder never replaces the start of a longer one's."""
    found: dict[str, str] = {}
    region = plan.region
    for raw in plan.of_type("aws_cloudformation_stack"):
        after = raw["change"].get("after") or {}
        stack, body = after.get("name"), after.get("template_body")
        if not isinstance(stack, str) or not isinstance(body, str):
            continue
        template = json.loads(body)
        resources = template.get("Resources") or {}
        apis = [k for k, r in resources.items() if r.get("Type") == "AWS::AppSync::Api"]
        api_id = local_api_id(stack)
        for key, output in (template.get("Outputs") or {}).items():
            getatt = (output.get("Value") or {}).get("Fn::GetAtt")
            if not isinstance(getatt, list) or len(getatt) != 2 or not apis:
                continue
            logical, attribute = getatt
            resource = resources.get(logical) or {}
            template_value = _GETATT.get((resource.get("Type", ""), attribute))
            if template_value is None:
                continue
            found[f"{CFN_OUTPUT}{stack}:{key}"] = template_value.format(
                api=api_id,
                region=region,
                account=ACCOUNT_ID,
                name=(resource.get("Properties") or {}).get("Name", logical),
                events_host=values["events_host"],
            )
    return dict(sorted(found.items(), key=lambda item: -len(item[0])))
