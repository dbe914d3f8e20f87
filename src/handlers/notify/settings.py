"""Settings of the notify function.

The webhook URL is a secret: the environment holds only *where* it is (an SSM
SecureString parameter or a Secrets Manager secret), never the URL itself.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field

from handlers.common.settings import EnvSettings, load_settings


class Settings(EnvSettings):
    webhook_url_store: Literal["ssm", "secretsmanager"] = Field(alias="WEBHOOK_URL_STORE")
    webhook_url_name: str = Field(alias="WEBHOOK_URL_NAME", min_length=1, max_length=2048)
    webhook_timeout_seconds: float = Field(
        alias="WEBHOOK_TIMEOUT_SECONDS", default=3.0, gt=0, le=10
    )
    secret_max_age_seconds: int = Field(alias="SECRET_MAX_AGE_SECONDS", default=300, ge=0, le=3600)


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
