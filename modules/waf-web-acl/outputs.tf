output "web_acl_arn" {
  description = "ARN of the web ACL."
  value       = try(aws_wafv2_web_acl.this[0].arn, null)
}

output "web_acl_id" {
  description = "Id of the web ACL."
  value       = try(aws_wafv2_web_acl.this[0].id, null)
}

output "web_acl_capacity" {
  description = "Web ACL capacity units the rules use (WAF allows 5000 per ACL)."
  value       = try(aws_wafv2_web_acl.this[0].capacity, null)
}

output "log_group_name" {
  description = "Log group WAF writes its request logs to (credentials headers redacted)."
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "ip_set_arns" {
  description = "ARN of each IP set, keyed deny-ipv4, deny-ipv6, allow-ipv4, allow-ipv6 (only those with addresses)."
  value       = { for k, s in aws_wafv2_ip_set.this : k => s.arn }
}

output "association_ids" {
  description = "Id of each association, keyed like var.associations."
  value       = { for k, a in aws_wafv2_web_acl_association.this : k => a.id }
}

output "alarm_arns" {
  description = "ARN of the blocked-requests alarm, by name (empty unless alarms.create)."
  value       = { for a in aws_cloudwatch_metric_alarm.blocked : a.alarm_name => a.arn }
}

output "web_acl_name" {
  description = "Name of the web ACL (null when create = false)."
  value       = try(aws_wafv2_web_acl.this[0].name, null)
}
