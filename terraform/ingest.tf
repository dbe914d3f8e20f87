# --- HTTP ingest: POST /uploads -> bus -> capture-order, notify -------------------------
#
# API Gateway puts each upload on the bus (no Lambda in the request path) with the caller's
# verified identity; the flow's own rules hand it to the order store and the chat notifier.

locals {
  # POST /uploads: the body is the order, the customer is the subject of the checked token.
  ingest_authorizer = var.ingest_public ? null : coalesce(var.ingest_jwt_authorizer, {
    issuer               = module.users.issuer
    audience             = [module.users.client_id]
    authorization_scopes = []
  })
  ingest_customer = var.ingest_public ? "anonymous" : "$${context.authorizer.claims.sub}"

  webhook_url_arn = (
    var.notify_webhook.store == "ssm"
    ? "arn:${local.partition}:ssm:${var.region}:${local.account_id}:parameter${var.notify_webhook.name}"
    : var.notify_webhook.name
  )
}

check "ingest_is_not_public" {
  assert {
    condition     = !var.ingest_public
    error_message = "POST /uploads is public (ingest_public = true): anyone may post orders, all as customer \"anonymous\". Keep this for a sandbox."
  }
}

module "orders_table" {
  source = "../modules/dynamodb-table"

  name                = "${local.prefix}-orders"
  hash_key            = "pk"
  attributes          = [{ name = "pk", type = "S" }]
  deletion_protection = coalesce(var.orders_table_deletion_protection, local.protect_data)
  kms_key_arn         = local.kms_key_arn
}

module "capture_order" {
  source = "../modules/lambda-function"

  alarms = local.module_alarms # operations.tf

  function_name                  = "${local.prefix}-capture-order"
  description                    = "Stores each uploaded order once in the orders table."
  handler                        = "handlers.capture_order.handler.lambda_handler"
  filename                       = local.lambda_zip
  application_log_level          = var.log_level
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = var.reserved_concurrency.capture_order
  code_signing_config_arn        = local.code_signing_config_arn
  kms_key_arn                    = local.kms_key_arn

  environment_variables = merge(local.powertools_env, local.poison_env, {
    POWERTOOLS_SERVICE_NAME = "capture-order"
    ORDERS_TABLE_NAME       = module.orders_table.name
  })

  policy_statements = merge(local.kms_table_statements, local.poison_statements, {
    PutOrders = {
      actions   = ["dynamodb:PutItem"]
      resources = [module.orders_table.arn]
    }
  })
}

module "notify_idempotency_table" {
  source = "../modules/dynamodb-table"

  # One record per order posted: a redelivered or redriven order is not posted twice.
  name          = "${local.prefix}-notify-idempotency"
  hash_key      = "id"
  attributes    = [{ name = "id", type = "S" }]
  ttl_attribute = "expiration"
  kms_key_arn   = local.kms_key_arn
}

module "notify" {
  source = "../modules/lambda-function"

  alarms = local.module_alarms # operations.tf

  function_name                  = "${local.prefix}-notify"
  description                    = "Posts a short message about each uploaded order to the chat webhook."
  handler                        = "handlers.notify.handler.lambda_handler"
  filename                       = local.lambda_zip
  application_log_level          = var.log_level
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = var.reserved_concurrency.notify
  code_signing_config_arn        = local.code_signing_config_arn
  kms_key_arn                    = local.kms_key_arn

  environment_variables = merge(local.powertools_env, local.poison_env, {
    POWERTOOLS_SERVICE_NAME = "notify"
    WEBHOOK_URL_STORE       = var.notify_webhook.store
    WEBHOOK_URL_NAME        = var.notify_webhook.name
    WEBHOOK_TIMEOUT_SECONDS = "3"
    IDEMPOTENCY_TABLE_NAME  = module.notify_idempotency_table.name
  })

