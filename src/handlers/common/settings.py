"""Environment read once into a typed settings model."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

SettingsT = TypeVar("SettingsT", bound="EnvSettings")


class SettingsError(RuntimeError):
    """The function's environment is missing or has a wrong value: a deployment error."""


class EnvSettings(BaseModel):
    """Base of each function's settings; fields use the environment variable as alias."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


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
