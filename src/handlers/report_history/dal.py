"""The reports table, read side: ``Query`` on the user's partition, newest first.

Items are written by report delivery (``handlers.report_delivery.dal``): partition
``USER#<user id>``, sort key ``REPORT#<questionnaire>#<generated at>#<report id>``, the
whole report as JSON in ``report``. Sorting the key descending gives, per questionnaire,
the newest report first.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from handlers.common.dynamodb import from_attributes, to_attributes
from handlers.report_history.logic import Page, partition_of

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBReportReader:
    """``logic.ReportReader`` over the reports table (``dynamodb:Query`` only)."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table_name = table_name
        self._client = client

    def reports_of(
        self,
        user_id: str,
        questionnaire_id: str | None,
        limit: int,
        start: dict[str, str] | None,
    ) -> Page:
        prefix = "REPORT#" if questionnaire_id is None else f"REPORT#{questionnaire_id}#"
        query: dict[str, Any] = {
            "TableName": self._table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": to_attributes(
                {":pk": partition_of(user_id), ":prefix": prefix}
            ),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start is not None:
            query["ExclusiveStartKey"] = to_attributes(start)
        answer = self._client.query(**query)
        last = answer.get("LastEvaluatedKey")
        return Page(
            reports=[
                json.loads(from_attributes(item)["report"]) for item in answer.get("Items", [])
            ],
            position={k: str(v) for k, v in from_attributes(last).items()} if last else None,
        )
