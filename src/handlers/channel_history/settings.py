"""Settings of the channel history API: the channel rules it shares with the channel handler
(who names a user, which namespaces are durable), the table, and the browser origins."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from handlers.channels.settings import ChannelRules
from handlers.common.settings import BrowserOrigins, load_settings


class Settings(ChannelRules, BrowserOrigins):
    # Events per page when the caller does not ask for a size; callers may ask for 1-100.
    default_page_size: int = Field(alias="DEFAULT_PAGE_SIZE", default=100, ge=1, le=100)


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
