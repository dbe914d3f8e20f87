"""The whole root applied to a moto server by pytest-terraform (tox env `apply` only: the
plugin refuses to load without a terraform binary).

pytest-terraform applies a directory with no -var flags, so the test passes what the run
needs as ``TF_VAR_*`` variables: the moto endpoint, the Lambda zip. The directory is a copy
of terraform/ and modules/ with two files of tests/apply beside the root's own:
``moto_endpoint.tf`` declares the endpoint, ``moto_override.tf`` points the provider at moto
and switches off what moto cannot host (the Event API stack, CloudFront), each said there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.terraform.tfplan import ROOT, make_zip
from tf_cli_config import terraform_env

HERE = Path(__file__).resolve().parent
_WORKSPACE: Path | None = None


def pytest_configure(config: pytest.Config) -> None:
    """A copy of the root for pytest-terraform to apply (it writes beside the module)."""
    global _WORKSPACE  # noqa: PLW0603 - one copy per pytest run, removed at unconfigure
    _WORKSPACE = Path(tempfile.mkdtemp(prefix="platform-apply-"))
    # Found as <tf-mod-dir>/root_on_moto (a name nothing in the checkout has, so a missed
    # --tf-mod-dir fails loudly); ../modules and ../dist resolve as in the checkout.
    shutil.copytree(
        ROOT / "terraform",
        _WORKSPACE / "root_on_moto",
        ignore=shutil.ignore_patterns(".terraform", "terraform.tfstate*", "backend.tf"),
    )
    shutil.copytree(ROOT / "modules", _WORKSPACE / "modules")
    for name in ("moto_endpoint.tf", "moto_override.tf"):
        shutil.copy(HERE / name, _WORKSPACE / "root_on_moto" / name)
    shutil.copytree(HERE / "realtime_standin", _WORKSPACE / "root_on_moto" / "realtime_standin")
    web = ROOT / "dist" / "web"
    (_WORKSPACE / "dist" / "web").mkdir(parents=True)
    # The web module is off here, but its source_dir is still validated.
    if (web / "index.html").is_file():
        shutil.copy(web / "index.html", _WORKSPACE / "dist" / "web" / "index.html")
    else:
        (_WORKSPACE / "dist" / "web" / "index.html").write_text("<!doctype html>\n")
    config.option.dest_tf_mod_dir = str(_WORKSPACE)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _WORKSPACE is not None:
        shutil.rmtree(_WORKSPACE, ignore_errors=True)


def moto_client(endpoint: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="session", autouse=True)
def moto_endpoint() -> Iterator[str]:
    """moto on 127.0.0.1 (free port), and the TF_VAR_* of the apply; after pytest-terraform's
    destroy (its finalizer runs first), nothing the root made may be left."""
    assert _WORKSPACE is not None
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    saved = dict(os.environ)
    os.environ.update(
        {
            "TF_VAR_moto_endpoint": endpoint,
            "TF_VAR_lambda_zip": str(make_zip(_WORKSPACE / "handlers.zip")),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "CHECKPOINT_DISABLE": "1",
            **terraform_env(ROOT / ".build" / "terraform.tfrc"),
        }
    )
    try:
        yield endpoint
        assert_nothing_left(endpoint)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()


def assert_nothing_left(endpoint: str) -> None:
    buses = moto_client(endpoint, "events").list_event_buses()["EventBuses"]
    assert [b["Name"] for b in buses] == ["default"]
    assert moto_client(endpoint, "lambda").list_functions()["Functions"] == []
    assert moto_client(endpoint, "apigatewayv2").get_apis()["Items"] == []
    assert moto_client(endpoint, "sqs").list_queues().get("QueueUrls", []) == []
    assert moto_client(endpoint, "dynamodb").list_tables()["TableNames"] == []
    assert moto_client(endpoint, "cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []
