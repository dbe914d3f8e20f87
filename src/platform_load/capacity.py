"""A capacity plan for traffic no laptop can make: which limit binds first, and at what rate.

It reads the platform's own settings from a Terraform plan (``terraform show -json``): each
function's reserved concurrency, the Event API's handler, the rules an upload fans out to,
the ingest stage's throttle and the WAF rate rules; and AWS's documented default quotas from
``quotas.json`` (each with its page). For a traffic (publishes a second, subscribers over
channels, uploads a second, how long a handler runs, how many client addresses the traffic
comes from) every limit is turned into the traffic at which it binds, in the traffic's own
unit; the smallest headroom binds first.

The arithmetic, limit by limit:

- a function invoked once per request holds a worker for the handler's duration, so its
  reserved concurrency ``R`` serves ``R / duration`` requests a second (Little's law);
- the Event API delivers each event to the subscribers of its channel: ``rate * S / C``
  deliveries a second with ``S`` subscribers spread evenly over ``C`` channels;
- a WAF rate rule allows ``limit`` requests per ``window`` seconds to each address (or
  caller), so ``N`` of them ``N * limit / window`` a second;
- a durable channel keeps its counter and its events under one partition key (the channel;
  handlers/channels/dal.py): an event published alone with a message id costs that partition
  3 write units (the counter's ``ADD``, the event written in a transaction, which doubles
  it; the message id's record lives on another key), and DynamoDB caps a partition's writes,
  so each channel takes a third of that many events a second and ``C`` channels ``C`` times
  as many (README, "Durable channels");
- an upload is one ``PutEvents`` entry (the HTTP API's integration) and one invocation per
  rule target the upload matches.

A quota whose value could not be checked from this machine is listed, not guessed: pass the
account's value with ``--quota NAME=VALUE``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

QUOTAS = Path(__file__).with_name("quotas.json")
# write units an event with a message id costs its channel's partition key (see above)
UNITS_PER_KEPT_EVENT = 3
UNITS = {"publishes": "publishes/s", "uploads": "uploads/s", "subscribers": "subscribers"}


class CapacityError(ValueError):
    """The plan or the traffic cannot be read; the message says what is wrong."""


class Traffic(BaseModel):
    publishes: float = Field(gt=0, description="events published a second (one per request)")
    subscribers: int = Field(ge=1)
    channels: int = Field(ge=1)
    uploads: float = Field(ge=0, description="POST /uploads a second")
    handler_ms: float = Field(gt=0, description="how long one invocation runs")
    sources: int = Field(ge=1, description="client addresses (and callers) it comes from")


class RateRule(BaseModel):
    limit: int
    window_seconds: int


class Settings(BaseModel):
    """What the plan sets that bounds traffic."""

    region: str
    reserved: dict[str, int | None]
    channel_handler: str | None = None
    upload_targets: list[str] = []
    durable_channels: bool = False
    stage_rate: float | None = None
    realtime_per_ip: RateRule | None = None
    edge_per_ip: RateRule | None = None
    edge_uploads_per_caller: RateRule | None = None


class Limit(BaseModel):
    name: str
    source: str
    value: float | None
    unit: str
    traffic: str = Field(description="the traffic figure it bounds: publishes, subscribers...")
    binds_at: float | None
    asked: float
    raise_with: str

    @property
    def headroom(self) -> float | None:
        return None if self.binds_at is None else self.binds_at / self.asked


def _resources(plan: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    changes = plan.get("resource_changes")
    if not isinstance(changes, list):
        raise CapacityError("not a plan: no resource_changes (use `terraform show -json PLAN`)")
    found = []
    for change in changes:
        after = (change.get("change") or {}).get("after")
        if isinstance(after, dict):
            found.append((str(change["address"]), str(change["type"]), after))
    return found


def _module(address: str) -> str:
    """``module.capture_order.aws_lambda_function.this[0]`` -> ``capture_order``."""
    parts = address.split(".")
    return parts[1] if parts[0] == "module" and len(parts) > 2 else parts[-1]


def _rate_rules(acl: dict[str, Any]) -> dict[str, RateRule]:
    rules = {}
    for rule in acl.get("rule") or []:
        for statement in rule.get("statement") or []:
            for rate in statement.get("rate_based_statement") or []:
                rules[str(rule["name"])] = RateRule(
                    limit=int(rate["limit"]), window_seconds=int(rate["evaluation_window_sec"])
                )
    return rules


def settings_from_plan(plan: dict[str, Any]) -> Settings:
    """The settings of a plan of ``terraform/`` (``terraform show -json``)."""
    region = str(((plan.get("variables") or {}).get("region") or {}).get("value") or "")
    reserved: dict[str, int | None] = {}
    settings: dict[str, Any] = {}
    for address, kind, after in _resources(plan):
        module = _module(address)
        if kind == "aws_lambda_function":
            value = after.get("reserved_concurrent_executions")
            reserved[module] = None if value is None or value < 0 else int(value)
        elif kind == "aws_cloudwatch_event_target" and module == "ingest_rules":
            # the target's key is "<rule>/<target>", the target named after its function
            key = address.rsplit("[", 1)[-1].strip('"]')
            settings.setdefault("upload_targets", []).append(
                key.rsplit("/", 1)[-1].replace("-", "_")
            )
        elif kind == "aws_cloudformation_stack" and "AWS::AppSync::Api" in str(
            after.get("template_body")
        ):
            settings["channel_handler"] = "channels"
        elif kind == "aws_dynamodb_table" and module == "history_table":
            settings["durable_channels"] = True
        elif kind == "aws_apigatewayv2_stage" and module == "ingest_api":
            route = (after.get("default_route_settings") or [{}])[0]
            settings["stage_rate"] = route.get("throttling_rate_limit")
        elif kind == "aws_wafv2_web_acl":
            rules = _rate_rules(after)
            if module == "realtime_waf":
                settings["realtime_per_ip"] = rules.get("rate-limit-per-ip")
            elif module == "edge_waf":
                settings["edge_per_ip"] = rules.get("rate-limit-per-ip")
                settings["edge_uploads_per_caller"] = rules.get("rate-limit-uploads-per-caller")
    if not reserved:
        raise CapacityError("the plan has no Lambda functions: is it a plan of terraform/?")
    return Settings(region=region, reserved=reserved, **settings)


def quotas(region: str, overrides: dict[str, float] | None = None) -> dict[str, Any]:
    """name -> {title, unit, value (None: not checked), source, readWith} for ``region``."""
    listed = json.loads(QUOTAS.read_text())["quotas"]
    unknown = sorted(set(overrides or {}) - set(listed))
    if unknown:
        raise CapacityError(f"no quota named {', '.join(unknown)}; known: {', '.join(listed)}")
    result = {}
    for name, quota in listed.items():
        value = quota["byRegion"].get(region) if "byRegion" in quota else quota["default"]
        if overrides and name in overrides:
            value, source = overrides[name], "given with --quota"
        else:
            source = quota["source"]
        result[name] = {**quota, "value": value, "source": source}
    return result


def _per_second(rule: RateRule, sources: int) -> float:
    return sources * rule.limit / rule.window_seconds


def limits(settings: Settings, traffic: Traffic, quota: dict[str, Any]) -> list[Limit]:
    """Every limit the traffic meets, the first to bind first (those not known last)."""
    seconds = traffic.handler_ms / 1000
    fan_out = traffic.subscribers / traffic.channels
    found: list[Limit] = []

    def add(  # noqa: PLR0917 (a local helper; the rows read in one line each)
        name: str,
        source: str,
        value: float | None,
        unit: str,
        traffic_name: str,
        binds_at: float | None,
        raise_with: str,
    ) -> None:
        asked = float(getattr(traffic, traffic_name))
        if asked == 0:
            return  # no such traffic asked (no uploads): nothing to bind
        found.append(
            Limit(
                name=name,
                source=source,
                value=value,
                unit=unit,
                traffic=traffic_name,
                binds_at=binds_at,
                asked=asked,
                raise_with=raise_with,
            )
        )

    def from_quota(name: str, traffic_name: str, per_unit: float, raise_with: str) -> None:
        q = quota[name]
        value = q["value"]
        binds = None if value is None else value / per_unit
        add(q["title"], q["source"], value, q["unit"], traffic_name, binds, raise_with)

    if settings.channel_handler:
        handler = settings.reserved.get(settings.channel_handler)
        if handler is not None:
            add(
                "channel handler: reserved concurrency (publishes wait on it)",
                "the plan: reserved_concurrency.channels",
                handler,
                "concurrent executions",
                "publishes",
                handler / seconds,
                "reserved_concurrency.channels",
            )
        from_quota("eventapi.inbound", "publishes", 1.0, "a quota increase (Service Quotas)")
        from_quota(
            "eventapi.outbound",
            "publishes",
            fan_out,
            "a quota increase, or fewer subscribers per channel",
        )
        from_quota("eventapi.connections", "subscribers", 1.0, "a quota increase")
        if settings.realtime_per_ip:
            rule = settings.realtime_per_ip
            add(
                f"Event API WAF: {rule.limit} requests per {rule.window_seconds} s per address",
                "the plan: realtime_waf.rate_limit",
                rule.limit,
                "requests per window",
                "publishes",
                _per_second(rule, traffic.sources),
                "realtime_waf.rate_limit, or publish from more addresses",
            )
        if settings.durable_channels:
            writes = quota["dynamodb.partition_writes"]
            add(
                f"durable channels: {UNITS_PER_KEPT_EVENT} write units an event on one key",
                writes["source"],
                writes["value"],
                writes["unit"],
                "publishes",
                traffic.channels * writes["value"] / UNITS_PER_KEPT_EVENT,
                "spread the traffic over more channels",
            )
    if settings.stage_rate is not None:
        add(
            "ingest stage throttle (one bucket for all callers)",
            "the plan: ingest_throttling.rate_limit",
            settings.stage_rate,
            "requests/s",
            "uploads",
            settings.stage_rate,
            "ingest_throttling.rate_limit",
        )
    for edge, what, variable in (
        (settings.edge_per_ip, "per address", "web.waf.rate_limit"),
        (settings.edge_uploads_per_caller, "uploads per caller", "web.waf.upload_rate_limit"),
    ):
        if edge:
            add(
                f"edge WAF: {edge.limit} {what} per {edge.window_seconds} s",
                f"the plan: {variable}",
                edge.limit,
                "requests per window",
                "uploads",
                _per_second(edge, traffic.sources),
                variable,
            )
    from_quota("eventbridge.putevents", "uploads", 1.0, "a quota increase (Service Quotas)")
    if settings.upload_targets:
        from_quota(
            "eventbridge.invocations",
            "uploads",
            float(len(settings.upload_targets)),
            "a quota increase (Service Quotas)",
        )
    for target in settings.upload_targets:
        reserved = settings.reserved.get(target)
        if reserved is not None:
            add(
                f"{target}: reserved concurrency (async: beyond it, a backlog)",
                f"the plan: reserved_concurrency.{target}",
                reserved,
                "concurrent executions",
                "uploads",
                reserved / seconds,
                f"reserved_concurrency.{target}",
            )
    order = sorted(
        found, key=lambda limit: (limit.headroom is None, limit.headroom or 0.0, limit.name)
    )
    return order


def account_concurrency(settings: Settings, quota: dict[str, Any]) -> dict[str, Any]:
    """The plan's reserved concurrency against what the account may reserve."""
    q = quota["lambda.concurrency"]
    reservable = q["value"] - q["unreserved"]
    total = sum(value for value in settings.reserved.values() if value)
    return {
        "reserved": total,
        "reservable": reservable,
        "fits": total <= reservable,
        "source": q["source"],
    }


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.3g}"


