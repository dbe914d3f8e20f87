# With offline_plan = true (environments/offline.tfvars, which `make plan` uses) the provider
# uses placeholder credentials and skips every call that needs an account, so the whole
# platform plans with no AWS account. By default (false) it uses the caller's credentials as
# usual (profile, SSO, environment, instance role): `terraform plan` is a real plan.
provider "aws" {
  region = var.region

  access_key                  = var.offline_plan ? "offline-plan-placeholder" : null
  secret_key                  = var.offline_plan ? "offline-plan-placeholder" : null
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_region_validation      = var.offline_plan
  skip_metadata_api_check     = var.offline_plan ? "true" : null

  default_tags {
    tags = merge(
      {
        project     = var.project
        environment = var.environment
        managed-by  = "terraform"
      },
      var.tags,
    )
  }
}

# CloudFront's web ACL and its log group live in us-east-1, whatever the platform's region (AWS
# WAF developer guide: a web ACL for CloudFront has scope CLOUDFRONT and is made in US East (N.
# Virginia)); edge.tf uses this provider for them and nothing else.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  access_key                  = var.offline_plan ? "offline-plan-placeholder" : null
  secret_key                  = var.offline_plan ? "offline-plan-placeholder" : null
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_region_validation      = var.offline_plan
  skip_metadata_api_check     = var.offline_plan ? "true" : null

  default_tags {
    tags = merge(
      {
        project     = var.project
        environment = var.environment
        managed-by  = "terraform"
      },
      var.tags,
    )
  }
}
