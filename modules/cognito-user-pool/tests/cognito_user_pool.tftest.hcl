# terraform test: the module planned with no AWS account (the provider skips every call).
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "offline-plan-placeholder"
  secret_key                  = "offline-plan-placeholder"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  name = "test-users"
}

run "people_sign_in_by_email_with_a_secretless_srp_client" {
  command = plan

  assert {
    condition = alltrue([
      aws_cognito_user_pool.this[0].username_attributes == toset(["email"]),
      aws_cognito_user_pool.this[0].auto_verified_attributes == toset(["email"]),
      aws_cognito_user_pool.this[0].mfa_configuration == "OPTIONAL",
      aws_cognito_user_pool.this[0].password_policy[0].minimum_length == 12,
      aws_cognito_user_pool.this[0].deletion_protection == "ACTIVE",
    ])
    error_message = "the pool is not e-mail sign-in with optional MFA, 12-character passwords and deletion protection"
  }
  assert {
    condition = alltrue([
      aws_cognito_user_pool_client.this[0].generate_secret == false,
      aws_cognito_user_pool_client.this[0].explicit_auth_flows == toset(["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]),
      aws_cognito_user_pool_client.this[0].prevent_user_existence_errors == "ENABLED",
      aws_cognito_user_pool_client.this[0].enable_token_revocation,
    ])
    error_message = "the web client is not a secretless SRP client that hides which users exist"
  }
}

run "an_unknown_mfa_mode_is_refused" {
  command = plan

  variables {
    mfa = "SOMETIMES"
  }
  expect_failures = [var.mfa]
}

run "short_passwords_are_refused" {
  command = plan

  variables {
    password_policy = { minimum_length = 6 }
  }
  expect_failures = [var.password_policy]
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition     = length(aws_cognito_user_pool.this) == 0 && length(aws_cognito_user_pool_client.this) == 0
    error_message = "create = false still plans the pool"
  }
}
