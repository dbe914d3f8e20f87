variable "create" {
  description = "Whether to create the web ACL and everything that belongs to it."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the web ACL (also names its IP sets, metrics and the aws-waf-logs-<name> log group)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,112}$", var.name))
    error_message = "name must be 1-113 letters, digits, hyphens or underscores (the log group aws-waf-logs-<name> must stay within 128 characters)."
  }
}

variable "description" {
  description = "Description of the web ACL."
  type        = string
  default     = "Rate limit and AWS managed rules in front of a public API."
}

variable "scope" {
  description = "REGIONAL (AppSync, API Gateway REST, ALB, ...) or CLOUDFRONT (only in us-east-1)."
  type        = string
  default     = "REGIONAL"

  validation {
    condition     = contains(["REGIONAL", "CLOUDFRONT"], var.scope)
    error_message = "scope must be REGIONAL or CLOUDFRONT."
  }
}

variable "rate_limit" {
  description = "Requests one client IP may make per rate_limit_window_seconds before WAF blocks it until its rate drops."
  type        = number
  default     = 1000

  validation {
    condition     = var.rate_limit >= 10 && var.rate_limit <= 2000000000 && floor(var.rate_limit) == var.rate_limit
    error_message = "rate_limit must be a whole number between 10 and 2,000,000,000 (WAF's limits)."
  }
}

variable "rate_limit_window_seconds" {
  description = "Window over which rate_limit is counted: 60, 120, 300 or 600 seconds."
  type        = number
  default     = 300

  validation {
    condition     = contains([60, 120, 300, 600], var.rate_limit_window_seconds)
    error_message = "rate_limit_window_seconds must be 60, 120, 300 or 600."
  }
}

variable "header_rate_limits" {
  description = <<-EOT
    Rate limits per value of a request header on a path, keyed by a rule name of your choice: WAF counts the
    requests whose path starts with path_prefix and that carry the header, per distinct value, and blocks a value
    over limit per window_seconds until its rate drops. Keyed on the Authorization header, that is a limit per
    caller token (requests without the header are not counted here; the per-IP limit still applies). At most 4.
  EOT
  type = map(object({
    header         = string
    path_prefix    = string
    limit          = number
    window_seconds = optional(number, 300)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = length(var.header_rate_limits) <= 4 && alltrue([for k, _ in var.header_rate_limits : can(regex("^[a-z0-9][a-z0-9-]{0,40}$", k))])
    error_message = "header_rate_limits: at most 4 rules, named with 1-41 lowercase letters, digits or hyphens."
  }

  validation {
    condition = alltrue([for r in var.header_rate_limits : (
      can(regex("^[a-z0-9-]{1,64}$", r.header)) && startswith(r.path_prefix, "/") &&
      r.limit >= 10 && r.limit <= 2000000000 && floor(r.limit) == r.limit &&
      contains([60, 120, 300, 600], r.window_seconds)
    )])
    error_message = "header_rate_limits: header a lowercase header name, path_prefix starting with /, limit a whole number between 10 and 2,000,000,000, window_seconds 60, 120, 300 or 600 (WAF's limits)."
  }
}

variable "json_object_bodies" {
  description = "Paths (exact) whose POST requests must carry a JSON object: a body that does not start with `{` (after white space) is blocked. WAF reads the first 16 KB of a body at CloudFront (8 KB regionally); the check needs only its start. At most 4."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.json_object_bodies) <= 4 && alltrue([for p in var.json_object_bodies : can(regex("^/[A-Za-z0-9/._~-]*$", p))])
    error_message = "json_object_bodies: at most 4 paths, each starting with / (letters, digits and / . _ ~ -)."
  }
}

variable "managed_rule_groups" {
  description = <<-EOT
    AWS managed rule groups, evaluated in list order after the IP sets and the rate limit. Defaults: the core
    rule set, known bad inputs (Log4j and friends) and the Amazon IP reputation list. override_action "count"
    only counts matches (to try a group out before it blocks); excluded_rules count single rules of a group.
  EOT
  type = list(object({
    name            = string
    vendor_name     = optional(string, "AWS")
    override_action = optional(string, "none")
    excluded_rules  = optional(list(string), [])
  }))
  default = [
    { name = "AWSManagedRulesCommonRuleSet" },
    { name = "AWSManagedRulesKnownBadInputsRuleSet" },
    { name = "AWSManagedRulesAmazonIpReputationList" },
  ]
  nullable = false

  validation {
    condition     = alltrue([for g in var.managed_rule_groups : contains(["none", "count"], g.override_action)])
    error_message = "managed_rule_groups[*].override_action must be none (the group's actions apply) or count."
  }

  validation {
    condition     = length(distinct([for g in var.managed_rule_groups : g.name])) == length(var.managed_rule_groups)
    error_message = "managed_rule_groups must not name a group twice."
  }
}

variable "ip_allow_list" {
  description = "CIDRs (IPv4 or IPv6) that are let through before any other rule: trusted sources skip the rate limit and the managed rules."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.ip_allow_list : can(cidrhost(c, 0))])
    error_message = "ip_allow_list must hold CIDR blocks such as 203.0.113.0/24 or 2001:db8::/32."
  }
}

variable "ip_deny_list" {
  description = "CIDRs (IPv4 or IPv6) that are blocked before any other rule."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.ip_deny_list : can(cidrhost(c, 0))])
    error_message = "ip_deny_list must hold CIDR blocks such as 203.0.113.0/24 or 2001:db8::/32."
  }
}

variable "associations" {
  description = "Resources to protect, keyed by a name of your choice: ARN of an AppSync API (Event or GraphQL), API Gateway REST stage, ALB, ..."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for _, arn in var.associations : can(regex("^arn:aws[a-z-]*:", arn))])
    error_message = "associations values must be ARNs (arn:aws:...)."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the WAF log group (aws-waf-logs-<name>); a year by default, as security logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key that encrypts the WAF log group; null uses CloudWatch's own encryption."
  type        = string
  default     = null
}

variable "redacted_headers" {
  description = "Request headers WAF leaves out of its logs (credentials must never reach a log)."
  type        = list(string)
  default     = ["authorization", "x-api-key", "x-amz-security-token"]
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "alarms" {
  description = "A CloudWatch alarm on a spike of blocked requests (all rules), notifying `actions` (SNS topic ARNs): an attack, or a rule that blocks real clients."
  type = object({
    create            = optional(bool, false)
    actions           = optional(list(string), [])
    period_seconds    = optional(number, 300)
    blocked_threshold = optional(number, 100)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for a in var.alarms.actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", a))])
    error_message = "alarms.actions must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<topic>)."
  }

  validation {
    condition     = var.alarms.period_seconds >= 60 && var.alarms.period_seconds % 60 == 0 && var.alarms.blocked_threshold >= 1
    error_message = "alarms: period_seconds a multiple of 60, blocked_threshold at least 1."
  }
}
