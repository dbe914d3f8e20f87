# Provider 5.x has no Event API resources (aws_appsync_api and aws_appsync_channel_namespace
# arrived in 6.9), so the API, its namespaces and data sources are declared in one
# CloudFormation stack, whose template is built in template.tf. The API key is Terraform's own
# aws_appsync_api_key (below): a stack output would be readable with DescribeStacks.

data "aws_partition" "current" {}

data "aws_region" "current" {}

# Only when neither account_id nor a data source's function ARN tells the account.
data "aws_caller_identity" "current" {
  count = local.create && length(var.lambda_data_sources) == 0 && var.account_id == null ? 1 : 0
}

locals {
  create    = var.create
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  account_id = (
    var.account_id != null ? var.account_id
    : length(var.lambda_data_sources) > 0 ? provider::aws::arn_parse(values(var.lambda_data_sources)[0].function_arn).account_id
    : try(data.aws_caller_identity.current[0].account_id, null)
  )
  logging = var.log_level != "NONE"

  providers  = { for p in var.auth_providers : p.auth_type => p }
  cognito    = try(local.providers["AMAZON_COGNITO_USER_POOLS"].cognito_config, null)
  oidc       = try(local.providers["OPENID_CONNECT"].openid_connect_config, null)
  authorizer = try(local.providers["AWS_LAMBDA"].lambda_authorizer_config, null)
  # Which configs exist is decided by the auth types, always known at plan time: comparing a
  # config with null is unknown while it holds a value known only after apply (a user pool
  # created in the same apply), and would leave the whole template unknown.
  cognito_enabled    = contains(keys(local.providers), "AMAZON_COGNITO_USER_POOLS")
  oidc_enabled       = contains(keys(local.providers), "OPENID_CONNECT")
  authorizer_enabled = contains(keys(local.providers), "AWS_LAMBDA")

  # CloudFormation logical ids: letters and digits only.
  namespace_ids   = { for k, _ in var.channel_namespaces : k => join("", [for part in split("-", k) : title(part)]) }
  data_source_ids = { for k, _ in var.lambda_data_sources : k => join("", [for part in split("_", k) : title(part)]) }
}

resource "aws_cloudformation_stack" "this" {
  #checkov:skip=CKV_AWS_124:Stack event notifications are opt-in (notification_arns); Terraform reports every stack failure itself.
  count = local.create ? 1 : 0

  name              = "${var.name}-event-api"
  template_body     = jsonencode(local.template)
  parameters        = local.parameters
  on_failure        = "DELETE"
  notification_arns = var.notification_arns
  tags              = var.tags

  # A data source must be able to invoke its function before the first event arrives.
  depends_on = [aws_iam_role_policy.data_source]

  timeouts {
    create = "30m"
    update = "30m"
    delete = "30m"
  }
}

# The API key lives in Terraform's state (sensitive), not in the stack: a CloudFormation output
# is readable by anyone allowed cloudformation:DescribeStacks, and on AppSync the key's id is
# the key itself.
resource "aws_appsync_api_key" "this" {
  count = local.create && var.api_key != null ? 1 : 0

  api_id      = aws_cloudformation_stack.this[0].outputs["ApiId"]
  description = var.api_key.description
  expires     = var.api_key.expires

  lifecycle {
    precondition {
      condition     = timecmp(var.api_key.expires, timeadd(plantimestamp(), "8760h")) <= 0
      error_message = "api_key.expires is more than 365 days ahead; AppSync refuses that. Choose an earlier date."
    }
  }
}

check "api_key_expiry" {
  assert {
    condition     = var.api_key == null ? true : timecmp(var.api_key.expires, timeadd(plantimestamp(), "720h")) > 0
    error_message = "The API key expires within 30 days (or has expired): set api_key.expires to a later date and apply, or clients using it are locked out."
  }
}

# AppSync writes to /aws/appsync/apis/<api id>; created here so that it has a retention period
# (and, optionally, a KMS key) instead of keeping logs forever.
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the caller's choice (log_retention_in_days): API request logs are operational, not an audit trail.
  count = local.create && local.logging ? 1 : 0

  name              = "/aws/appsync/apis/${aws_cloudformation_stack.this[0].outputs["ApiId"]}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_permission" "authorizer" {
  count = local.create && local.authorizer_enabled && var.create_lambda_authorizer_permission ? 1 : 0

  statement_id  = "AllowAppSyncEventApi-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = local.authorizer.authorizer_uri
  principal     = "appsync.amazonaws.com"
  source_arn    = aws_cloudformation_stack.this[0].outputs["ApiArn"]
}
