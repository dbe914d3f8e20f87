output "function_name" {
  description = "Name of the Lambda function."
  value       = try(aws_lambda_function.this[0].function_name, null)
}

output "function_arn" {
  description = "ARN of the Lambda function (unqualified)."
  value       = try(aws_lambda_function.this[0].arn, null)
}

output "invoke_arn" {
  description = "ARN for API Gateway integrations."
  value       = try(aws_lambda_function.this[0].invoke_arn, null)
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = try(aws_iam_role.this[0].arn, null)
}

output "role_name" {
  description = "Name of the function's execution role (attach more policies to it at your own risk)."
  value       = try(aws_iam_role.this[0].name, null)
}

output "log_group_name" {
  description = "Name of the function's CloudWatch log group."
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "log_group_arn" {
  description = "ARN of the function's CloudWatch log group."
  value       = try(aws_cloudwatch_log_group.this[0].arn, null)
}

output "async_failure_queue_arn" {
  description = "ARN of the SQS queue that receives events whose asynchronous invocations failed every retry (null when disabled)."
  value       = try(aws_sqs_queue.async_failures[0].arn, null)
}

output "async_failure_queue_url" {
  description = "URL of the SQS queue of failed asynchronous invocations (null when disabled)."
  value       = try(aws_sqs_queue.async_failures[0].url, null)
}

output "event_source_mapping_uuids" {
  description = "UUID of each event source mapping, by the key given in event_source_mappings."
  value       = { for k, m in aws_lambda_event_source_mapping.this : k => m.uuid }
}

output "stream_failure_queue_arns" {
  description = "ARN of the SQS queue that keeps each mapping's records that failed every retry, by key."
  value       = { for k, q in aws_sqs_queue.stream_failures : k => q.arn }
}

output "stream_failure_queue_urls" {
  description = "URL of the SQS queue of each mapping's failed records, by key."
  value       = { for k, q in aws_sqs_queue.stream_failures : k => q.url }
}

output "alarm_arns" {
  description = "ARN of each alarm the module made, by name (empty unless alarms.create)."
  value = merge(
    { for a in values(aws_cloudwatch_metric_alarm.function) : a.alarm_name => a.arn },
    { for a in values(aws_cloudwatch_metric_alarm.queue) : a.alarm_name => a.arn },
  )
}

output "async_failure_queue_name" {
  description = "Name of the queue of failed asynchronous invocations (null when there is none)."
  value       = try(aws_sqs_queue.async_failures[0].name, null)
}

output "stream_failure_queue_names" {
  description = "Name of each stream mapping's failure queue, by mapping key."
  value       = { for k, q in aws_sqs_queue.stream_failures : k => q.name }
}
