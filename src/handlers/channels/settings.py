"""Settings of the channel handler."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from handlers.common.settings import EnvSettings, load_settings


class Settings(EnvSettings):
    answers_table_name: str = Field(alias="ANSWERS_TABLE_NAME", min_length=3, max_length=255)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings(Settings)
