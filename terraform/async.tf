# --- Async services: answers stream -> AnswerSubmitted -> security -> ReportReady -> user ---
#
# The user service turns its answers table's stream into AnswerSubmitted events; the
# security service evaluates each answer (idempotently) and emits ReportReady; report
# delivery stores the report and publishes it to /reports/<user id> on the Event API.
# Rule patterns come from contracts.json (the Python models), never typed here.

module "async_rules" {
  source = "../modules/event-bus"

  create_bus        = false
  name              = module.event_bus.bus_name
  dead_letter_queue = { kms_master_key_id = local.kms_key_arn }
  alarms            = local.module_alarms # operations.tf

  rules = {
    "${local.prefix}-security" = {
      description   = "Answers to the security service."
      event_pattern = jsonencode(local.contracts.answer_submitted.pattern)
      targets = {
        security = { arn = module.security.function_arn }
      }
    }
    "${local.prefix}-report-delivery" = {
      description   = "Reports to their user's channel."
      event_pattern = jsonencode(local.contracts.report_ready.pattern)
      targets = {
        report-delivery = { arn = module.report_delivery.function_arn }
      }
    }
  }
}

locals {
  # appsync:EventPublish on the reports namespace only (not the API, not other namespaces),
  # by the ARN the Event API module reports for it.
  reports_namespace_arn = module.realtime.channel_namespace_arns["reports"]
}

# --- user service: answers stream -> AnswerSubmitted ---------------------------------------

module "answers_stream" {
  source = "../modules/lambda-function"

  alarms = local.module_alarms # operations.tf

  function_name                  = "${local.prefix}-answers-stream"
  description                    = "Announces every stored answer as AnswerSubmitted on the bus."
  handler                        = "handlers.answers_stream.handler.lambda_handler"
  filename                       = local.lambda_zip
  timeout                        = 30
  application_log_level          = var.log_level
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = var.reserved_concurrency.answers_stream
  code_signing_config_arn        = local.code_signing_config_arn
  kms_key_arn                    = local.kms_key_arn

  # Invoked by the stream's poller, never asynchronously: failures go to the mapping's queue.
  async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }

  environment_variables = merge(local.powertools_env, local.poison_env, {
    POWERTOOLS_SERVICE_NAME = "answers-stream"
    EVENT_BUS_NAME          = module.event_bus.bus_name
  })

  event_source_mappings = {
    answers = {
      event_source_arn              = module.answers_table.stream_arn
      starting_position             = "TRIM_HORIZON"
      batch_size                    = var.answers_stream.batch_size
      maximum_retry_attempts        = var.answers_stream.maximum_retry_attempts
      maximum_record_age_in_seconds = var.answers_stream.maximum_record_age_in_seconds
    }
  }

  policy_statements = merge(local.kms_table_statements, local.poison_statements, {
    PutAnswerEvents = {
      actions    = ["events:PutEvents"]
      resources  = [module.event_bus.bus_arn]
      conditions = local.put_events_conditions.answer_submitted
    }
  })
}

# --- security service: AnswerSubmitted -> ReportReady (idempotent) --------------------------

module "assessments_table" {
  source = "../modules/dynamodb-table"

  name                = "${local.prefix}-assessments"
  hash_key            = "pk"
  range_key           = "sk"
  attributes          = [{ name = "pk", type = "S" }, { name = "sk", type = "S" }]
  deletion_protection = coalesce(var.answers_table_deletion_protection, local.protect_data)
  kms_key_arn         = local.kms_key_arn
}

# Powertools idempotency records of the security service (key "id", expiry "expiration").
module "idempotency_table" {
  source = "../modules/dynamodb-table"

  # Point-in-time recovery too: a lost record lets a redelivered answer score twice.
  name          = "${local.prefix}-security-idempotency"
  hash_key      = "id"
  attributes    = [{ name = "id", type = "S" }]
  ttl_attribute = "expiration"
  kms_key_arn   = local.kms_key_arn
}

module "security" {
  source = "../modules/lambda-function"

  alarms = local.module_alarms # operations.tf

  function_name                  = "${local.prefix}-security"
  description                    = "Scores each answer's questionnaire and emits ReportReady once per answer."
  handler                        = "handlers.security.handler.lambda_handler"
  filename                       = local.lambda_zip
  timeout                        = 15
  application_log_level          = var.log_level
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = var.reserved_concurrency.security
  code_signing_config_arn        = local.code_signing_config_arn
  kms_key_arn                    = local.kms_key_arn

  environment_variables = merge(local.powertools_env, local.poison_env, {
    POWERTOOLS_SERVICE_NAME = "security"
    ASSESSMENTS_TABLE_NAME  = module.assessments_table.name
    IDEMPOTENCY_TABLE_NAME  = module.idempotency_table.name
    EVENT_BUS_NAME          = module.event_bus.bus_name
  })

  policy_statements = merge(local.kms_table_statements, local.poison_statements, {
    KeepAnswers = {
      actions   = ["dynamodb:PutItem", "dynamodb:Query"]
      resources = [module.assessments_table.arn]
    }
    Idempotency = {
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      resources = [module.idempotency_table.arn]
    }
    PutReportEvents = {
      actions    = ["events:PutEvents"]
      resources  = [module.event_bus.bus_arn]
      conditions = local.put_events_conditions.report_ready
    }
  })
}

# --- report delivery: ReportReady -> reports table -> /reports/<user id> --------------------

module "reports_table" {
  source = "../modules/dynamodb-table"

  name                = "${local.prefix}-reports"
  hash_key            = "pk"
  range_key           = "sk"
  attributes          = [{ name = "pk", type = "S" }, { name = "sk", type = "S" }]
  deletion_protection = coalesce(var.reports_table_deletion_protection, local.protect_data)
  kms_key_arn         = local.kms_key_arn
}

module "report_delivery" {
  source = "../modules/lambda-function"

  alarms = local.module_alarms # operations.tf

  function_name                  = "${local.prefix}-report-delivery"
  description                    = "Stores each report and publishes it to its user's /reports channel."
  handler                        = "handlers.report_delivery.handler.lambda_handler"
  filename                       = local.lambda_zip
  timeout                        = 30
  application_log_level          = var.log_level
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = var.reserved_concurrency.report_delivery
  code_signing_config_arn        = local.code_signing_config_arn
  kms_key_arn                    = local.kms_key_arn

  environment_variables = merge(local.powertools_env, local.poison_env, {
    POWERTOOLS_SERVICE_NAME = "report-delivery"
    REPORTS_TABLE_NAME      = module.reports_table.name
    EVENTS_PUBLISH_URL      = module.realtime.publish_url
  })

  policy_statements = merge(local.kms_table_statements, local.poison_statements, {
    StoreReports = {
      actions   = ["dynamodb:PutItem"]
      resources = [module.reports_table.arn]
    }
    PublishReports = {
      actions   = ["appsync:EventPublish"]
      resources = [local.reports_namespace_arn]
    }
  })
}
