variable "create" {
  description = "Whether to create the Event API and everything that belongs to it."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the Event API (also names its CloudFormation stack, roles and log group tags)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,47}$", var.name))
    error_message = "name must be 1-48 letters, digits or hyphens, starting with a letter or digit (it also names a CloudFormation stack)."
  }
}

variable "owner_contact" {
  description = "Who owns the API (free text: a team, an e-mail alias); null for none."
  type        = string
  default     = null

  validation {
    condition     = var.owner_contact == null || can(regex("^[A-Za-z0-9_ .-]{1,250}$", var.owner_contact))
    error_message = "owner_contact must be 1-250 letters, digits, spaces, dots, hyphens or underscores."
  }
}

variable "auth_providers" {
  description = <<-EOT
    Auth providers of the API (the native resource's event_config.auth_provider blocks). auth_type is
    API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT or AWS_LAMBDA; each takes the matching
    config block: cognito_config, openid_connect_config or lambda_authorizer_config.
  EOT
  type = list(object({
    auth_type = string
    cognito_config = optional(object({
      user_pool_id        = string
      aws_region          = optional(string)
      app_id_client_regex = optional(string)
    }))
    openid_connect_config = optional(object({
      issuer    = string
      client_id = optional(string)
      auth_ttl  = optional(number)
      iat_ttl   = optional(number)
    }))
    lambda_authorizer_config = optional(object({
      authorizer_uri                   = string
      authorizer_result_ttl_in_seconds = optional(number, 300)
      identity_validation_expression   = optional(string)
    }))
  }))

  validation {
    condition = alltrue([
      for p in var.auth_providers : contains(["API_KEY", "AWS_IAM", "AMAZON_COGNITO_USER_POOLS", "OPENID_CONNECT", "AWS_LAMBDA"], p.auth_type)
    ])
    error_message = "auth_providers[*].auth_type must be one of API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT, AWS_LAMBDA."
  }

  validation {
    condition     = length(var.auth_providers) > 0 && length(distinct([for p in var.auth_providers : p.auth_type])) == length(var.auth_providers)
    error_message = "auth_providers must name at least one provider, and each auth_type at most once."
  }

  validation {
    condition = alltrue([
      for p in var.auth_providers : (
        (p.auth_type == "AMAZON_COGNITO_USER_POOLS") == (p.cognito_config != null) &&
        (p.auth_type == "OPENID_CONNECT") == (p.openid_connect_config != null) &&
        (p.auth_type == "AWS_LAMBDA") == (p.lambda_authorizer_config != null)
      )
    ])
    error_message = "Each auth provider takes exactly its own config: cognito_config for AMAZON_COGNITO_USER_POOLS, openid_connect_config for OPENID_CONNECT, lambda_authorizer_config for AWS_LAMBDA, none for API_KEY and AWS_IAM."
  }

  validation {
    condition = alltrue([
      for p in var.auth_providers : p.lambda_authorizer_config == null || try(
        p.lambda_authorizer_config.authorizer_result_ttl_in_seconds >= 0 && p.lambda_authorizer_config.authorizer_result_ttl_in_seconds <= 3600, false
      )
    ])
    error_message = "lambda_authorizer_config.authorizer_result_ttl_in_seconds must be between 0 and 3600."
  }
}

variable "connection_auth_modes" {
  description = "Auth types a client may connect (open a WebSocket) with; each must be in auth_providers."
  type        = list(string)

  validation {
    condition     = length(var.connection_auth_modes) > 0 && alltrue([for m in var.connection_auth_modes : contains([for p in var.auth_providers : p.auth_type], m)])
    error_message = "connection_auth_modes must name at least one auth type, each of them one of auth_providers."
  }
}

variable "default_publish_auth_modes" {
  description = "Auth types allowed to publish, unless a namespace sets its own; each must be in auth_providers."
  type        = list(string)

  validation {
    condition     = length(var.default_publish_auth_modes) > 0 && alltrue([for m in var.default_publish_auth_modes : contains([for p in var.auth_providers : p.auth_type], m)])
    error_message = "default_publish_auth_modes must name at least one auth type, each of them one of auth_providers."
  }
}

variable "default_subscribe_auth_modes" {
  description = "Auth types allowed to subscribe, unless a namespace sets its own; each must be in auth_providers."
  type        = list(string)

  validation {
    condition     = length(var.default_subscribe_auth_modes) > 0 && alltrue([for m in var.default_subscribe_auth_modes : contains([for p in var.auth_providers : p.auth_type], m)])
    error_message = "default_subscribe_auth_modes must name at least one auth type, each of them one of auth_providers."
  }
}

variable "api_key" {
  description = <<-EOT
    The API key, required when API_KEY is an auth provider. expires is an explicit RFC 3339 UTC timestamp
    (e.g. 2027-03-01T00:00:00Z), at most 365 days ahead: AppSync's own default is 7 days, which silently
    locks clients out a week after an apply. AppSync rounds it down to the hour.
  EOT
  type = object({
    description = optional(string, "Managed by Terraform")
    expires     = string
  })
  default = null

  validation {
    condition     = var.api_key == null || can(regex("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$", var.api_key.expires))
    error_message = "api_key.expires must be an RFC 3339 timestamp in UTC, e.g. 2027-03-01T00:00:00Z."
  }

  validation {
    condition     = (var.api_key != null) == contains([for p in var.auth_providers : p.auth_type], "API_KEY")
    error_message = "api_key (with an explicit expires) is required when API_KEY is an auth provider, and only then."
  }
}

variable "lambda_data_sources" {
  description = <<-EOT
    Lambda functions the namespaces can hand events to, keyed by data source name (letters, digits and
    underscores; no hyphens). Each gets a service role that may only invoke that function.
  EOT
  type = map(object({
    function_arn = string
    description  = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k, _ in var.lambda_data_sources : can(regex("^[A-Za-z][A-Za-z0-9_]{0,63}$", k))])
    error_message = "lambda_data_sources keys are data source names: a letter, then letters, digits or underscores (AppSync refuses hyphens), at most 64."
  }
}

variable "channel_namespaces" {
  description = <<-EOT
    Channel namespaces keyed by name (letters, digits, hyphens). publish_auth_modes/subscribe_auth_modes
    override the API defaults. on_publish/on_subscribe hand the events to a Lambda data source:
    behavior DIRECT (the only one this module supports), invoke_type REQUEST_RESPONSE (the handler's answer
    decides: per-item errors, refused subscriptions) or EVENT (fire and forget). history marks a durable
    namespace (its publish handler numbers and keeps every accepted event for ttl_days, 1-365, default 7):
    it needs an on_publish REQUEST_RESPONSE handler, which does the keeping; the module reports the
    durable namespaces in the history_namespaces output for that handler's configuration.
  EOT
  type = map(object({
    publish_auth_modes   = optional(list(string))
    subscribe_auth_modes = optional(list(string))
    on_publish = optional(object({
      data_source = string
      behavior    = optional(string, "DIRECT")
      invoke_type = optional(string, "REQUEST_RESPONSE")
    }))
    on_subscribe = optional(object({
      data_source = string
      behavior    = optional(string, "DIRECT")
      invoke_type = optional(string, "REQUEST_RESPONSE")
    }))
    history = optional(object({
      ttl_days = optional(number, 7)
    }))
  }))

  validation {
    condition     = alltrue([for k, _ in var.channel_namespaces : can(regex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$", k))])
    error_message = "channel_namespaces keys must be 1-50 letters, digits or hyphens, neither starting nor ending with a hyphen."
  }

  validation {
    condition = alltrue(flatten([
      for _, ns in var.channel_namespaces : [
        for h in [ns.on_publish, ns.on_subscribe] : h == null || try(h.behavior == "DIRECT" && contains(["REQUEST_RESPONSE", "EVENT"], h.invoke_type), false)
      ]
    ]))
    error_message = "Namespace handlers must have behavior DIRECT and invoke_type REQUEST_RESPONSE or EVENT."
  }

  validation {
    condition     = length(distinct([for k, _ in var.channel_namespaces : join("", [for p in split("-", k) : title(p)])])) == length(var.channel_namespaces)
    error_message = "channel_namespaces keys must stay distinct when their hyphens are dropped and words capitalised (they name CloudFormation resources)."
  }

  validation {
    condition = alltrue(flatten([
      for _, ns in var.channel_namespaces : [
        for m in concat(coalesce(ns.publish_auth_modes, []), coalesce(ns.subscribe_auth_modes, [])) : contains([for p in var.auth_providers : p.auth_type], m)
      ]
    ]))
    error_message = "Every namespace publish_auth_modes/subscribe_auth_modes entry must be one of auth_providers."
  }

  validation {
    condition = alltrue(flatten([
      for _, ns in var.channel_namespaces : [
        for h in [ns.on_publish, ns.on_subscribe] : h == null || try(contains(keys(var.lambda_data_sources), h.data_source), false)
      ]
    ]))
    error_message = "Every on_publish/on_subscribe data_source must be a key of lambda_data_sources."
  }

  validation {
    condition = alltrue([
      for _, ns in var.channel_namespaces : ns.history == null || try(ns.history.ttl_days == floor(ns.history.ttl_days) && ns.history.ttl_days >= 1 && ns.history.ttl_days <= 365, false)
    ])
    error_message = "history.ttl_days must be a whole number of days from 1 to 365."
  }

  validation {
    condition = alltrue([
      for _, ns in var.channel_namespaces : ns.history == null || try(ns.on_publish.invoke_type == "REQUEST_RESPONSE", false)
    ])
    error_message = "A namespace with history needs an on_publish handler with invoke_type REQUEST_RESPONSE: it numbers and keeps the events before they are delivered."
  }
}

variable "log_level" {
  description = "What the API logs to CloudWatch: NONE, ERROR, INFO, DEBUG or ALL."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["NONE", "ERROR", "INFO", "DEBUG", "ALL"], var.log_level)
    error_message = "log_level must be one of NONE, ERROR, INFO, DEBUG, ALL."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the API's log group (/aws/appsync/apis/<api id>)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key that encrypts the API's log group; null uses CloudWatch's own encryption."
  type        = string
  default     = null
}

variable "create_lambda_authorizer_permission" {
  description = "Whether to let this API invoke the AWS_LAMBDA authoriser function (a resource-based permission scoped to the API's ARN)."
  type        = bool
  default     = true
}

variable "account_id" {
  description = "Account of the API, for the service roles' confused-deputy conditions; null takes it from a data source's function ARN, or else looks it up (aws_caller_identity)."
  type        = string
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account id."
  }
}

variable "notification_arns" {
  description = "SNS topics that receive the CloudFormation stack's events (create, update, rollback)."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource the module creates (the stack passes them on to the API and namespaces)."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "alarms" {
  description = "A CloudWatch alarm on the Event API's server errors (5XXError on its HTTP endpoint), notifying `actions` (SNS topic ARNs). The namespaces' handler functions carry their own error alarms (lambda-function's alarms)."
  type = object({
    create                 = optional(bool, false)
    actions                = optional(list(string), [])
    period_seconds         = optional(number, 300)
    server_error_threshold = optional(number, 1)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for a in var.alarms.actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", a))])
    error_message = "alarms.actions must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<topic>)."
  }

  validation {
    condition     = var.alarms.period_seconds >= 60 && var.alarms.period_seconds % 60 == 0 && var.alarms.server_error_threshold >= 1
    error_message = "alarms: period_seconds a multiple of 60, server_error_threshold at least 1."
  }
}
