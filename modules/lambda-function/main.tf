locals {
  create        = var.create
  failure_queue = local.create && var.async_invocation.failure_queue

  # One key for everything unless an input names its own.
  environment_kms_key_arn = var.environment_kms_key_arn != null ? var.environment_kms_key_arn : var.kms_key_arn
  log_kms_key_arn         = var.log_kms_key_arn != null ? var.log_kms_key_arn : var.kms_key_arn
  queue_kms_key_arn       = var.queue_kms_key_arn != null ? var.queue_kms_key_arn : var.kms_key_arn
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the caller's log_retention_in_days input (root: 30 days, prod 90); a year of function logs is a cost the caller chooses.
  count = local.create ? 1 : 0

  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = local.log_kms_key_arn
  tags              = var.tags
}

resource "aws_sqs_queue" "async_failures" {
  count = local.failure_queue ? 1 : 0

  name                      = "${var.function_name}-async-failures"
  message_retention_seconds = var.async_invocation.failure_queue_retention_days * 86400
  sqs_managed_sse_enabled   = local.queue_kms_key_arn == null ? true : null
  kms_master_key_id         = local.queue_kms_key_arn
  tags                      = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Failed asynchronous events go to an on-failure destination queue (async_invocation), which replaces the legacy DLQ and keeps the error with the event; stream and synchronous callers handle their own failures.
  #checkov:skip=CKV_AWS_117:The functions reach only AWS APIs and an https webhook; a VPC would add NAT gateways and endpoints without protecting anything they hold.
  count = local.create ? 1 : 0

  function_name = var.function_name
  description   = var.description
  role          = aws_iam_role.this[0].arn
  handler       = var.handler
  runtime       = var.runtime
  architectures = [var.architecture]
  filename      = var.filename
  # A conditional, not coalesce(): coalesce evaluates both arguments, and would read a zip
  # that is not there when the caller gives the hash.
  source_code_hash               = var.source_code_hash != null ? var.source_code_hash : filebase64sha256(var.filename)
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions == null ? -1 : var.reserved_concurrent_executions
  kms_key_arn                    = local.environment_kms_key_arn
  code_signing_config_arn        = var.code_signing_config_arn

  dynamic "environment" {
    for_each = length(var.environment_variables) > 0 ? [var.environment_variables] : []
    content {
      variables = environment.value
    }
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this[0].name
    application_log_level = var.application_log_level
    system_log_level      = var.system_log_level
  }

  tracing_config {
    mode = var.tracing_mode
  }

  tags = var.tags

  # The role's permissions and the log group must exist before the first invocation.
  depends_on = [
    aws_iam_role_policy.runtime,
    aws_iam_role_policy.this,
  ]
}

resource "aws_lambda_function_event_invoke_config" "this" {
  count = local.create ? 1 : 0

  function_name                = aws_lambda_function.this[0].function_name
  maximum_retry_attempts       = var.async_invocation.maximum_retry_attempts
  maximum_event_age_in_seconds = var.async_invocation.maximum_event_age_in_seconds

  dynamic "destination_config" {
    for_each = local.failure_queue ? [aws_sqs_queue.async_failures[0].arn] : []
    content {
      on_failure {
        destination = destination_config.value
      }
    }
  }
}

# --- stream sources: partial batch failures, bounded retries, failures kept in SQS ---------

resource "aws_sqs_queue" "stream_failures" {
  for_each = local.create ? var.event_source_mappings : {}

  name                      = "${var.function_name}-${each.key}-stream-failures"
  message_retention_seconds = each.value.failure_queue_retention_days * 86400
  sqs_managed_sse_enabled   = local.queue_kms_key_arn == null ? true : null
  kms_master_key_id         = local.queue_kms_key_arn
  tags                      = var.tags
}

resource "aws_lambda_event_source_mapping" "this" {
  for_each = local.create ? var.event_source_mappings : {}

  function_name                      = aws_lambda_function.this[0].arn
  event_source_arn                   = each.value.event_source_arn
  starting_position                  = each.value.starting_position
  batch_size                         = each.value.batch_size
  maximum_batching_window_in_seconds = each.value.maximum_batching_window_in_seconds
  parallelization_factor             = each.value.parallelization_factor
  maximum_retry_attempts             = each.value.maximum_retry_attempts
  maximum_record_age_in_seconds      = each.value.maximum_record_age_in_seconds
  bisect_batch_on_function_error     = each.value.bisect_batch_on_function_error
  function_response_types            = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.stream_failures[each.key].arn
    }
  }

  # Lambda checks the role when the mapping is created: it must already read the stream.
  depends_on = [aws_iam_role_policy.runtime]
}
