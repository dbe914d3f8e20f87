"""Settings of the presence sweep."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from handlers.common.settings import EnvSettings, load_settings


class Settings(EnvSettings):
    presence_table_name: str = Field(alias="PRESENCE_TABLE_NAME", min_length=3, max_length=255)
    # Members read per query; the sweep goes on while it finds full pages and has time left.
    sweep_page: int = Field(alias="SWEEP_PAGE", default=100, ge=1, le=1000)
    # Stop this long before the function's timeout, so a sweep never dies half-way.
    reserve_ms: int = Field(alias="SWEEP_RESERVE_MS", default=5000, ge=0, le=60000)


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
