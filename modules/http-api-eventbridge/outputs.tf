output "api_id" {
  description = "ID of the HTTP API."
  value       = try(aws_apigatewayv2_api.this[0].id, null)
}

output "api_endpoint" {
  description = "Base URL of the HTTP API (https://<id>.execute-api.<region>.amazonaws.com)."
  value       = try(aws_apigatewayv2_api.this[0].api_endpoint, null)
}

output "execution_arn" {
  description = "Execution ARN of the HTTP API, for permissions."
  value       = try(aws_apigatewayv2_api.this[0].execution_arn, null)
}

output "route_url" {
  description = "Full URL of the ingest route, e.g. https://<id>.execute-api.<region>.amazonaws.com/uploads."
  value       = try("${aws_apigatewayv2_api.this[0].api_endpoint}${local.route_path}", null)
}

output "integration_role_arn" {
  description = "ARN of the role API Gateway uses to put events on the bus."
  value       = try(aws_iam_role.integration[0].arn, null)
}

output "access_log_group_name" {
  description = "Name of the stage's access log group."
  value       = try(aws_cloudwatch_log_group.access[0].name, null)
}

output "lambda_route_urls" {
  description = "Full URL of each Lambda route, by route key."
  value       = { for k, r in aws_apigatewayv2_route.lambda_route : k => "${aws_apigatewayv2_api.this[0].api_endpoint}${split(" ", k)[1]}" }
}

output "alarm_arns" {
  description = "ARN of each error-rate alarm, by name (empty unless alarms.create)."
  value       = { for a in values(aws_cloudwatch_metric_alarm.error_rate) : a.alarm_name => a.arn }
}
