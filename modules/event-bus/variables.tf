variable "create" {
  description = "Whether to create anything: false plans nothing (the bus, its archive, rules, targets and dead-letter queues)."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_bus" {
  description = "Whether to create the bus (and its archive). false attaches the rules, their targets and dead-letter queues to an existing custom bus called `name`: how each flow of a platform owns its rules on one shared bus."
  type        = bool
  default     = true
  nullable    = false
}

variable "name" {
  description = "Name of the custom event bus: the one to create, or (create_bus = false) the existing one the rules attach to."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,200}$", var.name)) && var.name != "default"
    error_message = "name must be 1-200 letters, digits, dots, hyphens or underscores, and not \"default\" (this module makes a custom bus)."
  }
}

variable "description" {
  description = "Description of the bus."
  type        = string
  default     = ""
}

variable "kms_key_identifier" {
  description = "KMS key that encrypts events on the bus; null uses an AWS owned key."
  type        = string
  default     = null
}

variable "archive" {
  description = "Archive of the bus's events, for replay. retention_days = 0 keeps events forever."
  type = object({
    enabled        = optional(bool, true)
    retention_days = optional(number, 7)
    event_pattern  = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.archive.retention_days >= 0 && floor(var.archive.retention_days) == var.archive.retention_days
    error_message = "archive.retention_days must be a whole number of days, 0 (forever) or more."
  }
}

variable "rules" {
  description = "Rules keyed by name (account-unique names: prefix them). Each has an event pattern (JSON) and targets keyed by id; every target gets a retry policy and its own encrypted SQS dead-letter queue, `<rule>-<target>-dlq`. Lambda targets also get a permission scoped to their rule."
  type = map(object({
    description   = optional(string, "")
    event_pattern = string
    state         = optional(string, "ENABLED")
    targets = map(object({
      arn        = string
      type       = optional(string, "lambda")
      input_path = optional(string)
      retry_policy = optional(object({
        maximum_event_age_in_seconds = optional(number, 3600)
        maximum_retry_attempts       = optional(number, 8)
      }), {})
    }))
  }))
  default  = {}
  nullable = false

  # 40 + "-" + 24 (target id) + "-dlq" = 69: every dead-letter queue name fits SQS's 80
  # characters whole, never cut.
  validation {
    condition     = alltrue([for k in keys(var.rules) : can(regex("^[A-Za-z0-9._-]{1,40}$", k))])
    error_message = "Rule names must be 1-40 letters, digits, dots, hyphens or underscores."
  }

  validation {
    condition     = alltrue([for r in values(var.rules) : can(jsondecode(r.event_pattern)) && can(keys(jsondecode(r.event_pattern)))])
    error_message = "Every rule's event_pattern must be a JSON object (use jsonencode({...}))."
  }

  validation {
    condition     = alltrue([for r in values(var.rules) : contains(["ENABLED", "DISABLED"], r.state)])
    error_message = "A rule's state must be ENABLED or DISABLED."
  }

  validation {
    condition     = alltrue([for r in values(var.rules) : length(r.targets) >= 1 && length(r.targets) <= 5])
    error_message = "Every rule needs 1 to 5 targets (EventBridge's limit per rule)."
  }

  validation {
    condition     = alltrue(flatten([for r in values(var.rules) : [for k in keys(r.targets) : can(regex("^[A-Za-z0-9_-]{1,24}$", k))]]))
    error_message = "Target ids must be 1-24 letters, digits, hyphens or underscores."
  }

  validation {
    condition     = alltrue(flatten([for r in values(var.rules) : [for t in values(r.targets) : contains(["lambda", "sqs", "other"], t.type)]]))
    error_message = "A target's type must be lambda, sqs or other."
  }

  validation {
    condition = alltrue(flatten([for r in values(var.rules) : [for t in values(r.targets) :
      t.retry_policy.maximum_retry_attempts >= 0 && t.retry_policy.maximum_retry_attempts <= 185 &&
      t.retry_policy.maximum_event_age_in_seconds >= 60 && t.retry_policy.maximum_event_age_in_seconds <= 86400
    ]]))
    error_message = "retry_policy: maximum_retry_attempts must be 0-185 and maximum_event_age_in_seconds 60-86400."
  }
}

variable "dead_letter_queue" {
  description = "Settings of the targets' dead-letter queues: retention, and a KMS key (null uses SQS-managed encryption)."
  type = object({
    retention_days    = optional(number, 14)
    kms_master_key_id = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.dead_letter_queue.retention_days >= 1 && var.dead_letter_queue.retention_days <= 14
    error_message = "dead_letter_queue.retention_days must be between 1 and 14 (the SQS limit)."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "alarms" {
  description = "CloudWatch alarms on each target's dead-letter queue, notifying `actions` (SNS topic ARNs): any message in it (an event EventBridge could not hand over), and its oldest message's age."
  type = object({
    create            = optional(bool, false)
    actions           = optional(list(string), [])
    period_seconds    = optional(number, 300)
    queue_age_seconds = optional(number, 3600)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for a in var.alarms.actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", a))])
    error_message = "alarms.actions must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<topic>)."
  }

  validation {
    condition     = var.alarms.period_seconds >= 60 && var.alarms.period_seconds % 60 == 0 && var.alarms.queue_age_seconds >= 60
    error_message = "alarms.period_seconds must be a multiple of 60, and alarms.queue_age_seconds at least 60."
  }
}
