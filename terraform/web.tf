# --- The questionnaire web app: S3 + CloudFront, its config, and its history read path -----
#
# People sign in with the platform's user pool (users.tf), answer on /answers/<sub>, watch
# /reports/<sub> and read their history from GET /reports. `make web` builds dist/web/;
# Terraform uploads it and writes config.json from the real outputs below.

locals {
  web_source_dir = coalesce(var.web.source_dir, "${path.root}/../dist/web")
  reports_route  = "GET /reports"
  answers_route  = "GET /answers"
  history_route  = "GET /channels/{proxy+}"
  # Catch-up on durable channels for signed-in people (the pool's tokens); needs both.
  channel_history = var.users.create && length(local.history_days) > 0
}

module "report_history" {
  source = "../modules/lambda-function"

  alarms = local.module_alarms # operations.tf

  create                         = var.users.create
  function_name                  = "${local.prefix}-report-history"
  description                    = "GET /reports: the signed-in user's stored reports, newest first, paged."
  handler                        = "handlers.report_history.handler.lambda_handler"
  filename                       = local.lambda_zip
  application_log_level          = var.log_level
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = var.reserved_concurrency.report_history
  code_signing_config_arn        = local.code_signing_config_arn
  kms_key_arn                    = local.kms_key_arn

  # API Gateway invokes it synchronously: no asynchronous retries to catch.
  async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }

  environment_variables = merge(local.powertools_env, {
    POWERTOOLS_SERVICE_NAME = "report-history"
    REPORTS_TABLE_NAME      = module.reports_table.name
    ALLOWED_ORIGINS         = join(",", compact(concat([module.web.origin], var.web.extra_origins)))
  })

  policy_statements = merge(local.kms_table_statements, {
    ReadOwnReports = {
      actions   = ["dynamodb:Query"]
      resources = [module.reports_table.arn]
    }
  })
}

# GET /answers?questionnaire=<id>: the caller's saved answers, so the app shows them selected
# after a reload or on another device (handlers/saved_answers), authorised as GET /reports is.
module "saved_answers" {
  source = "../modules/lambda-function"

  alarms = local.module_alarms # operations.tf

  create                         = var.users.create
  function_name                  = "${local.prefix}-saved-answers"
  description                    = "GET /answers: the signed-in user's saved answers to one questionnaire."
  handler                        = "handlers.saved_answers.handler.lambda_handler"
  filename                       = local.lambda_zip
  application_log_level          = var.log_level
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = var.reserved_concurrency.saved_answers
  code_signing_config_arn        = local.code_signing_config_arn
  kms_key_arn                    = local.kms_key_arn

  # API Gateway invokes it synchronously: no asynchronous retries to catch.
  async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }

  environment_variables = merge(local.powertools_env, {
    POWERTOOLS_SERVICE_NAME = "saved-answers"
    ANSWERS_TABLE_NAME      = module.answers_table.name
    ALLOWED_ORIGINS         = join(",", compact(concat([module.web.origin], var.web.extra_origins)))
  })

  policy_statements = merge(local.kms_table_statements, {
    ReadOwnAnswers = {
      actions   = ["dynamodb:Query"]
      resources = [module.answers_table.arn]
    }
  })
}

# GET /channels/<namespace>/<segments...>?after=<seq>: what a durable channel kept after the
# last seq a client holds (handlers/channel_history), authorised as a subscription to it is.
module "channel_history" {
  source = "../modules/lambda-function"

  alarms = local.module_alarms # operations.tf

  create                         = local.channel_history
  function_name                  = "${local.prefix}-channel-history"
  description                    = "GET /channels/...: a durable channel's kept events after a seq, for those who may subscribe to it."
  handler                        = "handlers.channel_history.handler.lambda_handler"
  filename                       = local.lambda_zip
  application_log_level          = var.log_level
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = var.reserved_concurrency.channel_history
  code_signing_config_arn        = local.code_signing_config_arn
  kms_key_arn                    = local.kms_key_arn

  # API Gateway invokes it synchronously: no asynchronous retries to catch.
  async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }

  environment_variables = merge(local.powertools_env, {
    POWERTOOLS_SERVICE_NAME = "channel-history"
    HISTORY_TABLE_NAME      = module.history_table.name
    HISTORY_NAMESPACES      = jsonencode(local.history_days)
    ALLOWED_ORIGINS         = join(",", compact(concat([module.web.origin], var.web.extra_origins)))
  }, local.realtime_identity_env)

  policy_statements = merge(local.kms_table_statements, {
    ReadHistory = {
      actions   = ["dynamodb:Query"]
      resources = [module.history_table.arn]
    }
  })
}

module "web" {
  source = "../modules/static-site"

  create     = var.web.create && var.users.create
  name       = "${local.prefix}-web"
  source_dir = local.web_source_dir
  # Exactly the origins the app talks to: the user pool, the HTTP API, the Event API.
  connect_sources = [
    "https://cognito-idp.${var.region}.amazonaws.com",
    module.ingest_api.api_endpoint,
    "https://${module.realtime.http_dns}",
    "wss://${module.realtime.realtime_dns}",
  ]
  price_class = var.web.price_class
  web_acl_arn = local.edge_web_acl_arn # edge.tf
  access_logs = var.web.access_logs
  # POST /uploads on the app's origin, behind the web ACL's limit per caller (edge.tf).
  api_origin = {
    domain_name   = trimprefix(module.ingest_api.api_endpoint, "https://")
    path_patterns = [local.upload_path]
  }

  # Read by the app at start (web/src/config.ts): one build serves every environment.
  config = {
    region           = var.region
    userPoolId       = module.users.user_pool_id
    userPoolClientId = module.users.client_id
    eventsEndpoint   = module.realtime.publish_url
    reportsUrl       = "${module.ingest_api.api_endpoint}/reports"
    answersUrl       = "${module.ingest_api.api_endpoint}/answers"
    historyUrl       = local.channel_history ? "${module.ingest_api.api_endpoint}/channels" : null
    # The header's count: null when the channel's namespace has no presence (presence.tf).
    presenceUrl     = local.web_presence ? "${module.ingest_api.api_endpoint}/presence" : null
    presenceChannel = local.web_presence ? var.web.presence_channel : null
    questionnaireId = "account-security.v1"
  }
}
