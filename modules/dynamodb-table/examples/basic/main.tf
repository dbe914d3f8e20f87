# An orders table keyed by "pk", encrypted, with point-in-time recovery.
provider "aws" {
  region = "eu-west-1"
}

module "orders" {
  source = "../.."

  name       = "example-orders"
  hash_key   = "pk"
  attributes = [{ name = "pk", type = "S" }]
}

output "table_arn" {
  description = "ARN of the example table."
  value       = module.orders.arn
}

# Turned off (a feature flag, an environment without it): plans nothing.
module "disabled" {
  source = "../.."

  create     = false
  name       = "example-disabled"
  hash_key   = "pk"
  attributes = [{ name = "pk", type = "S" }]
}
