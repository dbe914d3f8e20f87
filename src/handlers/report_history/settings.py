"""Settings of the report history function."""

from __future__ import annotations

from functools import cache

from pydantic import Field, field_validator

from handlers.common.settings import EnvSettings, load_settings


class Settings(EnvSettings):
    reports_table_name: str = Field(alias="REPORTS_TABLE_NAME", min_length=3, max_length=255)
    # Reports per page when the caller does not ask for a size; callers may ask for 1-50.
    default_page_size: int = Field(alias="DEFAULT_PAGE_SIZE", default=10, ge=1, le=50)
    # Browser origins (the web app's) allowed to read the history, comma-separated; empty:
    # no CORS. Answered here because the API's own CORS setting would have to name the
    # app's CloudFront domain, while the app's CSP names the API: a cycle in Terraform.
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


@cache
def get_settings() -> Settings:
    return load_settings(Settings)
