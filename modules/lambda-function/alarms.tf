# Alarms on the function and on the queues it owns (var.alarms). Missing data is chosen per
# alarm: a function that is not invoked reports no Errors, Throttles or IteratorAge, which is
# not trouble ("notBreaching"); SQS stops reporting a queue that has been empty and idle for
# six hours, which is the good state too ("notBreaching"), while a queue with messages keeps
# reporting and so keeps the alarm honest.

locals {
  alarms  = local.create && var.alarms.create
  minutes = var.alarms.period_seconds / 60

  function_alarms = !local.alarms ? {} : merge(
    {
      errors = {
        metric      = "Errors"
        statistic   = "Sum"
        threshold   = var.alarms.errors_threshold
        description = "${var.function_name} failed ${var.alarms.errors_threshold} or more invocations in ${local.minutes} min: read its log group /aws/lambda/${var.function_name}; failed events wait in its failure queue."
      }
      throttles = {
        metric      = "Throttles"
        statistic   = "Sum"
        threshold   = var.alarms.throttles_threshold
        description = "${var.function_name} was throttled ${var.alarms.throttles_threshold} or more times in ${local.minutes} min: its reserved concurrency, or the account's, is spent."
      }
    },
    length(var.event_source_mappings) == 0 ? {} : {
      iterator-age = {
        metric      = "IteratorAge"
        statistic   = "Maximum"
        threshold   = var.alarms.iterator_age_seconds * 1000
        description = "${var.function_name} reads its stream more than ${var.alarms.iterator_age_seconds} s behind: records near the stream's 24 hours are at risk."
      }
    },
  )

  # Every queue this function owns (its asynchronous failure queue, its stream failure
  # queues), each with a depth and an age alarm.
  owned_queues = merge(
    local.failure_queue ? { async = "${var.function_name}-async-failures" } : {},
    { for k in keys(var.event_source_mappings) : "stream-${k}" => "${var.function_name}-${k}-stream-failures" },
  )
  queue_alarms = !local.alarms ? {} : merge([
    for key, queue in local.owned_queues : {
      "${key}/depth" = {
        queue       = queue
        metric      = "ApproximateNumberOfMessagesVisible"
        threshold   = 1
        description = "${queue} holds failed work of ${var.function_name}: show it, fix the cause, redrive it (README, runbook)."
      }
      "${key}/age" = {
        queue       = queue
        metric      = "ApproximateAgeOfOldestMessage"
        threshold   = var.alarms.queue_age_seconds
        description = "The oldest message of ${queue} is over ${var.alarms.queue_age_seconds} s old: SQS deletes it after its retention; redrive it before then."
      }
    }
  ]...)
}

resource "aws_cloudwatch_metric_alarm" "function" {
  for_each = local.function_alarms

  alarm_name          = "${var.function_name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = { FunctionName = aws_lambda_function.this[0].function_name }
  statistic           = each.value.statistic
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "queue" {
  for_each = local.queue_alarms

  alarm_name          = "${each.value.queue}-${split("/", each.key)[1]}"
  alarm_description   = each.value.description
  namespace           = "AWS/SQS"
  metric_name         = each.value.metric
  dimensions          = { QueueName = each.value.queue }
  statistic           = "Maximum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = var.tags

  # The queues are made in this module: their alarms follow them.
  depends_on = [aws_sqs_queue.async_failures, aws_sqs_queue.stream_failures]
}
