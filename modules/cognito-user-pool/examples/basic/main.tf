# A user pool for a web app: e-mail sign-in, optional TOTP MFA, recovery by e-mail.
provider "aws" {
  region = "eu-west-1"
}

module "users" {
  source = "../.."

  name                = "example-users"
  deletion_protection = false # an example; keep it on where the users are real
}

# Nothing is created: how a caller turns the module off.
module "disabled" {
  source = "../.."

  create = false
  name   = "example-disabled"
}

output "issuer" {
  description = "Issuer URL of the example pool's tokens."
  value       = module.users.issuer
}

output "client_id" {
  description = "Id of the example's web client."
  value       = module.users.client_id
}
