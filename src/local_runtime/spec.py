"""What the plan says runs: functions, tables, queues, the bus, its rules and targets, stream
mappings, HTTP APIs and the root's outputs, read from ``terraform show -json``.

Every value comes from the plan (after ``equivalents``' placeholders are substituted with the
runtime's endpoints). A value the runtime needs that is still unknown, or that it cannot
resolve, raises ``UnresolvedValueError`` naming the resource and the attribute; a feature the
runtime does not emulate (a schedule rule, a target of another kind) raises ``UnsupportedError``.
Nothing falls back to a default the plan did not give.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from local_runtime.equivalents import (
    ACCOUNT_ID,
    AWS_ENDPOINT,
    CFN_OUTPUT,
    HTTP_API_ENDPOINT,
    WEB_HOST,
)


class UnresolvedValueError(RuntimeError):
    """A value the runtime needs is unknown in the plan or has no local equivalent."""

    def __init__(self, address: str, attribute: str, why: str = "unknown until apply") -> None:
        self.address = address
        self.attribute = attribute
        super().__init__(
            f"{address}: {attribute} is {why}, and the local runtime has no local equivalent "
            "for it (see src/local_runtime/equivalents.py)"
        )


class UnsupportedError(RuntimeError):
    """The plan uses something the local runtime does not emulate."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class AsyncConfig(_Model):
    maximum_retry_attempts: int = 2
    maximum_event_age_in_seconds: int = 21600
    on_failure_queue: str | None = None


class FunctionSpec(_Model):
    address: str
    name: str
    arn: str
    handler: str
    role: str
    runtime: str
    timeout: int
    memory_size: int
    environment: dict[str, str]
    application_log_level: str | None
    log_format: str
    log_group: str
    async_config: AsyncConfig


class TableSpec(_Model):
    address: str
    name: str
    hash_key: str
    range_key: str | None
    attributes: dict[str, str]
    stream_view_type: str | None
    ttl_attribute: str | None


class QueueSpec(_Model):
    address: str
    name: str
    fifo: bool
    message_retention_seconds: int
    visibility_timeout_seconds: int


class TargetSpec(_Model):
    address: str
    rule: str
    target_id: str
    arn: str
    kind: Literal["lambda", "sqs"]
    input: str | None
    input_path: str | None
    maximum_retry_attempts: int
    maximum_event_age_in_seconds: int
    dead_letter_queue: str | None


class RuleSpec(_Model):
    address: str
    name: str
    arn: str
    bus: str
    pattern: dict[str, Any]
    enabled: bool
    targets: tuple[TargetSpec, ...]


class BusSpec(_Model):
    address: str
    name: str
    arn: str
    archive: str | None


class MappingSpec(_Model):
    address: str
    function: str
    table: str
    starting_position: str
    batch_size: int
    maximum_batching_window_in_seconds: int
    maximum_retry_attempts: int
    maximum_record_age_in_seconds: int
    bisect_batch_on_function_error: bool
    report_batch_item_failures: bool
    on_failure_queue: str | None
    filters: tuple[dict[str, Any], ...]


class JwtAuthorizerSpec(_Model):
    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_sources: tuple[str, ...]


class RouteSpec(_Model):
    address: str
    method: str
    path: str
    integration_subtype: str  # "EventBridge-PutEvents", or "" for a Lambda proxy
    request_parameters: dict[str, str]
    authorizer: JwtAuthorizerSpec | None
    authorization_scopes: tuple[str, ...]
    function: str | None = None  # Lambda proxy integrations (payload format 2.0)
    timeout_seconds: float = 30.0


class HttpApiSpec(_Model):
    address: str
    name: str
    routes: tuple[RouteSpec, ...]
    rate_limit: float
    burst_limit: int
    cors_allow_origins: tuple[str, ...]


class WebFileSpec(_Model):
    key: str
    source: str | None  # a file to serve, or
    content: str | None  # the object's content, as planned (config.json)
    content_type: str
    cache_control: str | None


