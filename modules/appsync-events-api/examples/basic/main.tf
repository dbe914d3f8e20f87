# An Event API with API key + IAM auth, a public `chat` namespace and a private `reports`
# namespace whose subscriptions an existing Lambda function authorises.
provider "aws" {
  region = "eu-west-1"
}

module "events" {
  source = "../.."

  name          = "example-realtime"
  owner_contact = "platform team"
  account_id    = var.account_id

  auth_providers = [
    { auth_type = "API_KEY" },
    { auth_type = "AWS_IAM" },
  ]
  connection_auth_modes        = ["API_KEY", "AWS_IAM"]
  default_publish_auth_modes   = ["API_KEY", "AWS_IAM"]
  default_subscribe_auth_modes = ["API_KEY", "AWS_IAM"]

  # Explicit expiry (at most 365 days ahead); apply again with a later date to extend it.
  api_key = { description = "web client", expires = var.api_key_expires }

  lambda_data_sources = {
    channel_handler = { function_arn = var.handler_function_arn }
  }

  channel_namespaces = {
    chat = {
      on_publish = { data_source = "channel_handler" }
      # Durable: the handler numbers and keeps every accepted event for 7 days
      # (module.events.history_namespaces tells it which namespaces and how long).
      history = { ttl_days = 7 }
    }
    reports = {
      publish_auth_modes   = ["AWS_IAM"]
      subscribe_auth_modes = ["AWS_IAM"]
      on_subscribe         = { data_source = "channel_handler" }
    }
  }

  log_level             = "ERROR"
  log_retention_in_days = 30
}

variable "account_id" {
  description = "Account of the API. Leave null in a real account: the module looks it up."
  type        = string
  default     = "123456789012"
}

variable "api_key_expires" {
  description = "When the API key expires (RFC 3339, UTC)."
  type        = string
  default     = "2027-06-01T00:00:00Z"
}

variable "handler_function_arn" {
  description = "ARN of the Lambda function that handles the namespaces' events."
  type        = string
  default     = "arn:aws:lambda:eu-west-1:123456789012:function:example-channels"
}

output "publish_url" {
  description = "Where to POST events."
  value       = module.events.publish_url
}

output "websocket_url" {
  description = "Where clients connect."
  value       = module.events.websocket_url
}

# Turned off (a feature flag, an environment without it): plans nothing.
module "disabled" {
  source = "../.."

  create = false
  name   = "example-disabled"

  auth_providers               = [{ auth_type = "AWS_IAM" }]
  connection_auth_modes        = ["AWS_IAM"]
  default_publish_auth_modes   = ["AWS_IAM"]
  default_subscribe_auth_modes = ["AWS_IAM"]
  channel_namespaces           = {}
}
