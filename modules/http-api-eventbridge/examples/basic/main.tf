# POST /uploads puts the body on an existing bus as the event's detail, and the caller's
# verified identity as its resource; a JWT authoriser guards it.
provider "aws" {
  region = "eu-west-1"
}

module "ingest" {
  source = "../.."

  name              = "example-ingest"
  event_bus_name    = "example-orders"
  event_bus_arn     = "arn:aws:events:eu-west-1:123456789012:event-bus/example-orders"
  event_source      = "platform.ingest"
  event_detail_type = "UploadReceived.v3"
  event_resources   = "customer/$${context.authorizer.claims.sub}"
  throttling        = { burst_limit = 50, rate_limit = 25 }

  jwt_authorizer = {
    issuer   = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"
    audience = ["example-client-id"]
  }

  cors = { allow_origins = ["https://app.example.com"] }
}

output "upload_url" {
  description = "Where clients POST their uploads."
  value       = module.ingest.route_url
}

# Turned off (a feature flag, an environment without it): plans nothing.
module "disabled" {
  source = "../.."

  create            = false
  name              = "example-disabled"
  event_bus_name    = "example-orders"
  event_bus_arn     = "arn:aws:events:eu-west-1:123456789012:event-bus/example-orders"
  event_source      = "platform.ingest"
  event_detail_type = "UploadReceived.v3"
}