  policy_statements = merge(
    local.kms_table_statements,
    local.poison_statements,
    {
      Idempotency = {
        actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
        resources = [module.notify_idempotency_table.arn]
      }
      ReadWebhookUrl = {
        actions   = var.notify_webhook.store == "ssm" ? ["ssm:GetParameter"] : ["secretsmanager:GetSecretValue"]
        resources = [local.webhook_url_arn]
      }
    },
    var.notify_webhook.kms_key_arn == null ? {} : {
      DecryptWebhookUrl = {
        actions   = ["kms:Decrypt"]
        resources = [var.notify_webhook.kms_key_arn]
        # Only as the store decrypts the URL for the function, never a direct Decrypt call.
        conditions = [{
          test     = "StringEquals"
          variable = "kms:ViaService"
          values   = ["${var.notify_webhook.store == "ssm" ? "ssm" : "secretsmanager"}.${var.region}.amazonaws.com"]
        }]
      }
    },
  )
}

module "ingest_rules" {
  source = "../modules/event-bus"

  create_bus        = false
  name              = module.event_bus.bus_name
  dead_letter_queue = { kms_master_key_id = local.kms_key_arn }
  alarms            = local.module_alarms # operations.tf

  rules = {
    "${local.prefix}-capture-order" = {
      description   = "Uploaded orders to the order store."
      event_pattern = jsonencode(local.contracts.upload_received.pattern)
      targets = {
        capture-order = { arn = module.capture_order.function_arn }
      }
    }
    "${local.prefix}-notify" = {
      description   = "Uploaded orders to the chat notifier."
      event_pattern = jsonencode(local.contracts.upload_received.pattern)
      targets = {
        notify = { arn = module.notify.function_arn }
      }
    }
  }
}

module "ingest_api" {
  source = "../modules/http-api-eventbridge"

  alarms = merge(local.module_alarms, { # operations.tf
    server_error_rate_percent = var.alarms.server_error_rate_percent
    client_error_rate_percent = var.alarms.client_error_rate_percent
  })

  name              = "${local.prefix}-ingest"
  route_key         = "POST /uploads"
  event_bus_name    = module.event_bus.bus_name
  event_bus_arn     = module.event_bus.bus_arn
  event_source      = local.contracts.upload_received.source
  event_detail_type = local.contracts.upload_received.detail_type
  event_resources   = "customer/${local.ingest_customer}" # the body is the detail, as sent
  throttling        = var.ingest_throttling
  jwt_authorizer    = local.ingest_authorizer
  cors              = length(var.ingest_cors_allow_origins) == 0 ? null : { allow_origins = var.ingest_cors_allow_origins }
  access_log        = { retention_in_days = var.log_retention_in_days, kms_key_arn = local.kms_key_arn }

  # The web app's history and channel catch-up (web.tf): signed-in people only, tokens of the
  # platform's pool.
  lambda_routes = merge(!local.presence ? {} : {
    # presence.tf: a channel's members (GET, which also answers CORS) and a member's changes.
    "GET ${local.presence_route}" = {
      function_name  = module.presence.function_name
      invoke_arn     = module.presence.invoke_arn
      cors_preflight = true
      jwt_authorizer = {
        issuer   = module.users.issuer
        audience = [module.users.client_id]
      }
    }
    "POST ${local.presence_route}" = {
      function_name  = module.presence.function_name
      invoke_arn     = module.presence.invoke_arn
      cors_preflight = false # the GET route answers the path's preflight
      jwt_authorizer = {
        issuer   = module.users.issuer
        audience = [module.users.client_id]
      }
    }
    }, !var.users.create ? {} : {
    (local.reports_route) = {
      function_name  = module.report_history.function_name
      invoke_arn     = module.report_history.invoke_arn
      cors_preflight = true
      jwt_authorizer = {
        issuer   = module.users.issuer
        audience = [module.users.client_id]
      }
    }
    (local.answers_route) = {
      function_name  = module.saved_answers.function_name
      invoke_arn     = module.saved_answers.invoke_arn
      cors_preflight = true
      jwt_authorizer = {
        issuer   = module.users.issuer
        audience = [module.users.client_id]
      }
    }
    }, !local.channel_history ? {} : {
    (local.history_route) = {
      function_name  = module.channel_history.function_name
      invoke_arn     = module.channel_history.invoke_arn
      cors_preflight = true
      jwt_authorizer = {
        issuer   = module.users.issuer
        audience = [module.users.client_id]
      }
    }
  })
}
