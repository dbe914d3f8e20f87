# Stands in for modules/appsync-events-api when the root is applied to moto, which cannot
# host an AppSync Event API (its CloudFormation resource types). Same inputs, same outputs,
# nothing created: the outputs are the values AWS would give, made from the inputs.

variable "create" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "name" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "owner_contact" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "auth_providers" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "connection_auth_modes" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "default_publish_auth_modes" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "default_subscribe_auth_modes" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "api_key" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "lambda_data_sources" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "channel_namespaces" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "log_level" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "log_retention_in_days" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "log_kms_key_arn" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "create_lambda_authorizer_permission" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "account_id" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "notification_arns" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "alarms" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

variable "tags" {
  description = "As in modules/appsync-events-api (not used here)."
  type        = any
  default     = null
}

locals {
  api_id = "standin${substr(sha1(var.name), 0, 20)}"
  # moto's account: the ARNs other resources are given must be in it.
  arn  = "arn:aws:appsync:eu-west-1:${coalesce(var.account_id, "123456789012")}:apis/${local.api_id}"
  http = "${local.api_id}.appsync-api.eu-west-1.amazonaws.com"
  rt   = "${local.api_id}.appsync-realtime-api.eu-west-1.amazonaws.com"
}

output "api_id" {
  description = "As modules/appsync-events-api's."
  value       = local.api_id
}

output "api_arn" {
  description = "As modules/appsync-events-api's."
  value       = local.arn
}

output "dns" {
  description = "As modules/appsync-events-api's."
  value       = { HTTP = local.http, REALTIME = local.rt }
}

output "http_dns" {
  description = "As modules/appsync-events-api's."
  value       = local.http
}

output "realtime_dns" {
  description = "As modules/appsync-events-api's."
  value       = local.rt
}

output "publish_url" {
  description = "As modules/appsync-events-api's."
  value       = "https://${local.http}/event"
}

output "websocket_url" {
  description = "As modules/appsync-events-api's."
  value       = "wss://${local.rt}/event/realtime"
}

output "api_key" {
  description = "As modules/appsync-events-api's."
  value       = null
  sensitive   = true
}

output "api_key_id" {
  description = "As modules/appsync-events-api's."
  value       = null
}

output "api_key_expires" {
  description = "As modules/appsync-events-api's."
  value       = try(var.api_key.expires, null)
}

output "channel_namespace_arns" {
  description = "As modules/appsync-events-api's."
  value       = { for k in keys(var.channel_namespaces) : k => "${local.arn}/channelNamespace/${k}" }
}

output "data_source_arns" {
  description = "As modules/appsync-events-api's."
  value       = { for k in keys(var.lambda_data_sources) : k => "${local.arn}/dataSources/${k}" }
}

output "data_source_role_arns" {
  description = "As modules/appsync-events-api's."
  value       = {}
}

output "logging_role_arn" {
  description = "As modules/appsync-events-api's."
  value       = null
}

output "log_group_name" {
  description = "As modules/appsync-events-api's."
  value       = null
}

output "stack_id" {
  description = "As modules/appsync-events-api's."
  value       = null
}
