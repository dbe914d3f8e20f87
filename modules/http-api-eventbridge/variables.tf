variable "create" {
  description = "Whether to create the HTTP API and everything that belongs to it."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the HTTP API (also names its integration role and access log group)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,56}$", var.name))
    error_message = "name must be 1-56 letters, digits, hyphens or underscores."
  }
}

variable "description" {
  description = "Description of the HTTP API."
  type        = string
  default     = "HTTP ingest: the request body becomes an event on the bus."
}

variable "route_key" {
  description = "Route whose request body is put on the bus, \"METHOD /path\"."
  type        = string
  default     = "POST /uploads"

  validation {
    condition     = can(regex("^(POST|PUT|PATCH) /[A-Za-z0-9/_{}.-]*$", var.route_key))
    error_message = "route_key must be \"POST /path\" (or PUT/PATCH): only a request with a body can become an event."
  }
}

variable "event_bus_name" {
  description = "Name of the bus the integration puts events on."
  type        = string
}

variable "event_bus_arn" {
  description = "ARN of that bus: the only resource the integration role may events:PutEvents to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/.+$", var.event_bus_arn))
    error_message = "event_bus_arn must be an EventBridge bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>)."
  }
}

variable "event_source" {
  description = "Source of every event the route puts on the bus (fixed: clients cannot choose it)."
  type        = string

  validation {
    condition     = length(var.event_source) > 0 && !startswith(var.event_source, "aws.")
    error_message = "event_source must be non-empty and must not start with \"aws.\" (reserved for AWS services)."
  }
}

variable "event_detail_type" {
  description = "Detail-type of every event the route puts on the bus (fixed: clients cannot choose it)."
  type        = string

  validation {
    condition     = length(var.event_detail_type) > 0 && length(var.event_detail_type) <= 128
    error_message = "event_detail_type must be 1-128 characters."
  }
}

variable "event_resources" {
  description = <<-EOT
    The event's resources: one API Gateway parameter-mapping value built from what the
    authoriser verified and constants, e.g. `customer/$${context.authorizer.claims.sub}`; null
    for none. The detail is always the request body exactly as sent (`$request.body`): no
    template composes JSON around it, so a body can never add or change a field beside it,
    and the caller's identity travels here, where the body cannot reach.
  EOT
  type        = string
  default     = null

  validation {
    condition     = var.event_resources == null || !can(regex("request\\.|stageVariables\\.", coalesce(var.event_resources, "-")))
    error_message = "event_resources may hold $${context...} values and constants only: a request's body, headers, path and query are the caller's to choose."
  }
}

variable "throttling" {
  description = "Stage-wide throttling. Both values are always set: an API Gateway v2 stage with route settings but no limits answers every request with 429."
  type = object({
    burst_limit = optional(number, 100)
    rate_limit  = optional(number, 50)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.throttling.burst_limit > 0 && var.throttling.rate_limit > 0
    error_message = "throttling.burst_limit and throttling.rate_limit must both be greater than 0 (0 rejects every request)."
  }
}

variable "access_log" {
  description = "JSON access logs of the stage: log group retention and optional KMS key."
  type = object({
    retention_in_days = optional(number, 30)
    kms_key_arn       = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.access_log.retention_in_days)
    error_message = "access_log.retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "jwt_authorizer" {
  description = "Optional JWT authoriser on the route (Cognito, Auth0, any OIDC issuer); null leaves the route open."
  type = object({
    issuer               = string
    audience             = list(string)
    identity_sources     = optional(list(string), ["$request.header.Authorization"])
    authorization_scopes = optional(list(string), [])
  })
  default = null

  validation {
    condition     = var.jwt_authorizer == null || try(startswith(var.jwt_authorizer.issuer, "https://") && length(var.jwt_authorizer.audience) > 0, false)
    error_message = "jwt_authorizer.issuer must be an https URL and audience must name at least one client id."
  }
}

variable "cors" {
  description = "Optional CORS settings for browser clients; null disables CORS."
  type = object({
    allow_origins     = list(string)
    allow_methods     = optional(list(string), ["POST", "OPTIONS"])
    allow_headers     = optional(list(string), ["authorization", "content-type"])
    expose_headers    = optional(list(string), [])
    allow_credentials = optional(bool, false)
    max_age           = optional(number, 300)
  })
  default = null

  validation {
    condition     = var.cors == null || try(!(var.cors.allow_credentials && contains(var.cors.allow_origins, "*")), false)
    error_message = "cors: allow_credentials cannot be combined with the \"*\" origin; list the origins."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "lambda_routes" {
  description = "Further routes of the same API served by Lambda functions (AWS_PROXY, payload format 2.0), keyed by route key (\"GET /reports\"). Each is behind a JWT authoriser of its own issuer and audience (a route for signed-in people only); the module grants API Gateway lambda:InvokeFunction on that route alone."
  type = map(object({
    function_name = string
    invoke_arn    = string
    jwt_authorizer = object({
      issuer               = string
      audience             = list(string)
      identity_sources     = optional(list(string), ["$request.header.Authorization"])
      authorization_scopes = optional(list(string), [])
    })
    timeout_milliseconds = optional(number, 10000)
    # Also route "OPTIONS <path>" to the function, without the authoriser (browsers send
    # no token with a CORS preflight): for a function that answers CORS itself.
    cors_preflight = optional(bool, false)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k, r in var.lambda_routes : can(regex("^(GET|POST|PUT|PATCH|DELETE|HEAD) /[A-Za-z0-9/_{}.+-]*$", k))])
    error_message = "lambda_routes keys must be route keys such as \"GET /reports\" (METHOD /path)."
  }

  validation {
    condition     = alltrue([for r in var.lambda_routes : startswith(r.jwt_authorizer.issuer, "https://") && length(r.jwt_authorizer.audience) > 0])
    error_message = "lambda_routes: each jwt_authorizer.issuer must be an https URL and its audience must name at least one client id."
  }

  validation {
    condition     = alltrue([for r in var.lambda_routes : r.timeout_milliseconds >= 50 && r.timeout_milliseconds <= 30000])
    error_message = "lambda_routes: timeout_milliseconds must be 50-30000 (HTTP APIs wait at most 30 s)."
  }
}

variable "alarms" {
  description = "CloudWatch alarms on the API, notifying `actions` (SNS topic ARNs): the share of requests answered 5xx (the integration or API Gateway failed: uploads lost to the caller) and 4xx (callers refused: expired tokens, throttling, bad requests), each once at least `minimum_requests` came in a period."
  type = object({
    create                    = optional(bool, false)
    actions                   = optional(list(string), [])
    period_seconds            = optional(number, 300)
    server_error_rate_percent = optional(number, 1)
    client_error_rate_percent = optional(number, 10)
    minimum_requests          = optional(number, 20)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for a in var.alarms.actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", a))])
    error_message = "alarms.actions must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<topic>)."
  }

  validation {
    condition     = var.alarms.period_seconds >= 60 && var.alarms.period_seconds % 60 == 0 && var.alarms.server_error_rate_percent > 0 && var.alarms.client_error_rate_percent > 0 && var.alarms.minimum_requests >= 1
    error_message = "alarms: period_seconds a multiple of 60, the rates above 0 (percent), minimum_requests at least 1."
  }
}
