"""Settings of the security service."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from handlers.common.settings import EnvSettings, load_settings


class Settings(EnvSettings):
    assessments_table_name: str = Field(
        alias="ASSESSMENTS_TABLE_NAME", min_length=3, max_length=255
    )
    idempotency_table_name: str = Field(
        alias="IDEMPOTENCY_TABLE_NAME", min_length=3, max_length=255
    )
    event_bus_name: str = Field(alias="EVENT_BUS_NAME", min_length=1, max_length=256)
    # Longer than EventBridge's retries (24 h at most) and the answers stream's record age, so
    # that any redelivery of an answer finds its record.
    idempotency_ttl_seconds: int = Field(
        alias="IDEMPOTENCY_TTL_SECONDS", default=2 * 86400, ge=3600, le=30 * 86400
    )


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
