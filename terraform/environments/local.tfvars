# `make local`: the platform on this machine (src/local_runtime reads this plan; no AWS account).
# Values AWS computes at apply (ARNs, URLs, endpoints) become local equivalents: see
# src/local_runtime/equivalents.py and the README's "Local platform" section.
offline_plan = true
environment  = "local"
region       = "eu-west-1"

log_level = "INFO"

# The local runtime stores its webhook receiver's URL in this SSM parameter at start, as an
# operator would in a real account.
notify_webhook = { store = "ssm", name = "/platform/local/notify/webhook-url" }

realtime_log_level = "NONE"

# A sandbox on this machine: chat apps may use an API key here (off by default outside the
# sandbox environment).
realtime_auth = { api_key = { enabled = true } }
