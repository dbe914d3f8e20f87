"""Settings of the channel handler."""

from __future__ import annotations

import json
from functools import cache, cached_property

from pydantic import Field, field_validator

from handlers.channels.identity import IdentityRules
from handlers.common.settings import EnvSettings, load_settings


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class ChannelRules(EnvSettings):
    """What the channel handler and the history API both read: who names a user, and which
    namespaces are durable (so a subscription and a history read are judged alike)."""

    user_pool_issuer: str = Field(
        alias="USER_POOL_ISSUER",
        default="",
        description="The platform's user pool issuer: its tokens' `sub` is a user id as is.",
    )
    oidc_issuer: str = Field(
        alias="OIDC_ISSUER",
        default="",
        description="The OIDC provider's issuer: its tokens' `sub` names user `oidc-<sub>`.",
    )
    identity_pool_ids: str = Field(
        alias="IDENTITY_POOL_IDS",
        default="",
        pattern=r"^([a-z]{2}(-gov)?-[a-z]+-[0-9]:[0-9a-f-]{36})?(,[a-z]{2}(-gov)?-[a-z]+-[0-9]:[0-9a-f-]{36})*$",
        description="Comma-separated Cognito identity pools whose signed-in identities are "
        "users (`idp-<identity id>`).",
    )
    service_role_arns: str = Field(
        alias="SERVICE_ROLE_ARNS",
        default="",
        pattern=r"^(arn:[a-z-]+:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+)?(,arn:[a-z-]+:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+)*$",
        description="Comma-separated role ARNs of the platform services that publish reports.",
    )

    history_table_name: str | None = Field(
        alias="HISTORY_TABLE_NAME",
        default=None,
        min_length=3,
        max_length=255,
        description="The channel history table (handlers.common.history); unset: none durable.",
    )
    history_namespaces: str = Field(
        alias="HISTORY_NAMESPACES",
        default="{}",
        description='Durable namespaces and how many days each keeps its events: {"chat": 7}.',
    )

    @field_validator("history_namespaces")
    @classmethod
    def _days_per_namespace(cls, value: str) -> str:
        try:
            days = json.loads(value)
        except ValueError as exc:
            raise ValueError(f"HISTORY_NAMESPACES is not JSON: {exc}") from exc
        if not isinstance(days, dict) or not all(
            isinstance(k, str) and type(v) is int and 1 <= v <= 365 for k, v in days.items()
        ):
            raise ValueError(
                "HISTORY_NAMESPACES must map namespace names to whole days from 1 to 365"
            )
        return value

    @cached_property
    def history_days(self) -> dict[str, int]:
        """How many days each durable namespace keeps its events (none without a table)."""
        if self.history_table_name is None:
            return {}
        days: dict[str, int] = json.loads(self.history_namespaces)
        return days

    @cached_property
    def identity_rules(self) -> IdentityRules:
        return IdentityRules.of(
            user_pool_issuer=self.user_pool_issuer or None,
            oidc_issuer=self.oidc_issuer or None,
            identity_pools=_split(self.identity_pool_ids),
            service_role_arns=_split(self.service_role_arns),
        )


class Settings(ChannelRules):
    answers_table_name: str = Field(alias="ANSWERS_TABLE_NAME", min_length=3, max_length=255)


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
