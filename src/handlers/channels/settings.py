"""Settings of the channel handler."""

from __future__ import annotations

from functools import cache, cached_property

from pydantic import Field

from handlers.channels.identity import IdentityRules
from handlers.common.settings import EnvSettings, load_settings


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class Settings(EnvSettings):
    answers_table_name: str = Field(alias="ANSWERS_TABLE_NAME", min_length=3, max_length=255)
    trusted_issuers: str = Field(
        alias="TRUSTED_ISSUERS",
        default="",
        description="Comma-separated JWT issuers whose `sub` names a user (none: no JWT user).",
    )
    service_role_arns: str = Field(
        alias="SERVICE_ROLE_ARNS",
        default="",
        pattern=r"^(arn:[a-z-]+:iam::\d{12}:role/[\w+=,.@/-]+)?(,arn:[a-z-]+:iam::\d{12}:role/[\w+=,.@/-]+)*$",
        description="Comma-separated role ARNs of the platform services that publish reports.",
    )

    @cached_property
    def identity_rules(self) -> IdentityRules:
        return IdentityRules.of(_split(self.trusted_issuers), _split(self.service_role_arns))


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
