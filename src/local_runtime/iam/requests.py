"""What a request asks of IAM: its action, resource and context keys (``Authorization``).

Actions and resource ARNs are those of the Service Authorization Reference ("Actions,
resources, and condition keys for <service>") for each operation; a request names its
resources in its own parameters. Where the runtime cannot tell the resource, it says so
(``resource=None``) and ``policy`` denies only what AWS would deny whatever the resource.

- DynamoDB: ``dynamodb:<Operation>`` on ``table/<name>`` (``/index/<index>`` for a Query or
  Scan of an index); a batch asks the same action of each table; ``TransactWriteItems`` asks
  ``PutItem``/``UpdateItem``/``DeleteItem``/``ConditionCheckItem`` of each item's table and
  ``TransactGetItems`` ``GetItem`` ("Actions, resources, and condition keys for Amazon
  DynamoDB"; DynamoDB Developer Guide, "Using IAM with DynamoDB transactions").
- SQS: ``sqs:<Operation>`` on the queue of ``QueueUrl`` (``QueueName`` for GetQueueUrl); the
  ``...Batch`` operations ask their single action (SQS Developer Guide, "Amazon SQS API
  permissions: Actions and resource reference").
- SSM: ``ssm:<Operation>`` on ``parameter/<name>`` (a name without a leading ``/`` gains one
  in the ARN); Secrets Manager: ``secretsmanager:<Operation>`` on the secret's ARN.
- EventBridge ``PutEvents``: ``events:PutEvents`` on each entry's bus with ``events:source``
  and ``events:detail-type`` ("Using IAM policy conditions in Amazon EventBridge").
- Lambda ``Invoke``: ``lambda:InvokeFunction`` on the function's ARN (``:<qualifier>`` when
  one is given: Lambda Developer Guide, "Resources and conditions for Lambda actions").
- Any other operation of a JSON or query API: ``<service>:<Operation>`` on a resource the
  runtime cannot tell. STS's ``GetCallerIdentity`` needs no permission (STS API reference).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from local_runtime.iam.policy import Authorization

# The signing name of a service when its IAM prefix differs (SAR "service prefix").
_PREFIX = {"monitoring": "cloudwatch", "email": "ses"}
# Operations that need no permission.
_FREE = frozenset({"sts:GetCallerIdentity"})
_SQS_BATCH = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
_TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


@dataclass(frozen=True)
class Where:
    """The principal's partition, region and account: where its requests' ARNs point."""

    region: str
    account: str
    partition: str = "aws"

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"


def _dynamodb(op: str, body: dict[str, Any], where: Where) -> list[Authorization]:
    def table(name: str, index: str | None = None) -> str:
        if name.startswith("arn:"):
            return name if index is None else f"{name}/index/{index}"
        return where.arn("dynamodb", f"table/{name}" + (f"/index/{index}" if index else ""))

    if op in ("BatchGetItem", "BatchWriteItem"):
        tables = body.get("RequestItems") or {}
        return [Authorization(f"dynamodb:{op}", table(t)) for t in tables]
    if op == "TransactWriteItems":
        found = []
        for item in body.get("TransactItems") or []:
            for kind, action in _TRANSACT_WRITE.items():
                if isinstance(item, dict) and kind in item:
                    found.append(
                        Authorization(f"dynamodb:{action}", table(item[kind]["TableName"]))
                    )
        return found
    if op == "TransactGetItems":
        return [
            Authorization("dynamodb:GetItem", table(item["Get"]["TableName"]))
            for item in body.get("TransactItems") or []
            if isinstance(item, dict) and "Get" in item
        ]
    if isinstance(body.get("TableName"), str):
        return [Authorization(f"dynamodb:{op}", table(body["TableName"], body.get("IndexName")))]
    if op in ("ListTables", "DescribeLimits", "DescribeEndpoints"):
        return [Authorization(f"dynamodb:{op}", "*")]
    return [Authorization(f"dynamodb:{op}", None)]


def _sqs(op: str, body: dict[str, Any], where: Where) -> list[Authorization]:
    action = f"sqs:{_SQS_BATCH.get(op, op)}"
    url = body.get("QueueUrl")
    if isinstance(url, str):
        parts = urlsplit(url).path.strip("/").split("/")
        if len(parts) == 2:
            account, name = parts
            return [
                Authorization(action, f"arn:{where.partition}:sqs:{where.region}:{account}:{name}")
            ]
    if op == "GetQueueUrl" and isinstance(body.get("QueueName"), str):
        account = body.get("QueueOwnerAWSAccountId") or where.account
        return [
            Authorization(
                action, f"arn:{where.partition}:sqs:{where.region}:{account}:{body['QueueName']}"
            )
        ]
    if op == "ListQueues":
        return [Authorization(action, "*")]
    return [Authorization(action, None)]


def _ssm(op: str, body: dict[str, Any], where: Where) -> list[Authorization]:
    def parameter(name: str) -> str:
        if name.startswith("arn:"):
            return name
        name = name.split(":", 1)[0]  # a version or label selector ("name:3") is no part
        return where.arn("ssm", "parameter" + (name if name.startswith("/") else "/" + name))

    names = body.get("Names") if op == "GetParameters" else [body.get("Name") or body.get("Path")]
    if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
        return [Authorization(f"ssm:{op}", parameter(n)) for n in names]
    return [Authorization(f"ssm:{op}", None)]


def _events(op: str, body: dict[str, Any], where: Where) -> list[Authorization]:
    if op != "PutEvents":
        return [Authorization(f"events:{op}", None)]
    found = []
    for entry in body.get("Entries") or []:
        if not isinstance(entry, dict):
            continue
        bus = entry.get("EventBusName") or "default"
        arn = bus if str(bus).startswith("arn:") else where.arn("events", f"event-bus/{bus}")
        context = {
            key: [entry[name]]
            for key, name in (("events:source", "Source"), ("events:detail-type", "DetailType"))
            if isinstance(entry.get(name), str)
        }
        found.append(Authorization("events:PutEvents", arn, context))
    return found


def lambda_invoke(function: str, qualifier: str | None, where: Where) -> list[Authorization]:
    """``Invoke``: the function by name, partial ARN (``<account>:function:<name>``) or ARN,
    the qualifier from the name (``name:alias``) or the ``Qualifier`` parameter."""
    if function.startswith("arn:"):
        parts = function.split(":")
        name, inline = parts[6], (parts[7] if len(parts) > 7 else None)
    elif ":function:" in function:
        parts = function.split(":")
        name, inline = parts[2], (parts[3] if len(parts) > 3 else None)
    else:
        name, _, inline_text = function.partition(":")
        inline = inline_text or None
    qualifier = qualifier or inline
    arn = where.arn("lambda", f"function:{name}") + (f":{qualifier}" if qualifier else "")
    return [Authorization("lambda:InvokeFunction", arn)]


_JSON_SERVICES: dict[str, Callable[[str, dict[str, Any], Where], list[Authorization]]] = {
    "DynamoDB_20120810": _dynamodb,
    "AmazonSQS": _sqs,
    "AmazonSSM": _ssm,
    "AWSEvents": _events,
}


def authorizations(
    *,
    service: str,
    target: str,
    body: bytes,
    query: str,
    where: Where,
    secret_arn: Callable[[str], str | None] = lambda _: None,
) -> list[Authorization]:
    """The authorizations one request of a JSON (``X-Amz-Target``) or query (``Action=``) API
    asks; [] when it needs none, or when it is neither (REST APIs: not evaluated)."""
    prefix = _PREFIX.get(service, service)
    if target:
        api, _, op = target.rpartition(".")
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            parsed = None
        payload = parsed if isinstance(parsed, dict) else {}
        if api in _JSON_SERVICES:
            return _JSON_SERVICES[api](op, payload, where)
        if api == "secretsmanager" and isinstance(payload.get("SecretId"), str):
            secret = payload["SecretId"]
            return [
                Authorization(
                    f"secretsmanager:{op}",
                    secret if secret.startswith("arn:") else secret_arn(secret),
                )
            ]
        requested = [Authorization(f"{prefix}:{op}", None)]
    else:
        form = {k: v[0] for k, v in parse_qs(query + "&" + body.decode("utf-8", "replace")).items()}
        if "Action" not in form:
            return []
        op = form["Action"]
        if prefix == "sqs":
            return _sqs(
                op,
                {
                    "QueueUrl": unquote(form.get("QueueUrl", "")) or None,
                    "QueueName": form.get("QueueName"),
                },
                where,
            )
        requested = [Authorization(f"{prefix}:{op}", None)]
    return [] if requested[0].action in _FREE else requested
