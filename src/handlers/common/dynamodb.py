"""The one way the handlers talk to DynamoDB: the low-level client, items written and read
through boto3's ``TypeSerializer``/``TypeDeserializer``, and one reading of its errors.

Imported by the data-access modules only (boto3 stays off the cold path of the handlers).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _storable(value: Any) -> Any:
    """``value`` with floats as Decimal (DynamoDB refuses floats), in lists and maps too."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _storable(v) for k, v in value.items()}
    return value


def to_attributes(values: Mapping[str, Any]) -> dict[str, AttributeValueTypeDef]:
    """Plain values -> DynamoDB's typed attribute values (``{"S": ...}``, ``{"N": ...}``)."""
    return {name: _serializer.serialize(_storable(value)) for name, value in values.items()}


def from_attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    """DynamoDB's typed attribute values -> plain values (numbers as Decimal)."""
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def error_code(exc: ClientError) -> str:
    """DynamoDB's error code of a failed call (``ConditionalCheckFailedException``, ...)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def condition_failed(exc: ClientError) -> bool:
    """True when the call was refused by its ``ConditionExpression``, not by a fault."""
    return error_code(exc) == "ConditionalCheckFailedException"
