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
