"""The local suite's edited copies of the root, each shared by the modules whose edits do
not touch each other's: platforms of one root start from one plan (plans are cached by
content), so each copy here is planned once a session, however many modules start from it."""

from __future__ import annotations

from pathlib import Path

from tests.local.platform import copy_root

# Handlers the edited roots plan beside the package's (--extra-code): a Lambda authoriser and
# a handler that makes an event too large to broadcast.
HANDLERS = Path(__file__).resolve().parent / "handlers"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


# The presence and scaling tests' copy of the root.
HEARTBEAT = 5  # realtime_presence's heartbeat_seconds (the default is 30)
NOTIFY_RESERVED = 2  # notify's reserved concurrency (unreserved by default)


def tuned_root(dest: Path) -> Path:
    """A copy of the root with a 5 s presence heartbeat and notify's concurrency reserved."""
    root = copy_root(dest)
    with (root / "environments" / "local.tfvars").open("a") as tfvars:
        tfvars.write(
            f"\nrealtime_presence = {{ chat = {{ heartbeat_seconds = {HEARTBEAT} }}, "
            f"answers = {{ heartbeat_seconds = {HEARTBEAT} }} }}\n"
            f"reserved_concurrency = {{ notify = {NOTIFY_RESERVED} }}\n"
        )
    return root


# The upload-authoriser and auth-mode tests' copy of the root: a user pool of its own ...
USERS = """
resource "aws_cognito_user_pool" "uploaders" {
  name                     = "local-test-uploaders"
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
}

resource "aws_cognito_user_pool_client" "uploaders" {
  name                = "local-test-app"
  user_pool_id        = aws_cognito_user_pool.uploaders.id
  explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
}

output "test_user_pool_id" {
  value = aws_cognito_user_pool.uploaders.id
}

output "test_user_pool_client_id" {
  value = aws_cognito_user_pool_client.uploaders.id
}
"""

# ... and a Lambda authoriser and an inflating handler (tests/local/handlers).
AUTHORIZER = """
module "test_authorizer" {
  source = "../modules/lambda-function"

  function_name    = "${local.prefix}-test-authorizer"
  handler          = "authorizer.lambda_handler"
  filename         = local.lambda_zip
  async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }
}

module "test_inflate" {
  source = "../modules/lambda-function"

  function_name    = "${local.prefix}-test-inflate"
  handler          = "inflate.lambda_handler"
  filename         = local.lambda_zip
  async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }
}
"""


def auth_root(dest: Path) -> Path:
    """A copy of the root whose upload route takes tokens of a user pool it declares
    (tests/local/test_http_auth.py), with a stage throttle and an edge limit per token small
    enough to reach; and whose Event API admits a Lambda authoriser's callers, has a
    namespace handled asynchronously (EVENT) and one whose handler inflates events, and an
    API key past its expiry (tests/local/test_event_api_modes.py). Start it with
    ``--extra-code HANDLERS``."""
    root = copy_root(dest)
    (root / "local_test_users.tf").write_text(USERS)
    edit(
        root / "ingest.tf",
        "  jwt_authorizer    = local.ingest_authorizer",
        '  jwt_authorizer = { issuer = "https://${aws_cognito_user_pool.uploaders.endpoint}", '
        "audience = [aws_cognito_user_pool_client.uploaders.id] }",
    )
    edit(
        root / "ingest.tf",
        "  throttling        = var.ingest_throttling",
        "  throttling = { rate_limit = 1, burst_limit = 3 }",
    )
    # The edge's limit per caller token, small enough to reach here.
    edit(root / "edge.tf", "limit          = var.web.waf.upload_rate_limit", "limit = 10")
    (root / "local_test_authorizer.tf").write_text(AUTHORIZER)
    edit(
        root / "environments" / "local.tfvars",
        "realtime_auth = { api_key = { enabled = true } }",
        "realtime_auth = { lambda_authorizer = { function_arn = "
        '"arn:aws:lambda:eu-west-1:123456789012:function:platform-local-test-authorizer", '
        "result_ttl_in_seconds = 0 }, "
        'api_key = { enabled = true, expires = "2026-01-01T00:00:00Z" } }',
    )
    edit(
        root / "realtime.tf",
        "  channel_namespaces = merge({\n",
        "  channel_namespaces = merge({\n    fire = {\n      on_publish = "
        '{ data_source = "channels", invoke_type = "EVENT" }\n    }\n'
        '    big = { on_publish = { data_source = "inflate" } }\n',
    )
    edit(
        root / "realtime.tf",
        "  lambda_data_sources = {\n",
        "  lambda_data_sources = {\n"
        "    inflate = { function_arn = module.test_inflate.function_arn }\n",
    )
    return root
