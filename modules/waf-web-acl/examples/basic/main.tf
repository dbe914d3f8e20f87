# A web ACL in front of an AppSync Event API: 500 requests per IP per 5 minutes, the default
# AWS managed rule groups, one blocked network, logs kept for a year (the default).
provider "aws" {
  region = "eu-west-1"
}

module "waf" {
  source = "../.."

  name         = "example-realtime"
  rate_limit   = 500
  ip_deny_list = ["198.51.100.0/24"]

  associations = {
    event_api = var.event_api_arn
  }
}

variable "event_api_arn" {
  description = "ARN of the AppSync Event API to protect."
  type        = string
  default     = "arn:aws:appsync:eu-west-1:123456789012:apis/abcdefghijklmnopqrstuvwxyz"
}

output "web_acl_arn" {
  description = "ARN of the web ACL."
  value       = module.waf.web_acl_arn
}

# Turned off (a feature flag, an environment without it): plans nothing.
module "disabled" {
  source = "../.."

  create = false
  name   = "example-disabled"
}
