# --- Real-time channels: AppSync Events API -> channel handler; WAF in front -------------
#
# Namespaces (handlers/channels/handler.py answers for each):
#   chat     /chat/<room>            publish + subscribe for every auth mode; items validated,
#                                    e-mail addresses and phone numbers masked
#   answers  /answers/<user id>      signed-in users only, their own channel; answers stored
#                                    in the answers table (its stream feeds the async services)
#   reports  /reports/<user id>      clients subscribe to their own channel; only report
#                                    delivery publishes (IAM, recognised by its role)
#
# Durable namespaces (var.realtime_history; chat and reports by default): the handler numbers
# each accepted event per channel (seq), keeps it in the history table before it is delivered
# (handlers/channels/history.py) and GET <channel_history_url> serves it back.
#
# Who is a user (handlers/channels/identity.py): the sub of a token of the platform's pool
# (as is), of the OIDC provider (oidc-<sub>), a signed-in identity of a configured Cognito
# identity pool (idp-<id>), the Lambda authoriser's handlerContext.sub (lambda-<sub>): each
# source in its own namespace. Other IAM callers are no user; a role session name is chosen
# by whoever assumes the role.

locals {
  realtime_name = "${local.prefix}-realtime"

  # AWS_IAM is always on: the platform's own services publish reports with SigV4.
  realtime_providers = concat(
    local.realtime_api_key ? [{ auth_type = "API_KEY" }] : [],
    [{ auth_type = "AWS_IAM" }],
    !local.realtime_cognito_enabled ? [] : [{
      auth_type      = "AMAZON_COGNITO_USER_POOLS"
      cognito_config = local.realtime_cognito
    }],
    var.realtime_auth.openid_connect == null ? [] : [{
      auth_type             = "OPENID_CONNECT"
      openid_connect_config = var.realtime_auth.openid_connect
    }],
    var.realtime_auth.lambda_authorizer == null ? [] : [{
      auth_type = "AWS_LAMBDA"
      lambda_authorizer_config = {
        authorizer_uri                   = var.realtime_auth.lambda_authorizer.function_arn
        authorizer_result_ttl_in_seconds = var.realtime_auth.lambda_authorizer.result_ttl_in_seconds
        identity_validation_expression   = var.realtime_auth.lambda_authorizer.identity_validation_expression
      }
    }],
  )
  # People sign in with the platform's user pool (users.tf) unless another pool is given. The
  # choice rests on variables only, so the template stays known at plan time.
  realtime_cognito_enabled = var.realtime_auth.cognito_user_pool != null || var.users.create
  realtime_cognito = (
    var.realtime_auth.cognito_user_pool != null ? var.realtime_auth.cognito_user_pool
    : var.users.create ? { user_pool_id = module.users.user_pool_id, aws_region = null, app_id_client_regex = null }
    : null
  )
  realtime_modes = [for p in local.realtime_providers : p.auth_type]

  # JWT issuers whose sub names a user on the private channels (nothing else does): the
  # pool's, whose subs are user ids as they are, and the OIDC provider's (oidc-<sub>).
  realtime_user_pool_issuer = var.realtime_auth.cognito_user_pool != null ? format(
    "https://cognito-idp.%s.amazonaws.com/%s",
    coalesce(var.realtime_auth.cognito_user_pool.aws_region, var.region),
    var.realtime_auth.cognito_user_pool.user_pool_id,
  ) : var.users.create ? module.users.issuer : null
  realtime_trusted_issuers = compact([
    local.realtime_user_pool_issuer,
    try(var.realtime_auth.openid_connect.issuer, null),
  ])
  # Each source of users and the namespace of its user ids (output realtime_user_sources).
  realtime_user_sources = {
    user_pool_issuer  = local.realtime_user_pool_issuer                             # sub as is
    oidc_issuer       = try(var.realtime_auth.openid_connect.issuer, null)          # oidc-<sub>
    identity_pool_ids = var.realtime_auth.identity_pool_ids                         # idp-<identity id>
    lambda_authorizer = try(var.realtime_auth.lambda_authorizer.function_arn, null) # lambda-<sub>
  }
  # The same, as the channel handler and the history API read it (identity.py). Which keys
  # are set is decided by variables only (the pool's issuer is known after apply).
  realtime_identity_env = merge(
    local.realtime_cognito_enabled ? { USER_POOL_ISSUER = local.realtime_user_sources.user_pool_issuer } : {},
    local.realtime_user_sources.oidc_issuer == null ? {} : { OIDC_ISSUER = local.realtime_user_sources.oidc_issuer },
    length(local.realtime_user_sources.identity_pool_ids) == 0 ? {} : { IDENTITY_POOL_IDS = join(",", local.realtime_user_sources.identity_pool_ids) },
  )
  # Private channels: every mode that names a user (an API key names an app).
  realtime_user_modes = [for m in local.realtime_modes : m if m != "API_KEY"]

  # The durable namespaces' days, as the handlers read them (HISTORY_NAMESPACES). Taken from
  # the variable, not from module.realtime's history_namespaces output: the handler is a data
  # source of that module, and its configuration cannot depend on the module's outputs.
  # A presence channel is durable too (seq, catch-up, each announcement's message id kept once);
  # a day is enough to catch up on who is here.
  history_days = merge(
    { for k, h in var.realtime_history : k => h.ttl_days },
    local.presence ? { presence = 1 } : {},
  )

  realtime_api_key = coalesce(var.realtime_auth.api_key.enabled, var.environment == "sandbox")
  # An explicit expiry: the one configured, or validity_days after the key was first
  # planned (terraform_data.realtime_api_key_issued keeps that moment until it is replaced;
  # its input, unlike its output, is known in the first plan too).
  realtime_api_key_expires = !local.realtime_api_key ? null : coalesce(
    var.realtime_auth.api_key.expires,
    one([
      for issued in terraform_data.realtime_api_key_issued :
      timeadd(issued.input, "${var.realtime_auth.api_key.validity_days * 24}h")
    ]),
  )
}

