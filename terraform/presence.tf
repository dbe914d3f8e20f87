# --- Presence: who is on a channel, as it changes (handlers/presence*) ---------------------
#
# A signed-in person enters a channel's presence through the HTTP API (POST /presence/...,
# the platform's user pool), sends a heartbeat every heartbeat_seconds, and leaves; GET lists
# the members. Each write is one item of the presence table; its stream feeds the announcer,
# which publishes enter/update/leave on /presence/<channel> (a durable namespace: seq, catch-up
# and message ids kept once). A schedule runs the sweep, which removes members whose
# heartbeats stopped; their leaves come from the stream too.

locals {
  presence         = var.users.create && length(var.realtime_presence) > 0
  presence_seconds = { for k, p in var.realtime_presence : k => p.heartbeat_seconds }
  presence_route   = "/presence/{proxy+}"
  # The web app's header count (web.tf): its channel's namespace must have presence.
  web_presence = local.presence && contains(keys(var.realtime_presence), split("/", var.web.presence_channel)[1])
}

module "presence_table" {
  source = "../modules/dynamodb-table"

  # handlers/presence/dal.py lays it out: one item per channel and member, an index by expiry
  # for the sweep, DynamoDB's TTL a day past expiry should sweeps stop.
  create    = local.presence
  name      = "${local.prefix}-presence"
  hash_key  = "channel"
  range_key = "member"
  attributes = [
    { name = "channel", type = "S" },
    { name = "member", type = "S" },
    { name = "shard", type = "S" },
    { name = "expiresAt", type = "N" },
  ]
  global_secondary_indexes = { by-expiry = { hash_key = "shard", range_key = "expiresAt" } }
  ttl_attribute            = "ttl"
  stream_view_type         = "NEW_AND_OLD_IMAGES"
  kms_key_arn              = local.kms_key_arn
}

module "presence" {
  source = "../modules/lambda-function"

  alarms = local.module_alarms # operations.tf

  create                         = local.presence
  function_name                  = "${local.prefix}-presence"
  description                    = "GET and POST /presence/...: a channel's members; enter, update, heartbeat, leave."
  handler                        = "handlers.presence.handler.lambda_handler"
  filename                       = local.lambda_zip
  application_log_level          = var.log_level
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = var.reserved_concurrency.presence
  code_signing_config_arn        = local.code_signing_config_arn
  kms_key_arn                    = local.kms_key_arn

  # API Gateway invokes it synchronously: no asynchronous retries to catch.
  async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }

  environment_variables = merge(local.powertools_env, {
    POWERTOOLS_SERVICE_NAME = "presence"
    PRESENCE_TABLE_NAME     = module.presence_table.name
    PRESENCE_NAMESPACES     = jsonencode(local.presence_seconds)
    ALLOWED_ORIGINS         = join(",", compact(concat([module.web.origin], var.web.extra_origins)))
  }, local.realtime_identity_env)

  policy_statements = merge(local.kms_table_statements, {
    # Conditional puts and deletes of members, consistent reads of one channel.
    KeepMembers = {
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"]
      resources = [module.presence_table.arn]
    }
  })
}

module "presence_stream" {
  source = "../modules/lambda-function"

  alarms = local.module_alarms # operations.tf

  create                         = local.presence
  function_name                  = "${local.prefix}-presence-stream"
  description                    = "Announces each presence change on /presence/<channel>, in order, once."
  handler                        = "handlers.presence_stream.handler.lambda_handler"
  filename                       = local.lambda_zip
  timeout                        = 30
  application_log_level          = var.log_level
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = var.reserved_concurrency.presence_stream
  code_signing_config_arn        = local.code_signing_config_arn
  kms_key_arn                    = local.kms_key_arn

  # Invoked by the stream's poller, never asynchronously: failures go to the mapping's queue.
  async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }

  environment_variables = merge(local.powertools_env, {
    POWERTOOLS_SERVICE_NAME = "presence-stream"
    EVENTS_PUBLISH_URL      = module.realtime.publish_url
  })

  event_source_mappings = !local.presence ? {} : {
    presence = {
      event_source_arn              = module.presence_table.stream_arn
      starting_position             = "TRIM_HORIZON"
      batch_size                    = 25
      maximum_retry_attempts        = 10
      maximum_record_age_in_seconds = 3600 # a leave older than an hour announces nothing new
    }
  }

  policy_statements = merge(!local.kms_enabled ? {} : {
    # The stream's records are encrypted with the table's key.
    ReadEncryptedStream = {
      actions   = ["kms:Decrypt"]
      resources = [local.kms_key_arn]
    }
    }, { for sid, statement in {
      AnnouncePresence = {
        actions   = ["appsync:EventPublish"]
        resources = compact([lookup(module.realtime.channel_namespace_arns, "presence", null)])
      }
  } : sid => statement if local.presence })
}

module "presence_sweep" {
  source = "../modules/lambda-function"

