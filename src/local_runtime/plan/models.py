"""What the plan says runs, as typed, frozen models: functions, tables, queues, the bus, its rules
and targets, stream mappings, HTTP APIs, the web site and the platform as a whole.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


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
    # reserved_concurrent_executions; None: unreserved (the provider's -1), the account's pool.
    reserved_concurrency: int | None = None


class TableSpec(_Model):
    address: str
    name: str
    hash_key: str
    range_key: str | None
    attributes: dict[str, str]
    stream_view_type: str | None
    ttl_attribute: str | None
    # Global secondary indexes: name -> (hash key, range key or None), every attribute projected.
    indexes: dict[str, tuple[str, str | None]] = {}


class QueueSpec(_Model):
    address: str
    name: str
    fifo: bool
    message_retention_seconds: int
    visibility_timeout_seconds: int


class InputTransformerSpec(_Model):
    input_paths: dict[str, str]  # variable -> JSON path into the event
    input_template: str


class TargetSpec(_Model):
    address: str
    rule: str
    target_id: str
    arn: str
    kind: Literal["lambda", "sqs"]
    input: str | None
    input_path: str | None
    input_transformer: InputTransformerSpec | None
    maximum_retry_attempts: int
    maximum_event_age_in_seconds: int
    dead_letter_queue: str | None


class RuleSpec(_Model):
    address: str
    name: str
    arn: str
    bus: str
    pattern: str  # the event pattern, JSON text as PutRule takes it
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
    filters: tuple[str, ...]  # filter criteria patterns, JSON text


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


class ScheduleSpec(_Model):
    """An EventBridge Scheduler schedule of a Lambda function, at a fixed rate."""

    address: str
    name: str
    interval_seconds: int
    function: str
    input: str  # the target's input: the event the function receives, as JSON text


class WebAclSpec(_Model):
    """A web ACL of scope CLOUDFRONT: its planned ``aws_wafv2_web_acl`` values, rules and all
    (``wafv2.acl`` applies them)."""

    address: str
    name: str
    planned: dict[str, Any]


class WebSiteSpec(_Model):
    """A CloudFront distribution over an S3 bucket, served by the runtime itself; paths of an
    API origin, if any, go to that origin (the HTTP API), behind the web ACL."""

    address: str
    files: dict[str, WebFileSpec]
    default_root_object: str
    headers: dict[str, str]  # the response headers policy's security headers
    fallbacks: dict[int, str]  # S3 status -> page served with 200 (custom error responses)
    api_origin: str | None = None  # the custom origin's domain name, as planned
    api_paths: tuple[str, ...] = ()  # path patterns of the behaviours that target it
    web_acl: WebAclSpec | None = None
    web_acl_elsewhere: str | None = None  # a web ACL given by ARN, not made by the plan


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
    schedules: tuple[ScheduleSpec, ...] = ()
    ssm_parameters: dict[str, str]
    outputs: dict[str, dict[str, Any]]
    not_emulated: dict[str, int]
