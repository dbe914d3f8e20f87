"""Settings of the saved answers function."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from handlers.common.settings import BrowserOrigins, load_settings


class Settings(BrowserOrigins):
    answers_table_name: str = Field(alias="ANSWERS_TABLE_NAME", min_length=3, max_length=255)


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
