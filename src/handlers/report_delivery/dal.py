"""The reports table: one item per report, under its user (``pk``) and questionnaire (``sk``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.common.dynamodb import to_attributes
from handlers.contracts import ReportReady

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBReportStore:
    """``logic.ReportStore`` over a DynamoDB table. A redelivered report overwrites itself."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table_name = table_name
        self._client = client

    def put_report(self, report: ReportReady) -> None:
        generated = report.generated_at.isoformat()
        self._client.put_item(
            TableName=self._table_name,
            Item=to_attributes(
                {
                    "pk": f"USER#{report.user_id}",
                    "sk": f"REPORT#{report.questionnaire_id}#{generated}#{report.report_id}",
                    "reportId": report.report_id,
                    "questionnaireId": report.questionnaire_id,
                    "score": report.score,
                    "level": report.level,
                    "generatedAt": generated,
                    "report": report.model_dump_json(by_alias=True),
                }
            ),
        )
