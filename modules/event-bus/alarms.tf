# Alarms on the targets' dead-letter queues (var.alarms). An idle, empty queue stops
# reporting to CloudWatch after six hours: missing data is the good state ("notBreaching"); a
# queue that holds messages keeps reporting.

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each = var.alarms.create ? local.targets : {}

  alarm_name          = "${each.value.dlq_name}-depth"
  alarm_description   = "EventBridge could not hand events of rule ${each.value.rule} to target ${each.value.target_id}: they wait in ${each.value.dlq_name}. Show them, fix the target, redrive them (README, runbook)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq[each.key].name }
  statistic           = "Maximum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq_age" {
  for_each = var.alarms.create ? local.targets : {}

  alarm_name          = "${each.value.dlq_name}-age"
  alarm_description   = "The oldest event in ${each.value.dlq_name} is over ${var.alarms.queue_age_seconds} s old: SQS deletes it after ${var.dead_letter_queue.retention_days} days; redrive it before then."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = aws_sqs_queue.dlq[each.key].name }
  statistic           = "Maximum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = var.alarms.queue_age_seconds
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = var.tags
}