def render(
    settings: Settings,
    traffic: Traffic,
    found: list[Limit],
    account: dict[str, Any],
    quota: dict[str, Any],
) -> str:
    """The plan as text: traffic, the table, what binds first, what was not checked."""
    lines = [
        f"capacity plan ({settings.region or 'region unknown'}): {traffic.publishes:g} "
        f"publishes/s to {traffic.subscribers:,} subscribers on {traffic.channels:,} channels, "
        f"{traffic.uploads:g} uploads/s; handlers {traffic.handler_ms:g} ms, "
        f"{traffic.sources:,} client addresses",
        f"{'limit':<66} {'of':<11} {'binds at':>10} {'asked':>9} {'headroom':>8}",
    ]
    for limit in found:
        headroom = limit.headroom
        lines.append(
            f"{limit.name:<66} {UNITS[limit.traffic]:<11} {_number(limit.binds_at):>10} "
            f"{_number(limit.asked):>9} {'?' if headroom is None else _number(headroom) + 'x':>8}"
        )
    known = [limit for limit in found if limit.headroom is not None]
    if known:
        first = known[0]
        verdict = "already exceeded" if (first.headroom or 0) < 1 else "binds first"
        lines.append(
            f"{verdict}: {first.name} at {_number(first.binds_at)} {UNITS[first.traffic]} "
            f"({first.source}); raise: {first.raise_with}"
        )
    lines.append(
        f"Lambda: the plan reserves {account['reserved']:,} of the {account['reservable']:,} "
        f"an account may reserve by default ({'fits' if account['fits'] else 'does NOT fit'}; "
        f"{account['source']})"
    )
    for name, q in quota.items():
        if q["value"] is None:
            lines.append(f"not checked here: {name} ({q['title']}): {q['readWith']}")
    return "\n".join(lines)


def plan_report(
    plan: dict[str, Any],
    traffic: Traffic,
    overrides: dict[str, float] | None = None,
    region: str | None = None,
) -> tuple[dict[str, Any], str]:
    """The capacity plan as JSON and as text."""
    settings = settings_from_plan(plan)
    if region:
        settings = settings.model_copy(update={"region": region})
    quota = quotas(settings.region, overrides)
    found = limits(settings, traffic, quota)
    account = account_concurrency(settings, quota)
    known = [limit for limit in found if limit.headroom is not None]
    result = {
        "traffic": traffic.model_dump(),
        "region": settings.region,
        "limits": [{**limit.model_dump(), "headroom": limit.headroom} for limit in found],
        "binds_first": known[0].name if known else None,
        "lambda_account": account,
        "not_checked": [name for name, q in quota.items() if q["value"] is None],
    }
    return result, render(settings, traffic, found, account, quota)
