variable "project" {
  description = "Short name of the platform; prefixes every resource name."
  type        = string
  default     = "platform"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.project))
    error_message = "project must be 2-20 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name (dev, staging, prod, ...); part of every resource name."
  type        = string
  default     = "sandbox"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.environment))
    error_message = "environment must be 2-12 lowercase letters or digits, starting with a letter."
  }

  # The longest name made from the prefix is the report-delivery rule, "<prefix>-report-delivery",
  # which the event-bus module takes up to 40 characters: the prefix gets 24.
  validation {
    condition     = length("${var.project}-${var.environment}") <= 24
    error_message = "project and environment together make the prefix of every name (\"<project>-<environment>\"), which may be at most 24 characters, so that the longest name made from it (the \"<prefix>-report-delivery\" rule, 40 at most) fits. Shorten project or environment."
  }
}

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1."
  }
}

variable "offline_plan" {
  description = "Plan without an AWS account (placeholder credentials, no account lookups): for trying the platform and for tests (`make plan` sets it through environments/offline.tfvars). Off by default: `terraform plan` with real credentials gives a real plan."
  type        = bool
  default     = false
  nullable    = false
}

variable "lambda_zip" {
  description = "Path of the handlers zip built by `make package`; null means ../dist/handlers.zip."
  type        = string
  default     = null
}

variable "log_retention_in_days" {
  description = "Retention of every log group of the platform."
  type        = number
  default     = 30
}

variable "log_level" {
  description = "Application log level of the functions (TRACE, DEBUG, INFO, WARN, ERROR, FATAL)."
  type        = string
  default     = "INFO"
}

variable "orders_table_deletion_protection" {
  description = "Protect the orders table from deletion. null (the default) protects it in the prod environment, where the data is real; true or false decides for any environment."
  type        = bool
  default     = null
}

variable "event_archive_retention_days" {
  description = "How long the bus archive keeps events for replay (0 = forever)."
  type        = number
  default     = 7
}

variable "ingest_throttling" {
  description = "Throttling of the HTTP ingest API: steady requests per second and burst."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
  default  = { rate_limit = 50, burst_limit = 100 }
  nullable = false
}

variable "ingest_jwt_authorizer" {
  description = "JWT authoriser on POST /uploads: the issuer and audience of the tokens it takes. null means the platform's own user pool (users.tf) and its app client."
  type = object({
    issuer               = string
    audience             = list(string)
    authorization_scopes = optional(list(string), [])
  })
  default = null

  validation {
    condition     = var.ingest_jwt_authorizer != null || var.users.create || var.ingest_public
    error_message = "POST /uploads needs an authoriser: keep users.create = true (the platform's pool), set ingest_jwt_authorizer to your issuer, or open the route explicitly with ingest_public = true."
  }
}

variable "ingest_public" {
  description = "Leave POST /uploads open to anyone (no token; every order's customer is \"anonymous\"). For a sandbox only: the plan warns while it is on."
  type        = bool
  default     = false
  nullable    = false
}

variable "ingest_cors_allow_origins" {
  description = "Browser origins allowed to POST uploads; empty disables CORS."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "notify_webhook" {
  description = "Where the notifier finds its chat webhook URL at run time: an SSM SecureString parameter name (store = \"ssm\") or a Secrets Manager secret ARN (store = \"secretsmanager\"). The URL itself never passes through Terraform. kms_key_arn: the customer managed key that encrypts it, if any."
  type = object({
    store       = optional(string, "ssm")
    name        = string
    kms_key_arn = optional(string)
  })
  default  = { name = "/platform/sandbox/notify/webhook-url" }
  nullable = false

  validation {
    condition     = contains(["ssm", "secretsmanager"], var.notify_webhook.store)
    error_message = "notify_webhook.store must be \"ssm\" or \"secretsmanager\"."
  }

  validation {
    condition = (
      var.notify_webhook.store == "ssm"
      ? can(regex("^/[A-Za-z0-9_./-]+$", var.notify_webhook.name))
      : can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.notify_webhook.name))
    )
    error_message = "notify_webhook.name must be an SSM parameter path starting with \"/\" (store = ssm) or a full Secrets Manager secret ARN (store = secretsmanager)."
  }
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "answers_table_deletion_protection" {
  description = "Protect the answers table (and the assessments kept from it) from deletion. null (the default) protects it in the prod environment, where the data is real; true or false decides for any environment."
  type        = bool
  default     = null
}

