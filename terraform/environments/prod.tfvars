# `make plan ENV=prod` / `make apply ENV=prod`.
offline_plan = false
environment  = "prod"
region       = "eu-west-1"

log_level                    = "INFO"
log_retention_in_days        = 90
event_archive_retention_days = 30

ingest_throttling = { rate_limit = 200, burst_limit = 400 }

# POST /uploads takes tokens of the platform's user pool; for another issuer:
# ingest_jwt_authorizer = {
#   issuer   = "https://cognito-idp.eu-west-1.amazonaws.com/<user pool id>"
#   audience = ["<app client id>"]
# }

notify_webhook = { store = "ssm", name = "/platform/prod/notify/webhook-url" }

realtime_log_level = "ERROR"
realtime_waf       = { rate_limit = 2000 }
# Tables with orders or people's data, and the user pool, are deletion-protected in prod by
# default (the *_deletion_protection inputs, users.deletion_protection).

# Hardened by default (README "Security model"): the platform's own KMS key for data at rest
# (tables, queues, log groups, the bus, the functions' environment; a key of its own in
# us-east-1 for the edge web ACL's logs), and Lambda code signing ("Warn": the functions deploy
# the unsigned zip of `make package`).
kms          = { create = true }
code_signing = { enabled = true }
# The web app's edge: its web ACL (on by default everywhere; limits per IP and per caller token
# on POST /uploads) and CloudFront's standard logs in a log bucket the plan makes.
web = { access_logs = { retention_in_days = 365 } }
