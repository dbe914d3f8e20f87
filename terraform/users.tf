# --- People: the platform's Cognito user pool and the web app's client ----------------------
#
# Signed-in users are the Event API's AMAZON_COGNITO_USER_POOLS callers (realtime.tf): their
# token's `sub` is their user id on /answers/<id> and /reports/<id>.

module "users" {
  source = "../modules/cognito-user-pool"

  create              = var.users.create
  name                = "${local.prefix}-users"
  deletion_protection = coalesce(var.users.deletion_protection, local.protect_data)
  mfa                 = var.users.mfa
  self_sign_up        = var.users.self_sign_up
}