variable "reports_table_deletion_protection" {
  description = "Protect the reports table from deletion. null (the default) protects it in the prod environment, where the data is real; true or false decides for any environment."
  type        = bool
  default     = null
}

variable "answers_stream" {
  description = "How the answers table's stream is read: records per batch, and how long a failing record is retried (attempts, and its age in seconds) before it goes to the stream failure queue. The lambda-function module validates the bounds."
  type = object({
    batch_size                    = optional(number, 100)
    maximum_retry_attempts        = optional(number, 3)
    maximum_record_age_in_seconds = optional(number, 21600)
  })
  default  = {}
  nullable = false
}

variable "realtime_history" {
  description = <<-EOT
    Durable channel namespaces and how many days each keeps its events (1-365): the channel
    handler numbers every accepted event per channel (seq), keeps it in the history table before
    it is delivered, accepts a publisher's clientMessageId once, and GET <channel_history_url>
    serves what a client missed. chat and reports can be durable; answers keeps its answers in
    the answers table. {} turns history off (no table).
  EOT
  type = map(object({
    ttl_days = optional(number, 7)
  }))
  default = {
    chat    = {}
    reports = {}
  }

  validation {
    condition     = alltrue([for k, _ in var.realtime_history : contains(["chat", "reports"], k)])
    error_message = "realtime_history keys must be chat or reports: the answers namespace keeps its answers in the answers table, and no other namespace exists."
  }

  validation {
    condition     = alltrue([for _, h in var.realtime_history : h.ttl_days == floor(h.ttl_days) && h.ttl_days >= 1 && h.ttl_days <= 365])
    error_message = "realtime_history[*].ttl_days must be a whole number of days from 1 to 365."
  }
}

variable "realtime_presence" {
  description = <<-EOT
    Namespaces whose channels keep presence, each with its heartbeat interval in seconds (5-3600,
    default 30): signed-in people enter, update, beat and leave through POST <presence_url>/<channel>,
    GET lists the members, and enter/update/leave are announced on /presence/<channel>. A member
    whose heartbeats stop is removed within two intervals plus the sweep's interval. chat and
    answers can keep presence; {} turns it off (no table, functions or schedule). Needs users.create.
  EOT
  type = map(object({
    heartbeat_seconds = optional(number, 30)
  }))
  default = {
    chat = {}
  }

  validation {
    condition     = alltrue([for k, _ in var.realtime_presence : contains(["chat", "answers"], k)])
    error_message = "realtime_presence keys must be chat or answers: reports are published by the platform, and no other namespace exists."
  }

  validation {
    condition     = alltrue([for _, p in var.realtime_presence : p.heartbeat_seconds == floor(p.heartbeat_seconds) && p.heartbeat_seconds >= 5 && p.heartbeat_seconds <= 3600])
    error_message = "realtime_presence[*].heartbeat_seconds must be a whole number of seconds from 5 to 3600."
  }
}

variable "presence_sweep" {
  description = "The presence sweep: its EventBridge Scheduler expression (rate(...) or cron(...); default every minute) and how many members it reads per query."
  type = object({
    schedule = optional(string, "rate(1 minute)")
    page     = optional(number, 100)
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^(rate\\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\\)|cron\\(.+\\))$", var.presence_sweep.schedule))
    error_message = "presence_sweep.schedule must be rate(1 minute|hour|day), rate(<n> minutes|hours|days) for n > 1, or cron(...) (EventBridge Scheduler's expressions; the local runtime runs rate only)."
  }

  validation {
    condition     = var.presence_sweep.page >= 1 && var.presence_sweep.page <= 1000 && floor(var.presence_sweep.page) == var.presence_sweep.page
    error_message = "presence_sweep.page must be a whole number from 1 to 1000."
  }
}

