output "bus_name" {
  description = "Name of the event bus the rules are on (created here or existing); null when create = false."
  value       = var.create ? local.bus_name : null
}

output "bus_arn" {
  description = "ARN of the bus created here; null when the rules attach to an existing bus (create_bus = false) or create = false."
  value       = try(aws_cloudwatch_event_bus.this[0].arn, null)
}

output "archive_arn" {
  description = "ARN of the bus's archive (null when disabled)."
  value       = try(aws_cloudwatch_event_archive.this[0].arn, null)
}

output "rule_arns" {
  description = "ARN of each rule, by rule name."
  value       = { for k, r in aws_cloudwatch_event_rule.this : k => r.arn }
}

output "dead_letter_queue_arns" {
  description = "ARN of each target's dead-letter queue, keyed \"rule/target\"."
  value       = { for k, q in aws_sqs_queue.dlq : k => q.arn }
}

output "dead_letter_queue_urls" {
  description = "URL of each target's dead-letter queue, keyed \"rule/target\"."
  value       = { for k, q in aws_sqs_queue.dlq : k => q.url }
}

output "alarm_arns" {
  description = "ARN of each dead-letter queue alarm, by name (empty unless alarms.create)."
  value = merge(
    { for a in values(aws_cloudwatch_metric_alarm.dlq_depth) : a.alarm_name => a.arn },
    { for a in values(aws_cloudwatch_metric_alarm.dlq_age) : a.alarm_name => a.arn },
  )
}

output "dead_letter_queue_names" {
  description = "Name of each target's dead-letter queue, keyed \"rule/target\"."
  value       = { for k, q in aws_sqs_queue.dlq : k => q.name }
}
