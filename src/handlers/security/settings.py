"""Settings of the security service."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from handlers.common.poison import PoisonSettings
from handlers.common.settings import load_settings


class Settings(PoisonSettings):
    assessments_table_name: str = Field(
        alias="ASSESSMENTS_TABLE_NAME", min_length=3, max_length=255
    )
    idempotency_table_name: str = Field(
        alias="IDEMPOTENCY_TABLE_NAME", min_length=3, max_length=255
    )
    event_bus_name: str = Field(alias="EVENT_BUS_NAME", min_length=1, max_length=256)
    # Longer than a message can wait in a failure queue (SQS keeps it 14 days at most), so
    # that a redelivery, or an operator's redrive, of an answer still finds its record.
    idempotency_ttl_seconds: int = Field(
        alias="IDEMPOTENCY_TTL_SECONDS", default=15 * 86400, ge=3600, le=30 * 86400
    )


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
