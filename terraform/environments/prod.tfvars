# `make plan ENV=prod` / `make apply ENV=prod`.
offline_plan = false
environment  = "prod"
region       = "eu-west-1"

log_level                        = "INFO"
log_retention_in_days            = 90
event_archive_retention_days     = 30
orders_table_deletion_protection = true

ingest_throttling = { rate_limit = 200, burst_limit = 400 }

# ingest_jwt_authorizer = {
#   issuer   = "https://cognito-idp.eu-west-1.amazonaws.com/<user pool id>"
#   audience = ["<app client id>"]
# }

notify_webhook = { store = "ssm", name = "/platform/prod/notify/webhook-url" }

answers_table_deletion_protection = true
realtime_log_level                = "ERROR"
realtime_waf                      = { rate_limit = 2000 }
# People sign in with the platform's user pool (terraform/users.tf); keep it safe.
users = { deletion_protection = true }
