output "api_id" {
  description = "Id of the Event API."
  value       = try(aws_cloudformation_stack.this[0].outputs["ApiId"], null)
}

output "api_arn" {
  description = "ARN of the Event API (what a WAF web ACL is associated with, and what IAM policies name)."
  value       = try(aws_cloudformation_stack.this[0].outputs["ApiArn"], null)
}

output "dns" {
  description = "DNS names of the API, as the native resource gives them: HTTP and REALTIME."
  value = try({
    HTTP     = aws_cloudformation_stack.this[0].outputs["HttpDns"]
    REALTIME = aws_cloudformation_stack.this[0].outputs["RealtimeDns"]
  }, null)
}

output "http_dns" {
  description = "Host name for HTTP publishing (and for signing WebSocket requests)."
  value       = try(aws_cloudformation_stack.this[0].outputs["HttpDns"], null)
}

output "realtime_dns" {
  description = "Host name of the WebSocket endpoint."
  value       = try(aws_cloudformation_stack.this[0].outputs["RealtimeDns"], null)
}

output "publish_url" {
  description = "URL to publish events over HTTP: POST {\"channel\": \"/ns/...\", \"events\": [\"<json>\", ...]}."
  value       = try("https://${aws_cloudformation_stack.this[0].outputs["HttpDns"]}/event", null)
}

output "websocket_url" {
  description = "URL clients connect to (subprotocol aws-appsync-event-ws) to subscribe and publish."
  value       = try("wss://${aws_cloudformation_stack.this[0].outputs["RealtimeDns"]}/event/realtime", null)
}

output "api_key" {
  description = "The API key (null without API_KEY auth). Sensitive: read it with `terraform output -raw`."
  value       = try(aws_appsync_api_key.this[0].key, null)
  sensitive   = true
}

output "api_key_id" {
  description = "Id of the API key (null without API_KEY auth). Sensitive: on AppSync the id is the key."
  value       = try(aws_appsync_api_key.this[0].id, null)
  sensitive   = true
}

output "api_key_expires" {
  description = "When the API key expires (RFC 3339, UTC), as configured."
  value       = try(var.api_key.expires, null)
}

output "channel_namespace_arns" {
  description = "ARN of each channel namespace, keyed by name (for appsync:EventPublish/EventSubscribe statements)."
  value       = { for k, id in local.namespace_ids : k => try(aws_cloudformation_stack.this[0].outputs["Namespace${id}Arn"], null) }
}

output "data_source_arns" {
  description = "ARN of each Lambda data source, keyed by name."
  value       = { for k, id in local.data_source_ids : k => try(aws_cloudformation_stack.this[0].outputs["DataSource${id}Arn"], null) }
}

output "data_source_role_arns" {
  description = "ARN of each data source's service role, keyed by data source name."
  value       = { for k, r in aws_iam_role.data_source : k => r.arn }
}

output "logging_role_arn" {
  description = "ARN of the role AppSync writes logs with (null when log_level is NONE)."
  value       = try(aws_iam_role.logging[0].arn, null)
}

output "log_group_name" {
  description = "Log group of the API (null when log_level is NONE)."
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "stack_id" {
  description = "Id of the CloudFormation stack that holds the Event API resources."
  value       = try(aws_cloudformation_stack.this[0].id, null)
}

output "alarm_arns" {
  description = "ARN of the server-error alarm, by name (empty unless alarms.create)."
  value       = { for a in aws_cloudwatch_metric_alarm.server_errors : a.alarm_name => a.arn }
}

output "history_namespaces" {
  description = "Durable namespaces and how many days each keeps its events ({ chat = 7 }): the configuration of their publish handler, which numbers and keeps them."
  value       = !var.create ? {} : { for k, ns in var.channel_namespaces : k => ns.history.ttl_days if ns.history != null }
}
