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

variable "filename" {
  description = "Path of the Lambda zip."
  type        = string
  default     = "../../../../dist/handlers.zip"
}

output "function_arn" {
  description = "ARN of the example function."
  value       = module.function.function_arn
}
