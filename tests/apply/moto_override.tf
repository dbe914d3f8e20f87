# Copied into a copy of terraform/ by tests/apply (with moto_endpoint.tf, which declares the
# endpoint: an override file may not add a variable): the real root, applied to a moto
# server on 127.0.0.1. The endpoint comes in as TF_VAR_moto_endpoint.

provider "aws" {
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  skip_metadata_api_check     = "true"
  # A dropped connection to moto under load (seen once in a destroy) is tried again.
  max_retries = 3

  endpoints {
    apigatewayv2   = var.moto_endpoint
    cloudformation = var.moto_endpoint
    cloudfront     = var.moto_endpoint
    cloudwatch     = var.moto_endpoint
    cloudwatchlogs = var.moto_endpoint
    cognitoidp     = var.moto_endpoint
    dynamodb       = var.moto_endpoint
    events         = var.moto_endpoint
    iam            = var.moto_endpoint
    kms            = var.moto_endpoint
    lambda         = var.moto_endpoint
    s3             = var.moto_endpoint
    scheduler      = var.moto_endpoint
    sns            = var.moto_endpoint
    sqs            = var.moto_endpoint
    ssm            = var.moto_endpoint
    sts            = var.moto_endpoint
    wafv2          = var.moto_endpoint
  }
}

# The edge's provider (us-east-1), at moto too; the edge itself is off with the web app below.
provider "aws" {
  alias                       = "us_east_1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  skip_metadata_api_check     = "true"
  # A dropped connection to moto under load (seen once in a destroy) is tried again.
  max_retries = 3

  endpoints {
    apigatewayv2   = var.moto_endpoint
    cloudformation = var.moto_endpoint
    cloudfront     = var.moto_endpoint
    cloudwatch     = var.moto_endpoint
    cloudwatchlogs = var.moto_endpoint
    cognitoidp     = var.moto_endpoint
    dynamodb       = var.moto_endpoint
    events         = var.moto_endpoint
    iam            = var.moto_endpoint
    kms            = var.moto_endpoint
    lambda         = var.moto_endpoint
    s3             = var.moto_endpoint
    scheduler      = var.moto_endpoint
    sns            = var.moto_endpoint
    sqs            = var.moto_endpoint
    ssm            = var.moto_endpoint
    sts            = var.moto_endpoint
    wafv2          = var.moto_endpoint
  }
}

# moto cannot host an AppSync Event API (AWS::AppSync::Api and ChannelNamespace are not among
# its CloudFormation resource types): a stand-in with the module's inputs and outputs takes
# its place, and creates nothing. Everything else is the real root.
module "realtime" {
  source = "./realtime_standin"
}

# moto has no CloudFront response headers policies: the web app's hosting (S3 + CloudFront)
# is off here; its plan is tested offline (tests/terraform/test_root_web_plan.py).
variable "web" {
  default = { create = false }
}

# moto has no EventBridge schema registry: the contracts' schemas are tested in the plan
# (tests/terraform/test_root_plan.py).
variable "schema_registry" {
  default = { create = false }
}
