"""Settings of the presence announcer."""

from __future__ import annotations

from functools import cache

from pydantic import Field, field_validator

from handlers.common.settings import EnvSettings, load_settings
from handlers.common.urls import https_problem


class Settings(EnvSettings):
    # https://<the Event API's HTTP DNS>/event (plain http only to loopback, for tests).
    events_publish_url: str = Field(alias="EVENTS_PUBLISH_URL", min_length=8, max_length=2048)
    region: str = Field(alias="AWS_REGION", min_length=1)  # set by Lambda; the SigV4 region
    publish_timeout_seconds: float = Field(
        alias="PUBLISH_TIMEOUT_SECONDS", default=3.0, gt=0, le=10
    )
    publish_attempts: int = Field(alias="PUBLISH_ATTEMPTS", default=4, ge=1, le=8)

    @field_validator("events_publish_url")
    @classmethod
    def _https(cls, value: str) -> str:
        problem = https_problem(value, "EVENTS_PUBLISH_URL")
        if problem:
            raise ValueError(problem)
        return value


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
