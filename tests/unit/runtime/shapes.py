"""Checking an answer against botocore's service model, strictly: a body with a member the
output shape does not have, a missing required member, a value of the wrong type, outside its
length or range, off its pattern or enum, is an answer AWS could not send.

botocore's own parser would drop unknown members and its ``ParamValidator`` is written for
requests, so the raw JSON body (and, for REST protocols, the header members) is walked here
against the shape itself.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

SESSION = botocore.session.get_session()

# Errors any AWS JSON service may answer, though no operation models them (the services'
# "Common Errors" pages, and what the JSON protocols answer a request they cannot read).
COMMON_ERRORS = {
    "AccessDeniedException": 400,
    "IncompleteSignatureException": 400,
    "InternalFailure": 500,
    "InvalidSignatureException": 403,
    "MissingAuthenticationTokenException": 403,
    "NotAuthorized": 400,
    "RequestExpired": 400,
    "SerializationException": 400,
    "ServiceUnavailable": 503,
    "ThrottlingException": 400,
    "UnknownOperationException": 400,
    "UnrecognizedClientException": 403,
    "ValidationException": 400,
}


def operation(service: str, name: str) -> OperationModel:
    return SESSION.get_service_model(service).operation_model(name)


def problems(value: Any, shape: Shape, where: str = "$") -> list[str]:
    """Every way ``value`` (JSON, as the wire carries it) breaks ``shape``."""
    if isinstance(shape, StructureShape):
        return _structure(value, shape, where)
    if isinstance(shape, ListShape):
        return _list(value, shape, where)
    if isinstance(shape, MapShape):
        return _map(value, shape, where)
    check = _SCALARS.get(shape.type_name)
    if check is None:
        return [f"{where}: a {shape.type_name} shape this checker does not know"]
    return check(value, shape, where)


def _list(value: Any, shape: ListShape, where: str) -> list[str]:
    if not isinstance(value, list):
        return [f"{where}: {type(value).__name__}, not a list"]
    found = _bounds(len(value), shape, where, "items")
    for index, item in enumerate(value):
        found += problems(item, shape.member, f"{where}[{index}]")
    return found


def _map(value: Any, shape: MapShape, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__}, not a map"]
    found = []
    for key, item in value.items():
        found += problems(key, shape.key, f"{where}<key>")
        found += problems(item, shape.value, f"{where}.{key}")
    return found


def _structure(value: Any, shape: StructureShape, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__}, not a structure"]
    found = [
        f"{where}.{name}: required, missing" for name in shape.required_members if name not in value
    ]
    for name, member in value.items():
        if name not in shape.members:
            found.append(f"{where}.{name}: not a member of {shape.name}")
        else:
            found += problems(member, shape.members[name], f"{where}.{name}")
    return found


def _string(value: Any, shape: Shape, where: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{where}: {value!r} is not a string"]
    found = _bounds(len(value), shape, where, "characters")
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        found.append(f"{where}: {value!r} is not one of {enum}")
    pattern = shape.metadata.get("pattern")
    if pattern and re.match(pattern, value) is None:
        found.append(f"{where}: {value!r} does not match {pattern}")
    return found


def _integer(value: Any, shape: Shape, where: str) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int):
        return [f"{where}: {value!r} is not an integer"]
    return _range(value, shape, where)


def _number(value: Any, shape: Shape, where: str) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [f"{where}: {value!r} is not a number"]
    return _range(value, shape, where)


def _boolean(value: Any, shape: Shape, where: str) -> list[str]:
    return [] if isinstance(value, bool) else [f"{where}: {value!r} is not a boolean"]


def _timestamp(value: Any, shape: Shape, where: str) -> list[str]:
    # The JSON protocols carry timestamps as epoch seconds.
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return [] if ok else [f"{where}: {value!r} is not an epoch timestamp"]


def _blob(value: Any, shape: Shape, where: str) -> list[str]:
    try:
        base64.b64decode(value, validate=True)
    except (TypeError, ValueError):
        return [f"{where}: not base64"]
    return []


_SCALARS: dict[str, Callable[[Any, Shape, str], list[str]]] = {
    "string": _string,
    "integer": _integer,
    "long": _integer,
    "float": _number,
    "double": _number,
    "boolean": _boolean,
    "timestamp": _timestamp,
    "blob": _blob,
}


def _bounds(size: int, shape: Shape, where: str, unit: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        return [f"{where}: {size} {unit}, fewer than {low}"]
    if high is not None and size > high:
        return [f"{where}: {size} {unit}, more than {high}"]
    return []


def _range(value: float, shape: Shape, where: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        return [f"{where}: {value} outside [{low}, {high}]"]
    return []


# Where a service answers a common error with another status, or answers one no model names:
# Lambda's AccessDeniedException is HTTP 403 ("Status Code: 403; Error Code:
# AccessDeniedException", quoted in awslabs/aws-deployment-framework#460); SQS's IAM refusal
# is AccessDenied, 403 ("Error Code: AccessDenied ... statusCode: 403", MassTransit#1525).
SERVICE_ERRORS = {
    ("lambda", "AccessDeniedException"): 403,
    ("sqs", "AccessDenied"): 403,
}


def error_problems(op: OperationModel, status: int, code: str) -> list[str]:
    """Why an error answer AWS could not send: a code the operation does not model and no
    common error, or a status other than the error shape's."""
    modeled = {shape.name: shape for shape in op.error_shapes}
    if code in modeled:
        expected = (modeled[code].metadata.get("error") or {}).get("httpStatusCode", 400)
        return [] if status == expected else [f"{code}: HTTP {status}, the model says {expected}"]
    service = op.service_model.service_name
    if (service, code) in SERVICE_ERRORS or code in COMMON_ERRORS:
        expected = SERVICE_ERRORS.get((service, code)) or COMMON_ERRORS[code]
        return [] if status == expected else [f"{code}: HTTP {status}, AWS answers {expected}"]
    return [f"{code} is neither an error of {op.name} nor a common AWS error"]


def header_problems(op: OperationModel, headers: dict[str, str]) -> list[str]:
    """The header members of a REST output (``x-amz-...``), each against its shape."""
    found: list[str] = []
    lowered = {k.lower(): v for k, v in headers.items()}
    for member in op.output_shape.members.values():
        if member.serialization.get("location") != "header":
            continue
        value = lowered.get(member.serialization["name"].lower())
        if value is not None:
            found += problems(value, member, f"header {member.serialization['name']}")
    return found
