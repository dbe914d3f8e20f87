"""Settings of the presence API: the channel rules it shares with the channel handler (who
names a user), the members table, and which namespaces keep presence with what heartbeat."""

from __future__ import annotations

import json
from functools import cache, cached_property

from pydantic import Field, field_validator

from handlers.channels.settings import ChannelRules
from handlers.common.settings import BrowserOrigins, load_settings


class Settings(ChannelRules, BrowserOrigins):
    presence_table_name: str = Field(alias="PRESENCE_TABLE_NAME", min_length=3, max_length=255)
    presence_namespaces: str = Field(
        alias="PRESENCE_NAMESPACES",
        default="{}",
        description='Namespaces with presence, each with its heartbeat in seconds: {"chat": 30}.',
    )

    @field_validator("presence_namespaces")
    @classmethod
    def _heartbeat_per_namespace(cls, value: str) -> str:
        try:
            seconds = json.loads(value)
        except ValueError as exc:
            raise ValueError(f"PRESENCE_NAMESPACES is not JSON: {exc}") from exc
        if not isinstance(seconds, dict) or not all(
            isinstance(k, str) and type(v) is int and 5 <= v <= 3600 for k, v in seconds.items()
        ):
            raise ValueError(
                "PRESENCE_NAMESPACES must map namespace names to heartbeat intervals of 5 to "
                "3600 whole seconds"
            )
        return value

    @cached_property
    def heartbeats(self) -> dict[str, int]:
        """Each namespace with presence, and its heartbeat interval in seconds."""
        seconds: dict[str, int] = json.loads(self.presence_namespaces)
        return seconds


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
