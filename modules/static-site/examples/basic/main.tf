# A single-page app on S3 + CloudFront; build it first (`make web` writes dist/web/).
provider "aws" {
  region = "eu-west-1"
}

module "site" {
  source = "../.."

  name            = "example-app"
  source_dir      = "${path.root}/../../../../dist/web"
  connect_sources = ["https://api.example.com", "wss://realtime.example.com"]
  config          = { region = "eu-west-1", apiUrl = "https://api.example.com" }

  # POST /orders on the app's own origin, forwarded uncached to an API (and seen by the
  # distribution's web ACL); standard logs in a log bucket the module makes.
  api_origin  = { domain_name = "abc123.execute-api.eu-west-1.amazonaws.com", path_patterns = ["/orders"] }
  access_logs = { retention_in_days = 90 }
}

# Nothing is created: how a caller turns the module off.
module "disabled" {
  source = "../.."

  create     = false
  name       = "example-disabled"
  source_dir = "${path.root}/../../../../dist/web"
}

output "url" {
  description = "Where the example app is served."
  value       = module.site.url
}
