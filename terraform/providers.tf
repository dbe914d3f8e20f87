# With offline_plan = true (the default) the provider uses placeholder credentials and
# skips every call that needs an account, so `make plan` shows the whole platform with no
# AWS account. Real deployments set offline_plan = false (environments/*.tfvars) and use
# the caller's credentials as usual (profile, SSO, environment, instance role).
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
