"""The deployment the tool works on, from its Terraform outputs (``terraform output -json``,
or ``dist/local/outputs.json``, which ``make local`` writes in the same shape)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3


class DeploymentError(RuntimeError):
    """The outputs are missing or lack what the tool needs; the message says which."""


@dataclass(frozen=True)
class Deployment:
    """Every queue of the deployment by key, and where its AWS is."""

    queues: dict[str, str]
    region: str | None = None
    answers_table: str | None = None
    archive_arn: str | None = None
    bus_arn: str | None = None
    # make local's own AWS endpoint and key; None in AWS (the default credential chain).
    endpoint_url: str | None = None
    credentials: dict[str, str] = field(default_factory=dict)
    _clients: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def client(self, service: str) -> Any:
        """One boto3 client per service for the life of the deployment."""
        if service not in self._clients:
            self._clients[service] = boto3.client(
                service,
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                **self.credentials,
            )
        return self._clients[service]


def read_outputs(outputs: Path | None, terraform_dir: Path) -> dict[str, Any]:
    """The outputs' values: from ``outputs`` (a file), else ``terraform output -json``."""
    if outputs is not None:
        if not outputs.is_file():
            raise DeploymentError(
                f"{outputs} does not exist (start `make local`, or pass --outputs)"
            )
        raw = json.loads(outputs.read_text())
    else:
        result = subprocess.run(  # noqa: S603 - terraform with arguments built here
            ["terraform", f"-chdir={terraform_dir}", "output", "-json"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise DeploymentError(f"terraform output failed in {terraform_dir}: {result.stderr}")
        raw = json.loads(result.stdout or "{}")
    return {
        name: value.get("value") if isinstance(value, dict) else value
        for name, value in raw.items()
    }


def deployment_of(values: dict[str, Any]) -> Deployment:
    """The deployment its outputs describe."""
    queues = dict(values.get("dead_letter_queue_urls") or {})
    if not queues:
        raise DeploymentError("the outputs have no dead_letter_queue_urls: is this the platform?")
    if values.get("poison_queue_url"):
        queues["poison"] = values["poison_queue_url"]
    credentials = {}
    if values.get("aws_access_key_id"):
        credentials = {
            "aws_access_key_id": values["aws_access_key_id"],
            "aws_secret_access_key": values["aws_secret_access_key"],
        }
    return Deployment(
        queues=queues,
        region=values.get("aws_region") or _region_of(values.get("event_bus_arn")),
        answers_table=values.get("answers_table_name"),
        archive_arn=values.get("event_archive_arn"),
        bus_arn=values.get("event_bus_arn"),
        endpoint_url=values.get("aws_endpoint_url"),
        credentials=credentials,
    )


def _region_of(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[3] if len(parts) > 3 and parts[3] else None
