"""Environment read once into a typed settings model."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SettingsT = TypeVar("SettingsT", bound="EnvSettings")


class SettingsError(RuntimeError):
    """The function's environment is missing or has a wrong value: a deployment error."""


class EnvSettings(BaseModel):
    """Base of each function's settings; fields use the environment variable as alias."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class BrowserOrigins(EnvSettings):
    """Browser origins (the web app's) allowed to call a function behind the HTTP API,
    comma-separated; empty: no CORS. Answered by the function because the API's own CORS
    setting would have to name the app's CloudFront domain, while the app's CSP names the API:
    a cycle in Terraform."""

    allowed_origins: str = Field(alias="ALLOWED_ORIGINS", default="", max_length=2048)

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in filter(None, (o.strip() for o in value.split(","))):
            if not origin.startswith("https://") and not origin.startswith("http://127.0.0.1"):
                raise ValueError(f"{origin!r} is not an https:// origin")
            if origin.endswith("/") or origin.count("/") > 2:
                raise ValueError(f"{origin!r} is not an origin (scheme and host, no path)")
        return value

    @property
    def origins(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]


def load_settings(model: type[SettingsT], environ: Mapping[str, str] | None = None) -> SettingsT:
    """Validate ``environ`` (default: ``os.environ``) into ``model``.

    Raises SettingsError naming every variable that is missing or wrong.
    """
    source = dict(os.environ if environ is None else environ)
    try:
        return model.model_validate(source)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"invalid environment for {model.__name__}: {problems}") from exc