# When the current API key was issued. Rotate the key's expiry with
#   terraform apply -replace=terraform_data.realtime_api_key_issued
resource "terraform_data" "realtime_api_key_issued" {
  count = local.realtime_api_key && var.realtime_auth.api_key.expires == null ? 1 : 0

  input = formatdate("YYYY-MM-DD'T'hh:00:00Z", plantimestamp())

  lifecycle {
    ignore_changes = [input]
  }
}

module "answers_table" {
  source = "../modules/dynamodb-table"

  name                = "${local.prefix}-answers"
  hash_key            = "pk"
  range_key           = "sk"
  attributes          = [{ name = "pk", type = "S" }, { name = "sk", type = "S" }]
  stream_view_type    = "NEW_AND_OLD_IMAGES"
  deletion_protection = coalesce(var.answers_table_deletion_protection, local.protect_data)
  kms_key_arn         = local.kms_key_arn
}

module "history_table" {
  source = "../modules/dynamodb-table"

  # handlers/common/history.py lays it out: per channel a counter (sk 0) and its events (sk =
  # seq); per publisher message id a record. Items expire after their namespace's days.
  create              = length(local.history_days) > 0
  name                = "${local.prefix}-channel-history"
  hash_key            = "pk"
  range_key           = "sk"
  attributes          = [{ name = "pk", type = "S" }, { name = "sk", type = "N" }]
  ttl_attribute       = "expiresAt"
  deletion_protection = coalesce(var.history_table_deletion_protection, local.protect_data)
  kms_key_arn         = local.kms_key_arn
}

module "channels" {
  source = "../modules/lambda-function"

  alarms = local.module_alarms # operations.tf

  function_name                  = "${local.prefix}-channels"
  description                    = "AppSync Events handler: validates published items, authorises subscriptions."
  handler                        = "handlers.channels.handler.lambda_handler"
  filename                       = local.lambda_zip
  application_log_level          = var.log_level
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = var.reserved_concurrency.channels
  code_signing_config_arn        = local.code_signing_config_arn
  kms_key_arn                    = local.kms_key_arn

