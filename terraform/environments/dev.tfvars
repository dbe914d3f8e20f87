# `make plan ENV=dev` / `make apply ENV=dev`: a real deployment with your own credentials.
offline_plan = false
environment  = "dev"
region       = "eu-west-1"

log_level             = "DEBUG"
log_retention_in_days = 14

ingest_throttling = { rate_limit = 20, burst_limit = 40 }

# Create it first, out of band (the URL never goes through Terraform):
#   aws ssm put-parameter --type SecureString --name /platform/dev/notify/webhook-url --value 'https://hooks...'
notify_webhook = { store = "ssm", name = "/platform/dev/notify/webhook-url" }

realtime_log_level = "ALL"