class WebSiteSpec(_Model):
    """A CloudFront distribution over an S3 bucket, served by the runtime itself."""

    address: str
    files: dict[str, WebFileSpec]
    default_root_object: str
    headers: dict[str, str]  # the response headers policy's security headers
    fallbacks: dict[int, str]  # S3 status -> page served with 200 (custom error responses)


class PlatformSpec(_Model):
    region: str
    account_id: str
    functions: dict[str, FunctionSpec]
    tables: dict[str, TableSpec]
    queues: dict[str, QueueSpec]
    buses: dict[str, BusSpec]
    rules: dict[str, RuleSpec]
    mappings: tuple[MappingSpec, ...]
    http_apis: tuple[HttpApiSpec, ...]
    websites: tuple[WebSiteSpec, ...]
    ssm_parameters: dict[str, str]
    outputs: dict[str, dict[str, Any]]
    not_emulated: dict[str, int]


# Resource types the runtime reads; the others (IAM, log groups, permissions, WAF, ...) are
# counted and listed as not emulated.
_READ = {
    "aws_lambda_function",
    "aws_lambda_function_event_invoke_config",
    "aws_dynamodb_table",
    "aws_sqs_queue",
    "aws_cloudwatch_event_bus",
    "aws_cloudwatch_event_archive",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target",
    "aws_lambda_event_source_mapping",
    "aws_apigatewayv2_api",
    "aws_apigatewayv2_integration",
    "aws_apigatewayv2_route",
    "aws_apigatewayv2_stage",
    "aws_apigatewayv2_authorizer",
    "aws_ssm_parameter",
    "aws_s3_object",
    "aws_cloudfront_distribution",
    "aws_cloudfront_response_headers_policy",
}

_ARN_NAME = re.compile(r"^arn:[^:]+:(?P<service>[^:]+):[^:]*:[^:]*:(?P<resource>.+)$")


def substitute(value: Any, replacements: Mapping[str, str]) -> Any:
    """``value`` with every placeholder replaced, in nested lists and dicts too."""
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [substitute(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, replacements) for k, v in value.items()}
    return value


class _Change:
    """One planned resource: its known values, and where they are unknown."""

    def __init__(self, raw: dict[str, Any], replacements: Mapping[str, str]) -> None:
        self.address: str = raw["address"]
        self.type: str = raw["type"]
        change = raw["change"]
        self.after: dict[str, Any] = substitute(change.get("after") or {}, replacements)
        self.unknown: dict[str, Any] = change.get("after_unknown") or {}

    def get(self, *path: str | int, required: bool = True) -> Any:
        """The value at ``path``; UnresolvedValueError when the plan does not know it."""
        value: Any = self.after
        unknown: Any = self.unknown
        for step in path:
            if unknown is True:
                break
            unknown = (
                unknown.get(step)
                if isinstance(unknown, dict)
                else unknown[step]
                if isinstance(unknown, list) and isinstance(step, int) and step < len(unknown)
                else None
            )
            if isinstance(value, dict):
                value = value.get(step)
            elif isinstance(value, list) and isinstance(step, int) and step < len(value):
                value = value[step]
            else:
                value = None
        inner = _unknown_within(unknown)
        if inner is not None:
            raise UnresolvedValueError(self.address, _dotted((*path, *inner)))
        if isinstance(value, str) and "localcfn" in value:
            raise UnresolvedValueError(self.address, _dotted(path))
        if value is None and required:
            raise UnresolvedValueError(self.address, _dotted(path), "not set")
        return value

    def first(self, *path: str | int) -> Any:
        """The first element of a nested block list (``retry_policy[0]``) with the values the
        plan knows, or None when the block is absent; read what matters from it with get()."""
        value: Any = self.after
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        return value[0] if isinstance(value, list) and value else None