  # AppSync invokes it synchronously (REQUEST_RESPONSE): no asynchronous retries to catch.
  async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }

  environment_variables = merge(local.powertools_env, {
    POWERTOOLS_SERVICE_NAME = "channels"
    ANSWERS_TABLE_NAME      = module.answers_table.name
    SERVICE_ROLE_ARNS       = join(",", compact([module.report_delivery.role_arn, module.presence_stream.role_arn]))
    }, local.realtime_identity_env, length(local.history_days) == 0 ? {} : {
    HISTORY_TABLE_NAME = module.history_table.name
    HISTORY_NAMESPACES = jsonencode(local.history_days)
  })

  policy_statements = merge(local.kms_table_statements, {
    StoreAnswers = {
      actions   = ["dynamodb:PutItem"]
      resources = [module.answers_table.arn]
    }
    }, length(local.history_days) == 0 ? {} : {
    # The counter (UpdateItem), message ids (BatchGetItem), events (BatchWriteItem; PutItem in
    # TransactWriteItems). Nothing is read back but message ids, nothing deleted.
    KeepHistory = {
      actions   = ["dynamodb:UpdateItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:PutItem"]
      resources = [module.history_table.arn]
    }
  })
}

module "realtime" {
  source = "../modules/appsync-events-api"

  alarms = local.module_alarms # operations.tf

  name          = local.realtime_name
  owner_contact = var.project

  auth_providers               = local.realtime_providers
  connection_auth_modes        = local.realtime_modes
  default_publish_auth_modes   = local.realtime_modes
  default_subscribe_auth_modes = local.realtime_modes

  api_key = !local.realtime_api_key ? null : {
    description = "${local.prefix} clients"
    expires     = local.realtime_api_key_expires
  }

  lambda_data_sources = {
    channels = {
      function_arn = module.channels.function_arn
      description  = "Validates published items and authorises subscriptions."
    }
  }

  channel_namespaces = merge({
    chat = {
      on_publish   = { data_source = "channels" }
      on_subscribe = { data_source = "channels" }
      history      = lookup(var.realtime_history, "chat", null)
    }
    answers = {
      publish_auth_modes   = local.realtime_user_modes
      subscribe_auth_modes = local.realtime_user_modes
      on_publish           = { data_source = "channels" }
      on_subscribe         = { data_source = "channels" }
    }
    reports = {
      publish_auth_modes   = ["AWS_IAM"]
      subscribe_auth_modes = local.realtime_user_modes
      # The handler lets report delivery's role publish, and no other IAM caller.
      on_publish   = { data_source = "channels" }
      on_subscribe = { data_source = "channels" }
      history      = lookup(var.realtime_history, "reports", null)
    }
    }, !local.presence ? {} : {
    # /presence/<channel>: announced by the presence announcer's role only (the handler checks),
    # watched by whoever may subscribe to the channel.
    presence = {
      publish_auth_modes   = ["AWS_IAM"]
      subscribe_auth_modes = local.realtime_modes
      on_publish           = { data_source = "channels" }
      on_subscribe         = { data_source = "channels" }
      history              = { ttl_days = local.history_days["presence"] }
    }
  })

  log_level             = var.realtime_log_level
  log_retention_in_days = var.log_retention_in_days
  log_kms_key_arn       = local.kms_key_arn
}

module "realtime_waf" {
  source = "../modules/waf-web-acl"

  alarms = merge(local.module_alarms, { blocked_threshold = var.alarms.blocked_requests }) # operations.tf

  name                  = local.realtime_name
  description           = "Rate limit and AWS managed rules in front of the ${local.prefix} Event API."
  rate_limit            = var.realtime_waf.rate_limit
  ip_allow_list         = var.realtime_waf.ip_allow_list
  ip_deny_list          = var.realtime_waf.ip_deny_list
  log_retention_in_days = var.realtime_waf.log_retention_in_days
  log_kms_key_arn       = local.kms_key_arn

  associations = {
    event_api = module.realtime.api_arn
  }
}
