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

variable "function_arn" {
  description = "ARN of the Lambda function that receives the events."
  type        = string
  default     = "arn:aws:lambda:eu-west-1:123456789012:function:example-capture-order"
}

output "dead_letter_queue_urls" {
  description = "Dead-letter queue of each target."
  value       = module.bus.dead_letter_queue_urls
}