variable "history_table_deletion_protection" {
  description = "Deletion protection of the channel history table; null follows the environment (on in prod)."
  type        = bool
  default     = null
}

variable "realtime_auth" {
  description = <<-EOT
    Auth modes of the real-time API besides AWS_IAM, which is always on (the platform's own services publish
    with it). api_key: an API key for apps (chat only; private channels refuse it), expiring at `expires`
    (RFC 3339 UTC) or `validity_days` after it was first applied; enabled turns API keys on or off
    (default: on in the sandbox environment only: a key names an app, anyone holding it may chat).
    cognito_user_pool: a user pool other than the platform's own (users.tf), which is used otherwise;
    openid_connect, lambda_authorizer: more sign-in for users (the Lambda authoriser must
    return the user id as handlerContext.sub). identity_pool_ids: Cognito identity pools
    whose signed-in identities (AWS_IAM) are users; identities of any other pool are not.
    The pool's users keep their sub as user id; every other source names its users in its own
    namespace (oidc-<sub>, lambda-<sub>, idp-<identity id>), so no source can name another's.
  EOT
  type = object({
    api_key = optional(object({
      enabled       = optional(bool)
      validity_days = optional(number, 90)
      expires       = optional(string)
    }), {})
    cognito_user_pool = optional(object({
      user_pool_id        = string
      aws_region          = optional(string)
      app_id_client_regex = optional(string)
    }))
    openid_connect = optional(object({
      issuer    = string
      client_id = optional(string)
      auth_ttl  = optional(number)
      iat_ttl   = optional(number)
    }))
    lambda_authorizer = optional(object({
      function_arn                   = string
      result_ttl_in_seconds          = optional(number, 300)
      identity_validation_expression = optional(string)
    }))
    identity_pool_ids = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.realtime_auth.api_key.validity_days >= 1 && var.realtime_auth.api_key.validity_days <= 365
    error_message = "realtime_auth.api_key.validity_days must be between 1 and 365 (AppSync's limit)."
  }

  validation {
    condition     = alltrue([for id in var.realtime_auth.identity_pool_ids : can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "realtime_auth.identity_pool_ids must be Cognito identity pool ids such as eu-west-1:11112222-3333-4444-5555-666677778888."
  }
}

variable "realtime_log_level" {
  description = "What the Event API logs to CloudWatch: NONE, ERROR, INFO, DEBUG or ALL."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["NONE", "ERROR", "INFO", "DEBUG", "ALL"], var.realtime_log_level)
    error_message = "realtime_log_level must be one of NONE, ERROR, INFO, DEBUG, ALL."
  }
}

variable "realtime_waf" {
  description = "WAF in front of the Event API: requests per client IP per 5 minutes, trusted and blocked CIDRs, log retention."
  type = object({
    rate_limit            = optional(number, 1000)
    ip_allow_list         = optional(list(string), [])
    ip_deny_list          = optional(list(string), [])
    log_retention_in_days = optional(number, 365)
  })
  default  = {}
  nullable = false
}

variable "users" {
  description = "The platform's Cognito user pool (people who sign in to the web app and the private channels): whether to create it, deletion protection (null: on in the prod environment), MFA (OFF, OPTIONAL, ON) and self sign-up. realtime_auth.cognito_user_pool, when set, replaces it as the Event API's pool."
  type = object({
    create              = optional(bool, true)
    deletion_protection = optional(bool)
    mfa                 = optional(string, "OPTIONAL")
    self_sign_up        = optional(bool, true)
  })
  default  = {}
  nullable = false
}

variable "web" {
  description = <<-EOT
    The questionnaire web app (web/, built by `make web` into dist/web/) and the platform's public edge: whether
    to host it (it also needs users.create), where the build is (default ../dist/web), CloudFront price class,
    and further origins allowed to read GET /reports (a developer's https://localhost:5173, say).
    The distribution also serves POST /uploads (upload_url), so that its web ACL limits each caller:
    waf.create makes that web ACL (CLOUDFRONT scope, in us-east-1): per IP, rate_limit requests per 5 minutes;
    per caller token (the Authorization header), upload_rate_limit uploads per upload_window_seconds; a POST
    /uploads whose body is not a JSON object is blocked; AWS managed rules. web_acl_arn: your own web ACL
    instead (then waf.create is ignored). access_logs: CloudFront standard logs; `{}` makes a log bucket
    (logs kept retention_in_days), bucket names an existing one (bucket.s3.amazonaws.com, ACLs enabled).
    presence_channel: the platform-wide channel the app enters on sign-in; its member count is shown in the
    header ("3 people answering") when its namespace has presence (realtime_presence).
  EOT
  type = object({
    create      = optional(bool, true)
    source_dir  = optional(string)
    price_class = optional(string, "PriceClass_100")
    waf = optional(object({
      create                = optional(bool, true)
      rate_limit            = optional(number, 2000)
      upload_rate_limit     = optional(number, 300)
      upload_window_seconds = optional(number, 300)
      log_retention_in_days = optional(number, 365)
    }), {})
    web_acl_arn = optional(string)
    access_logs = optional(object({
      bucket            = optional(string)
      prefix            = optional(string, "cloudfront/")
      retention_in_days = optional(number, 365)
    }))
    extra_origins    = optional(list(string), [])
    presence_channel = optional(string, "/chat/answering")
  })
  default  = {}
  nullable = false

  validation {
    # Everyone signed in may watch a chat channel (an /answers one is one person's); the
    # companion /presence<channel> stays within AppSync's five segments.
    condition     = can(regex("^/chat(/[A-Za-z0-9-]{1,50}){1,3}$", var.web.presence_channel))
    error_message = "web.presence_channel must be a chat channel everyone signed in may watch: /chat/ and 1 to 3 segments of letters, digits and hyphens, like /chat/answering."
  }

  validation {
    condition     = alltrue([for o in var.web.extra_origins : can(regex("^https://[^/]+$", o))])
    error_message = "web.extra_origins must be https:// origins (scheme and host, no path)."
  }

  validation {
    condition     = var.web.web_acl_arn == null ? true : can(regex("^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/", var.web.web_acl_arn))
    error_message = "web.web_acl_arn must be a CLOUDFRONT-scope web ACL's ARN (arn:aws:wafv2:us-east-1:<account>:global/webacl/...)."
  }

  validation {
    condition = (
      var.web.waf.rate_limit >= 10 && floor(var.web.waf.rate_limit) == var.web.waf.rate_limit &&
      var.web.waf.upload_rate_limit >= 10 && floor(var.web.waf.upload_rate_limit) == var.web.waf.upload_rate_limit &&
      contains([60, 120, 300, 600], var.web.waf.upload_window_seconds)
    )
    error_message = "web.waf: rate_limit and upload_rate_limit whole numbers of at least 10 (WAF's minimum), upload_window_seconds 60, 120, 300 or 600."
  }
}

variable "reserved_concurrency" {
  description = <<-EOT
    Concurrency reserved for each function: a ceiling it cannot pass and a floor no other
    function can take. Sized so that a flood of chat (channels) is capped well below the
    account's pool while order capture and the async services keep theirs. The defaults
    reserve 246 of the account's 1,000 (Lambda keeps 100 unreserved); an account with a
    lower limit (new accounts may start at 10) must lower them or set a function to null
    (unreserved) — apply fails otherwise.
  EOT
  type = object({
    channels        = optional(number, 100)
    capture_order   = optional(number, 20)
    notify          = optional(number, 10)
    answers_stream  = optional(number, 10)
    security        = optional(number, 20)
    report_delivery = optional(number, 20)
    report_history  = optional(number, 20)
    saved_answers   = optional(number, 10)
    channel_history = optional(number, 20)
    presence        = optional(number, 10)
    presence_stream = optional(number, 5)
    presence_sweep  = optional(number, 1)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for n in values(var.reserved_concurrency) : n == null || try(n >= 1, false)])
    error_message = "reserved_concurrency values must be null (unreserved) or at least 1 (0 would stop the function)."
  }
}

variable "code_signing" {
  description = <<-EOT
    Lambda code signing: a signer profile (AWS Signer, platform AWSLambda-SHA384-ECDSA) and a
    code-signing config that every function of the platform uses. Lambda then checks each
    deployment's signature; with untrusted_artifact_on_deployment = "Warn" it logs an unsigned
    or foreign artifact and deploys it. "Enforce" would refuse the zip `make package` builds:
    the functions are deployed from that local, unsigned file, so Enforce is refused here until
    deployments come from signed S3 artifacts (aws signer start-signing-job).
  EOT
  type = object({
    enabled                          = optional(bool, false)
    untrusted_artifact_on_deployment = optional(string, "Warn")
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.code_signing.untrusted_artifact_on_deployment == "Warn"
    error_message = "code_signing.untrusted_artifact_on_deployment must be \"Warn\": the functions deploy the unsigned zip of `make package`, which Enforce would refuse."
  }
}

variable "kms" {
  description = "One customer-managed KMS key for the platform's data at rest (tables, queues, log groups, the bus, the functions' environment): create = true makes it here with the policy the services need; key_arn names an existing key instead (add output kms_key_policy's statements to its policy). Neither: AWS managed keys."
  type = object({
    create  = optional(bool, false)
    key_arn = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = !(var.kms.create && var.kms.key_arn != null)
    error_message = "kms: set create = true or key_arn, not both."
  }

  validation {
    condition     = var.kms.key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$", var.kms.key_arn))
    error_message = "kms.key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias."
  }
}

variable "alarms" {
  description = "Alarms that reach a person: an encrypted SNS topic (output alarm_topic_arn) with optional e-mail and HTTPS subscriptions, and the alarms of every module (functions, queues, the HTTP API, the Event API, the WAF) and of the platform's own metrics. Thresholds: what a careful operator starts from (README, runbook)."
  type = object({
    enabled           = optional(bool, true)
    email_addresses   = optional(list(string), [])
    https_endpoints   = optional(list(string), [])
    period_seconds    = optional(number, 300)
    queue_age_seconds = optional(number, 3600)
    # The HTTP API: share of requests answered 5xx / 4xx (percent), once 20 came in a period.
    server_error_rate_percent = optional(number, 1)
    client_error_rate_percent = optional(number, 10)
    # The WAF in front of the Event API: blocked requests in a period.
    blocked_requests = optional(number, 100)
    # Invalid uploads in a period: a client sending a broken contract, not one typo.
    invalid_uploads = optional(number, 10)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for e in var.alarms.email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarms.email_addresses must be e-mail addresses."
  }

  validation {
    condition     = alltrue([for u in var.alarms.https_endpoints : startswith(u, "https://")])
    error_message = "alarms.https_endpoints must be https:// URLs (SNS confirms each subscription first)."
  }

  validation {
    condition     = var.alarms.period_seconds >= 60 && var.alarms.period_seconds % 60 == 0 && var.alarms.queue_age_seconds >= 60 && var.alarms.invalid_uploads >= 1 && var.alarms.blocked_requests >= 1
    error_message = "alarms: period_seconds a multiple of 60, queue_age_seconds at least 60, invalid_uploads and blocked_requests at least 1."
  }
}

variable "schema_registry" {
  description = "An EventBridge schema registry holding each event contract (JSON Schema Draft 4), so consumers in AWS can download code bindings. create = false leaves it out (moto, for one, has no schema registry)."
  type = object({
    create = optional(bool, true)
  })
  default = {}
}