  alarms = local.module_alarms # operations.tf

  create                         = local.presence
  function_name                  = "${local.prefix}-presence-sweep"
  description                    = "Removes presence members whose heartbeats stopped; the stream announces their leaves."
  handler                        = "handlers.presence_sweep.handler.lambda_handler"
  filename                       = local.lambda_zip
  timeout                        = 60
  application_log_level          = var.log_level
  log_retention_in_days          = var.log_retention_in_days
  reserved_concurrent_executions = var.reserved_concurrency.presence_sweep
  code_signing_config_arn        = local.code_signing_config_arn
  kms_key_arn                    = local.kms_key_arn

  # The schedule invokes it asynchronously. A run that fails is not retried: the next run
  # sweeps what it left, and the function's error alarm says it failed.
  async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }

  environment_variables = merge(local.powertools_env, {
    POWERTOOLS_SERVICE_NAME = "presence-sweep"
    PRESENCE_TABLE_NAME     = module.presence_table.name
    SWEEP_PAGE              = tostring(var.presence_sweep.page)
  })

  # (Statements filtered out when presence is off: nothing is created then.)
  policy_statements = merge(local.kms_table_statements, { for sid, statement in {
    SweepMembers = {
      actions   = ["dynamodb:Query", "dynamodb:DeleteItem"]
      resources = flatten([for arn in compact([module.presence_table.arn]) : [arn, "${arn}/index/by-expiry"]])
    }
  } : sid => statement if local.presence })
}

# --- the sweep's schedule: EventBridge Scheduler, its role and its dead-letter queue --------

resource "aws_sqs_queue" "presence_sweep_dlq" {
  count = local.presence ? 1 : 0

  name                      = "${local.prefix}-presence-sweep-dlq"
  message_retention_seconds = 14 * 86400
  sqs_managed_sse_enabled   = local.kms_key_arn == null ? true : null
  kms_master_key_id         = local.kms_key_arn
}

data "aws_iam_policy_document" "presence_schedule_trust" {
  count = local.presence ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    # EventBridge Scheduler User Guide, "Set up the execution role": this account's schedules.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "presence_schedule" {
  count = local.presence ? 1 : 0

  statement {
    sid       = "InvokeTheSweep"
    actions   = ["lambda:InvokeFunction"]
    resources = [module.presence_sweep.function_arn]
  }

  statement {
    sid       = "DeadLetterFailedRuns"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.presence_sweep_dlq[0].arn]
  }

  dynamic "statement" {
    for_each = local.kms_enabled ? [1] : []
    content {
      sid       = "UseTheQueueKey" # the dead-letter queue's and the schedule's key
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [local.kms_key_arn]
    }
  }
}

resource "aws_iam_role" "presence_schedule" {
  count = local.presence ? 1 : 0

  name               = "${local.prefix}-presence-schedule"
  assume_role_policy = data.aws_iam_policy_document.presence_schedule_trust[0].json
}

resource "aws_iam_role_policy" "presence_schedule" {
  count = local.presence ? 1 : 0

  name   = "invoke-the-sweep"
  role   = aws_iam_role.presence_schedule[0].id
  policy = data.aws_iam_policy_document.presence_schedule[0].json
}

resource "aws_scheduler_schedule" "presence_sweep" {
  count = local.presence ? 1 : 0

  name                = "${local.prefix}-presence-sweep"
  description         = "Removes presence members whose heartbeats stopped."
  schedule_expression = var.presence_sweep.schedule
  # The platform's key, when there is one: the execution role may decrypt with it (its
  # UseTheQueueKey statement), as EventBridge Scheduler needs to read the target's input.
  kms_key_arn = local.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = module.presence_sweep.function_arn
    role_arn = aws_iam_role.presence_schedule[0].arn
    input    = jsonencode({ source = "presence-sweep-schedule" })

    # The scheduler's retries and queue are for failing to hand the run to Lambda (throttling,
    # a missing function): tried again within the interval, then kept in the queue.
    retry_policy {
      maximum_event_age_in_seconds = 60
      maximum_retry_attempts       = 2
    }

    dead_letter_config {
      arn = aws_sqs_queue.presence_sweep_dlq[0].arn
    }
  }
}

# A run the scheduler could not hand to Lambda: presence keeps members past their expiry until
# a run gets through (the sweep's own failures alarm through module.presence_sweep).
resource "aws_cloudwatch_metric_alarm" "presence_sweep_dlq" {
  count = local.alarms && local.presence ? 1 : 0

  alarm_name          = "${aws_sqs_queue.presence_sweep_dlq[0].name}-depth"
  alarm_description   = "The presence sweep's schedule could not invoke it (throttled, or the function is gone): gone members stay listed until a run gets through. Check the sweep function and its reserved concurrency; the queued runs need no redrive, the next run sweeps (README, runbook)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.presence_sweep_dlq[0].name }
  statistic           = "Maximum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}