def _unknown_within(unknown: Any) -> tuple[str | int, ...] | None:
    """The path of the first unknown value inside ``unknown`` (``after_unknown``), () when it
    is unknown as a whole, None when all of it is known."""
    if unknown is True:
        return ()
    items: Any = unknown.items() if isinstance(unknown, dict) else enumerate(unknown or [])
    if not isinstance(unknown, dict | list):
        return None
    for key, value in items:
        inner = _unknown_within(value)
        if inner is not None:
            return (key, *inner)
    return None


def _dotted(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def name_from_arn(arn: str, address: str, attribute: str, service: str) -> str:
    """The resource name at the end of a local ARN of ``service``."""
    match = _ARN_NAME.match(arn)
    if not match or match["service"] != service:
        raise UnresolvedValueError(address, attribute, f"not a local {service} ARN ({arn!r})")
    resource = match["resource"]
    if service == "lambda":
        return resource.split(":")[1]
    if service == "dynamodb":
        return resource.split("/")[1]
    if service == "events":
        return resource.rsplit("/", 1)[-1]
    return resource


def _changes(plan: dict[str, Any], replacements: Mapping[str, str]) -> Iterator[_Change]:
    for raw in plan.get("resource_changes", []):
        if raw.get("mode") != "managed" or "delete" in raw["change"].get("actions", []):
            continue
        yield _Change(raw, replacements)


def _function(change: _Change, invoke: dict[str, _Change]) -> FunctionSpec:
    name = change.get("function_name")
    logging = change.first("logging_config") or {}
    config = invoke.get(name)
    async_config = AsyncConfig()
    if config is not None:
        destination = config.first("destination_config")
        failure = (destination or {}).get("on_failure") or []
        queue = None
        if failure:
            arn = config.get("destination_config", 0, "on_failure", 0, "destination")
            queue = name_from_arn(arn, config.address, "on_failure.destination", "sqs")
        async_config = AsyncConfig(
            maximum_retry_attempts=config.get("maximum_retry_attempts"),
            maximum_event_age_in_seconds=config.get("maximum_event_age_in_seconds"),
            on_failure_queue=queue,
        )
    # Every variable must be known: an unknown one stops the runtime, naming it.
    variables = change.get("environment", 0, "variables", required=False) or {}
    return FunctionSpec(
        address=change.address,
        name=name,
        arn=f"arn:aws:lambda:{{region}}:{ACCOUNT_ID}:function:{name}",
        handler=change.get("handler"),
        role=change.get("role"),
        runtime=change.get("runtime"),
        timeout=change.get("timeout"),
        memory_size=change.get("memory_size"),
        environment={k: str(v) for k, v in variables.items()},
        application_log_level=logging.get("application_log_level"),
        log_format=logging.get("log_format") or "Text",
        log_group=logging.get("log_group") or f"/aws/lambda/{name}",
        async_config=async_config,
    )


def _target(change: _Change) -> TargetSpec:
    arn = change.get("arn")
    service = _ARN_NAME.match(arn)
    kind = service["service"] if service else "?"
    if kind not in {"lambda", "sqs"}:
        raise UnsupportedError(
            f"{change.address}: targets of {kind!r} are not emulated locally (Lambda and SQS are)"
        )
    if change.get("input_transformer", required=False):
        raise UnsupportedError(f"{change.address}: input_transformer is not emulated locally")
    retry = change.first("retry_policy") or {}
    dlq = change.first("dead_letter_config")
    return TargetSpec(
        address=change.address,
        rule=change.get("rule"),
        target_id=change.get("target_id"),
        arn=arn,
        kind=kind,
        input=change.get("input", required=False),
        input_path=change.get("input_path", required=False),
        # EventBridge's defaults: 185 attempts over 24 hours.
        maximum_retry_attempts=retry.get("maximum_retry_attempts", 185),
        maximum_event_age_in_seconds=retry.get("maximum_event_age_in_seconds", 86400),
        dead_letter_queue=(
            name_from_arn(
                change.get("dead_letter_config", 0, "arn"),
                change.address,
                "dead_letter_config.arn",
                "sqs",
            )
            if dlq
            else None
        ),
    )


_INVOKE_ARN = re.compile(
    r"^arn:[\w-]+:apigateway:[\w-]+:lambda:path/2015-03-31/functions/(.+)/invocations$"
)


def _integration_key(integration: _Change) -> str:
    """The local id ``equivalents`` gives an integration (what it calls)."""
    uri = integration.get("integration_uri", required=False)
    calls = uri or integration.get("integration_subtype", required=False) or ""
    return f"local-integration-{hashlib.sha1(calls.encode()).hexdigest()[:16]}"  # noqa: S324


def _route_integration(route: _Change, integration: _Change) -> dict[str, Any]:
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


def _routes(api: _Change, changes: list[_Change]) -> tuple[RouteSpec, ...]:
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


def _http_api(api: _Change, changes: list[_Change]) -> HttpApiSpec:
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


def _security_headers(policy: _Change) -> dict[str, str]:
    """The headers a response headers policy's security_headers_config adds, by the header
    formats of CloudFront's "Understand response headers policies" page."""
    config = policy.first("security_headers_config") or {}
    headers: dict[str, str] = {}
    csp = (config.get("content_security_policy") or [{}])[0]
    if csp.get("content_security_policy"):
        headers["Content-Security-Policy"] = csp["content_security_policy"]
    hsts = (config.get("strict_transport_security") or [None])[0]
    if hsts:
        value = f"max-age={hsts['access_control_max_age_sec']}"
        value += "; includeSubDomains" if hsts.get("include_subdomains") else ""
        value += "; preload" if hsts.get("preload") else ""
        headers["Strict-Transport-Security"] = value
    frame = (config.get("frame_options") or [None])[0]
    if frame:
        headers["X-Frame-Options"] = frame["frame_option"]
    if config.get("content_type_options"):
        headers["X-Content-Type-Options"] = "nosniff"
    referrer = (config.get("referrer_policy") or [None])[0]
    if referrer:
        headers["Referrer-Policy"] = referrer["referrer_policy"]
    return headers


def _websites(by_type: dict[str, list[_Change]]) -> tuple[WebSiteSpec, ...]:
    """Each distribution with its bucket's objects. The objects of every bucket of the plan
    are the site's: the runtime serves one site (it refuses a plan with two)."""
    distributions = by_type.get("aws_cloudfront_distribution", [])
    if len(distributions) > 1:
        raise UnsupportedError(
            "more than one CloudFront distribution in the plan: the runtime serves one web app"
        )
    sites = []
    policies = by_type.get("aws_cloudfront_response_headers_policy", [])
    for distribution in distributions:
        files = {}
        for change in by_type.get("aws_s3_object", []):
            key = change.get("key")
            files[key] = WebFileSpec(
                key=key,
                source=change.get("source", required=False),
                content=change.get("content", required=False),
                content_type=change.get("content_type", required=False)
                or "application/octet-stream",
                cache_control=change.get("cache_control", required=False),
            )
        errors = distribution.get("custom_error_response", required=False) or []
        sites.append(
            WebSiteSpec(
                address=distribution.address,
                files=files,
                default_root_object=distribution.get("default_root_object", required=False)
                or "index.html",
                headers=_security_headers(policies[0]) if len(policies) == 1 else {},
                fallbacks={
                    int(e["error_code"]): e["response_page_path"].lstrip("/")
                    for e in errors
                    if e.get("response_code") == 200 and e.get("response_page_path")
                },
            )
        )
    return tuple(sites)


def _mapping(change: _Change) -> MappingSpec:
    source = change.get("event_source_arn")
    if ":dynamodb:" not in source:
        raise UnsupportedError(
            f"{change.address}: only DynamoDB stream sources are emulated locally ({source})"
        )
    destination = change.first("destination_config")
    failure = (destination or {}).get("on_failure") or []
    filters = change.first("filter_criteria")
    patterns = tuple(
        json.loads(f["pattern"]) for f in (filters or {}).get("filter") or () if f.get("pattern")
    )
    return MappingSpec(
        address=change.address,
        function=name_from_arn(
            change.get("function_name"), change.address, "function_name", "lambda"
        )
        if change.get("function_name").startswith("arn:")
        else change.get("function_name"),
        table=name_from_arn(source, change.address, "event_source_arn", "dynamodb"),
        starting_position=change.get("starting_position"),
        batch_size=change.get("batch_size"),
        maximum_batching_window_in_seconds=change.get(
            "maximum_batching_window_in_seconds", required=False
        )
        or 0,
        maximum_retry_attempts=change.get("maximum_retry_attempts"),
        maximum_record_age_in_seconds=change.get("maximum_record_age_in_seconds"),
        bisect_batch_on_function_error=bool(
            change.get("bisect_batch_on_function_error", required=False)
        ),
        report_batch_item_failures="ReportBatchItemFailures"
        in (change.get("function_response_types", required=False) or []),
        on_failure_queue=name_from_arn(
            change.get("destination_config", 0, "on_failure", 0, "destination_arn"),
            change.address,
            "destination_config.on_failure.destination_arn",
            "sqs",
        )
        if failure
        else None,
        filters=patterns,
    )


def _tables(by_type: dict[str, list[_Change]]) -> dict[str, TableSpec]:
    tables = {}
    for change in by_type.get("aws_dynamodb_table", []):
        ttl = change.first("ttl") or {}
        name = change.get("name")
        tables[name] = TableSpec(
            address=change.address,
            name=name,
            hash_key=change.get("hash_key"),
            range_key=change.get("range_key", required=False),
            attributes={a["name"]: a["type"] for a in change.get("attribute")},
            stream_view_type=change.get("stream_view_type", required=False)
            if change.get("stream_enabled", required=False)
            else None,
            ttl_attribute=ttl.get("attribute_name") if ttl.get("enabled") else None,
        )
    return tables


def _queues(by_type: dict[str, list[_Change]]) -> dict[str, QueueSpec]:
    queues = {}
    for change in by_type.get("aws_sqs_queue", []):
        name = change.get("name")
        queues[name] = QueueSpec(
            address=change.address,
            name=name,
            fifo=bool(change.get("fifo_queue", required=False)),
            message_retention_seconds=change.get("message_retention_seconds"),
            visibility_timeout_seconds=change.get("visibility_timeout_seconds"),
        )
    return queues


def read_platform(plan: dict[str, Any], replacements: Mapping[str, str]) -> PlatformSpec:
    """The platform ``plan`` describes, with ``replacements`` applied to its placeholders."""
    variables = plan.get("variables") or {}
    region = (variables.get("region") or {}).get("value")
    if not isinstance(region, str):
        raise UnresolvedValueError("var.region", "value", "not set in the plan")
    replacements = {**replacements}
    changes = list(_changes(plan, replacements))
    by_type: dict[str, list[_Change]] = {}
    for change in changes:
        by_type.setdefault(change.type, []).append(change)
    not_emulated: dict[str, int] = {}
    for rtype, items in by_type.items():
        if rtype not in _READ:
            not_emulated[rtype] = len(items)

    invoke = {
        c.get("function_name"): c
        for c in by_type.get("aws_lambda_function_event_invoke_config", [])
    }
    functions = {}
    for change in by_type.get("aws_lambda_function", []):
        spec = _function(change, invoke)
        functions[spec.name] = spec.model_copy(update={"arn": spec.arn.format(region=region)})

    tables, queues = _tables(by_type), _queues(by_type)

    archives = {
        name_from_arn(c.get("event_source_arn"), c.address, "event_source_arn", "events"): c.get(
            "name"
        )
        for c in by_type.get("aws_cloudwatch_event_archive", [])
    }
    buses = {}
    for change in by_type.get("aws_cloudwatch_event_bus", []):
        name = change.get("name")
        buses[name] = BusSpec(
            address=change.address,
            name=name,
            arn=f"arn:aws:events:{region}:{ACCOUNT_ID}:event-bus/{name}",
            archive=archives.get(name),
        )

    targets: dict[tuple[str, str], list[TargetSpec]] = {}
    for change in by_type.get("aws_cloudwatch_event_target", []):
        target = _target(change)
        bus = change.get("event_bus_name", required=False) or "default"
        targets.setdefault((bus, target.rule), []).append(target)
    rules = {}
    for change in by_type.get("aws_cloudwatch_event_rule", []):
        name = change.get("name")
        if change.get("schedule_expression", required=False):
            raise UnsupportedError(f"{change.address}: schedule rules are not emulated locally")
        bus = change.get("event_bus_name", required=False) or "default"
        rules[name] = RuleSpec(
            address=change.address,
            name=name,
            arn=f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{bus}/{name}",
            bus=bus,
            pattern=json.loads(change.get("event_pattern")),
            enabled=(change.get("state", required=False) or "ENABLED") == "ENABLED",
            targets=tuple(targets.get((bus, name), [])),
        )

    mappings = tuple(_mapping(c) for c in by_type.get("aws_lambda_event_source_mapping", []))
    http_apis = tuple(
        _http_api(c, changes)
        for c in by_type.get("aws_apigatewayv2_api", [])
        if c.get("protocol_type") == "HTTP"
    )
    ssm = {c.get("name"): c.get("value") for c in by_type.get("aws_ssm_parameter", [])}

    outputs: dict[str, dict[str, Any]] = {}
    for name, change in (plan.get("output_changes") or {}).items():
        if change.get("after_unknown") is True:
            continue
        value = substitute(change.get("after"), replacements)
        if _still_placeholder(value):
            continue
        outputs[name] = {
            "value": value,
            "type": _tf_type(value),
            "sensitive": bool(change.get("after_sensitive")),
        }
    return PlatformSpec(
        region=region,
        account_id=ACCOUNT_ID,
        functions=functions,
        tables=tables,
        queues=queues,
        buses=buses,
        rules=rules,
        mappings=mappings,
        http_apis=http_apis,
        websites=_websites(by_type),
        ssm_parameters=ssm,
        outputs=outputs,
        not_emulated=not_emulated,
    )


def _still_placeholder(value: Any) -> bool:
    text = json.dumps(value)
    return any(p in text for p in (AWS_ENDPOINT, HTTP_API_ENDPOINT, CFN_OUTPUT, WEB_HOST))


def _tf_type(value: Any) -> Any:
    """The ``type`` ``terraform output -json`` gives a value (objects and tuples by shape)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return ["object", {k: _tf_type(v) for k, v in value.items()}]
    if isinstance(value, list):
        return ["tuple", [_tf_type(v) for v in value]]
    return "dynamic"


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


def stack_outputs(plan: dict[str, Any], values: Mapping[str, str]) -> dict[str, str]:
    """Placeholder -> local value for every stack output whose ``Fn::GetAtt`` has a local
    equivalent; ``values`` gives ``events_host``. Longest placeholders first, so that one
    output's placeholder never replaces the start of a longer one's."""
    found: dict[str, str] = {}
    variables = plan.get("variables") or {}
    region = (variables.get("region") or {}).get("value") or ""
    for raw in plan.get("resource_changes", []):
        if raw.get("type") != "aws_cloudformation_stack":
            continue
        after = raw["change"].get("after") or {}
        stack, body = after.get("name"), after.get("template_body")
        if not isinstance(stack, str) or not isinstance(body, str):
            continue
        template = json.loads(body)
        resources = template.get("Resources") or {}
        apis = [k for k, r in resources.items() if r.get("Type") == "AWS::AppSync::Api"]
        api_id = re.sub(r"[^a-z0-9]", "", stack.lower())[:26] or "local"
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
