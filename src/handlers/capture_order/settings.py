"""Settings of the capture-order function."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from handlers.common.poison import PoisonSettings
from handlers.common.settings import load_settings


class Settings(PoisonSettings):
    orders_table_name: str = Field(alias="ORDERS_TABLE_NAME", min_length=3, max_length=255)


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
