# A bus with an archive and one rule that sends orders to an existing Lambda function.
provider "aws" {
  region = "eu-west-1"
}

module "bus" {
  source = "../.."

  name    = "example-orders"
  archive = { retention_days = 30 }

  rules = {
    capture-order = {
      description   = "Orders uploaded over HTTP."
      event_pattern = jsonencode({ source = ["platform.ingest"], "detail-type" = ["UploadReceived.v1"] })
      targets = {
        capture = {
          arn          = var.function_arn
          retry_policy = { maximum_retry_attempts = 4, maximum_event_age_in_seconds = 900 }
        }
      }
    }
  }
}

# Another flow's rules on the same bus: it owns them, the bus stays where it is.
module "audit_rules" {
  source = "../.."

  create_bus = false
  name       = module.bus.bus_name

  rules = {
    example-audit = {
      description   = "Every platform event to the audit function."
      event_pattern = jsonencode({ source = [{ prefix = "platform." }] })
      targets = {
        audit = { arn = var.audit_function_arn }
      }
    }
  }
}

variable "audit_function_arn" {
  description = "ARN of the Lambda function that audits every event."
  type        = string
  default     = "arn:aws:lambda:eu-west-1:123456789012:function:example-audit"
}

variable "function_arn" {
  description = "ARN of the Lambda function that receives the events."
  type        = string
  default     = "arn:aws:lambda:eu-west-1:123456789012:function:example-capture-order"
}

output "dead_letter_queue_urls" {
  description = "Dead-letter queue of each target."
  value       = module.bus.dead_letter_queue_urls
}

# Turned off (a feature flag, an environment without it): plans nothing.
module "disabled" {
  source = "../.."

  create = false
  name   = "example-disabled"
}
