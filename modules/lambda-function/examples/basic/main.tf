# A function with one table permission. Build the zip first: `make package`.
provider "aws" {
  region = "eu-west-1"
}

module "function" {
  source = "../.."

  function_name = "example-capture-order"
  handler       = "handlers.capture_order.handler.lambda_handler"
  filename      = var.filename
  timeout       = 10

  environment_variables = {
    ORDERS_TABLE_NAME            = "example-orders"
    POWERTOOLS_SERVICE_NAME      = "capture-order"
    POWERTOOLS_METRICS_NAMESPACE = "Example"
  }

  policy_statements = {
    PutOrders = {
      actions   = ["dynamodb:PutItem"]
      resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/example-orders"]
    }
  }
}

# A function fed by a DynamoDB stream: failed records are reported one by one, retried a
# bounded number of times, and kept in the SQS queue the module creates.
module "stream_function" {
  source = "../.."

  function_name = "example-answers-stream"
  handler       = "handlers.answers_stream.handler.lambda_handler"
  filename      = var.filename

  environment_variables = {
    EVENT_BUS_NAME               = "example-events"
    POWERTOOLS_SERVICE_NAME      = "answers-stream"
    POWERTOOLS_METRICS_NAMESPACE = "Example"
  }

  async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }

  event_source_mappings = {
    answers = {
      event_source_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/example-answers/stream/2026-01-01T00:00:00.000"
    }
  }

  policy_statements = {
    PutAnswerEvents = {
      actions   = ["events:PutEvents"]
      resources = ["arn:aws:events:eu-west-1:123456789012:event-bus/example-events"]
    }
  }
}

variable "filename" {
  description = "Path of the Lambda zip."
  type        = string
  default     = "../../../../dist/handlers.zip"
}

output "function_arn" {
  description = "ARN of the example function."
  value       = module.function.function_arn
}

output "stream_failure_queue_urls" {
  description = "Queues of the stream function's records that failed every retry."
  value       = module.stream_function.stream_failure_queue_urls
}

# Turned off (a feature flag, an environment without it): plans nothing.
module "disabled" {
  source = "../.."

  create        = false
  function_name = "example-disabled"
  handler       = "handlers.capture_order.handler.lambda_handler"
  filename      = var.filename
}
