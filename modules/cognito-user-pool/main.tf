# A user pool for people who sign in with their e-mail address, and one app client for a
# browser app (no secret: a single-page app cannot keep one; SRP sign-in and refresh tokens).

resource "aws_cognito_user_pool" "this" {
  #checkov:skip=CKV_AWS_329:Advanced security (threat protection) is billed per user; opt in with advanced_security_mode.
  count = var.create ? 1 : 0

  name                     = var.name
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  mfa_configuration        = var.mfa
  tags                     = var.tags

  username_configuration {
    case_sensitive = false
  }

  password_policy {
    minimum_length                   = var.password_policy.minimum_length
    require_lowercase                = var.password_policy.require_lowercase
    require_uppercase                = var.password_policy.require_uppercase
    require_numbers                  = var.password_policy.require_numbers
    require_symbols                  = var.password_policy.require_symbols
    temporary_password_validity_days = var.password_policy.temporary_password_validity_days
  }

  dynamic "software_token_mfa_configuration" {
    for_each = var.mfa == "OFF" ? [] : [1]
    content {
      enabled = true
    }
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  admin_create_user_config {
    allow_admin_create_user_only = !var.self_sign_up
  }

  user_pool_add_ons {
    advanced_security_mode = var.advanced_security_mode
  }

  verification_message_template {
    default_email_option = "CONFIRM_WITH_CODE"
  }
}

resource "aws_cognito_user_pool_client" "this" {
  count = var.create ? 1 : 0

  name         = var.client.name
  user_pool_id = aws_cognito_user_pool.this[0].id

  generate_secret               = false
  explicit_auth_flows           = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true
  supported_identity_providers  = ["COGNITO"]

  access_token_validity  = var.client.access_token_minutes
  id_token_validity      = var.client.id_token_minutes
  refresh_token_validity = var.client.refresh_token_days

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
}
