"""DynamoDB's ``TransactWriteItems`` locally without copying whole tables.

moto 5.2.5 answers it correctly, but before each transaction it deep-copies every table the
transaction names (once per item), so that it can put the tables back if an item fails. A
transaction's cost then grows with the table: on the channel history table, which keeps every
event of every durable channel, a publish with a message id cost 3 ms on an empty table and
50 ms after a few thousand events (measured by `make bench`). Here the tables are not copied;
instead the items the transaction names, and each table's stream length, are saved before it
runs and put back when moto refuses it, which leaves the tables exactly as moto's own copy
would (a refused transaction changes no item and adds no stream record). moto's checks,
writes and ``TransactionCanceledException`` (with its ``CancellationReasons``) are unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table


class _TablesNotCopied:
    """Stands in for the ``copy`` module inside ``moto.dynamodb.models``, whose only copy of a
    whole table is the transaction's backup; every other copy is a real one."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)

    copy = staticmethod(copy.copy)


@dataclass
class _Saved:
    table: Table
    hash_key: Any
    range_key: Any
    item: Any  # a copy of the item before the transaction, or None


def _save(
    backend: DynamoDBBackend, transact_items: list[dict[str, Any]]
) -> tuple[list[_Saved], dict[int, tuple[Table, int]]]:
    saved: list[_Saved] = []
    streams: dict[int, tuple[Table, int]] = {}
    for entry in transact_items:
        try:
            (op_type, op), *_ = entry.items()
            table = backend.tables[op["TableName"]]
            if op_type == "Put":
                attrs = op["Item"]
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            hash_key, range_key = backend.get_keys_value(table, key)
        except Exception:  # noqa: BLE001, S112 - moto refuses this item itself, writing nothing
            continue
        current = table.get_item(hash_key, range_key)
        saved.append(_Saved(table, hash_key, range_key, copy.deepcopy(current)))
        if table.stream_shard is not None:
            streams.setdefault(id(table), (table, len(table.stream_shard.items)))
    return saved, streams


def _restore(saved: list[_Saved], streams: dict[int, tuple[Table, int]]) -> None:
    for entry in reversed(saved):
        items = entry.table.items
        if entry.table.range_key_attr is not None:
            partition = items[entry.hash_key]
            if entry.item is None:
                partition.pop(entry.range_key, None)
                if not partition:
                    del items[entry.hash_key]
            else:
                partition[entry.range_key] = entry.item
        elif entry.item is None:
            items.pop(entry.hash_key, None)
        else:
            items[entry.hash_key] = entry.item
    for table, length in streams.values():
        if table.stream_shard is not None:
            del table.stream_shard.items[length:]


def install() -> None:
    """Replace moto's table copies by item saves (idempotent)."""
    current: Callable[..., None] = DynamoDBBackend.transact_write_items
    if getattr(current, "local_runtime", False):
        return

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        saved, streams = _save(self, transact_items)
        try:
            current(self, transact_items)
        except BaseException:
            _restore(saved, streams)
            raise

    transact_write_items.local_runtime = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    dynamodb_models.copy = _TablesNotCopied  # type: ignore[attr-defined,assignment]
