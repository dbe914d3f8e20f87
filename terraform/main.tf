locals {
  prefix     = "${var.project}-${var.environment}"
  lambda_zip = coalesce(var.lambda_zip, "${path.root}/../dist/handlers.zip")

  # Source, detail-type and rule pattern of each event, generated from the Python models
  # (src/handlers/contracts.py) by `make schemas`; a test keeps the file in sync.
  contracts = jsondecode(file("${path.module}/contracts.json"))

  # The account id without an account lookup: taken from an ARN the platform creates, so
  # the plan works offline and IAM statements still name exact resources.
  account_id = provider::aws::arn_parse(module.event_bus.bus_arn).account_id
  partition  = provider::aws::arn_parse(module.event_bus.bus_arn).partition

  webhook_url_arn = (
    var.notify_webhook.store == "ssm"
    ? "arn:${local.partition}:ssm:${var.region}:${local.account_id}:parameter${var.notify_webhook.name}"
    : var.notify_webhook.name
  )

  powertools_env = {
    POWERTOOLS_METRICS_NAMESPACE = var.project
    POWERTOOLS_LOG_LEVEL         = var.log_level
  }
}

# --- HTTP ingest: POST /uploads -> bus -> capture-order, notify -------------------------

module "orders_table" {
  source = "../modules/dynamodb-table"

  name                = "${local.prefix}-orders"
  hash_key            = "pk"
  attributes          = [{ name = "pk", type = "S" }]
  deletion_protection = var.orders_table_deletion_protection
}

module "capture_order" {
  source = "../modules/lambda-function"

  function_name         = "${local.prefix}-capture-order"
  description           = "Stores each uploaded order once in the orders table."
  handler               = "handlers.capture_order.handler.lambda_handler"
  filename              = local.lambda_zip
  application_log_level = var.log_level
  log_retention_in_days = var.log_retention_in_days

  environment_variables = merge(local.powertools_env, {
    POWERTOOLS_SERVICE_NAME = "capture-order"
    ORDERS_TABLE_NAME       = module.orders_table.name
  })

  policy_statements = {
    PutOrders = {
      actions   = ["dynamodb:PutItem"]
      resources = [module.orders_table.arn]
    }
  }
}

module "notify" {
  source = "../modules/lambda-function"

  function_name         = "${local.prefix}-notify"
  description           = "Posts a short message about each uploaded order to the chat webhook."
  handler               = "handlers.notify.handler.lambda_handler"
  filename              = local.lambda_zip
  application_log_level = var.log_level
  log_retention_in_days = var.log_retention_in_days

  environment_variables = merge(local.powertools_env, {
    POWERTOOLS_SERVICE_NAME = "notify"
    WEBHOOK_URL_STORE       = var.notify_webhook.store
    WEBHOOK_URL_NAME        = var.notify_webhook.name
    WEBHOOK_TIMEOUT_SECONDS = "3"
  })

  policy_statements = merge(
    {
      ReadWebhookUrl = {
        actions   = var.notify_webhook.store == "ssm" ? ["ssm:GetParameter"] : ["secretsmanager:GetSecretValue"]
        resources = [local.webhook_url_arn]
      }
    },
    var.notify_webhook.kms_key_arn == null ? {} : {
      DecryptWebhookUrl = {
        actions   = ["kms:Decrypt"]
        resources = [var.notify_webhook.kms_key_arn]
      }
    },
  )
}

module "event_bus" {
  source = "../modules/event-bus"

  name        = "${local.prefix}-events"
  description = "Events of the ${local.prefix} platform."
  archive     = { retention_days = var.event_archive_retention_days }

  rules = merge({
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
  }, local.async_rules) # async.tf
}

module "ingest_api" {
  source = "../modules/http-api-eventbridge"

  name              = "${local.prefix}-ingest"
  route_key         = "POST /uploads"
  event_bus_name    = module.event_bus.bus_name
  event_bus_arn     = module.event_bus.bus_arn
  event_source      = local.contracts.upload_received.source
  event_detail_type = local.contracts.upload_received.detail_type
  throttling        = var.ingest_throttling
  jwt_authorizer    = var.ingest_jwt_authorizer
  cors              = length(var.ingest_cors_allow_origins) == 0 ? null : { allow_origins = var.ingest_cors_allow_origins }
  access_log        = { retention_in_days = var.log_retention_in_days }

  # The web app's history (web.tf): signed-in people only, tokens of the platform's pool.
  lambda_routes = !var.users.create ? {} : {
    (local.reports_route) = {
      function_name  = module.report_history.function_name
      invoke_arn     = module.report_history.invoke_arn
      cors_preflight = true
      jwt_authorizer = {
        issuer   = module.users.issuer
        audience = [module.users.client_id]
      }
    }
  }
}
