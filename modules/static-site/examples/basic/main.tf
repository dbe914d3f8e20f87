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
