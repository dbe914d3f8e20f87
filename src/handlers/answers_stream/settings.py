"""Settings of the answers stream function."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from handlers.common.poison import PoisonSettings
from handlers.common.settings import load_settings


class Settings(PoisonSettings):
    event_bus_name: str = Field(alias="EVENT_BUS_NAME", min_length=1, max_length=256)


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
