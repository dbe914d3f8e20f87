"""Settings of the notify function.

The webhook URL is a secret: the environment holds only *where* it is (an SSM
SecureString parameter or a Secrets Manager secret), never the URL itself.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field

from handlers.common.poison import PoisonSettings
from handlers.common.settings import load_settings


class Settings(PoisonSettings):
    webhook_url_store: Literal["ssm", "secretsmanager"] = Field(alias="WEBHOOK_URL_STORE")
    webhook_url_name: str = Field(alias="WEBHOOK_URL_NAME", min_length=1, max_length=2048)
    webhook_timeout_seconds: float = Field(
        alias="WEBHOOK_TIMEOUT_SECONDS", default=3.0, gt=0, le=10
    )
    secret_max_age_seconds: int = Field(alias="SECRET_MAX_AGE_SECONDS", default=300, ge=0, le=3600)
    # An order is posted once: its message is recorded here (Powertools idempotency), for
    # longer than it can wait in a failure queue (14 days), so a redrive cannot post it again.
    idempotency_table_name: str = Field(
        alias="IDEMPOTENCY_TABLE_NAME", min_length=3, max_length=255
    )
    idempotency_ttl_seconds: int = Field(
        alias="IDEMPOTENCY_TTL_SECONDS", default=15 * 86400, ge=3600, le=30 * 86400
    )


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
