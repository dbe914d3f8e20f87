"""Settings of the report history function."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from handlers.common.settings import BrowserOrigins, load_settings


class Settings(BrowserOrigins):
    reports_table_name: str = Field(alias="REPORTS_TABLE_NAME", min_length=3, max_length=255)
    # Reports per page when the caller does not ask for a size; callers may ask for 1-50.
    default_page_size: int = Field(alias="DEFAULT_PAGE_SIZE", default=10, ge=1, le=50)


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
