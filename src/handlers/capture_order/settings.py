"""Settings of the capture-order function."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from handlers.common.settings import EnvSettings, load_settings


class Settings(EnvSettings):
    orders_table_name: str = Field(alias="ORDERS_TABLE_NAME", min_length=3, max_length=255)


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
