variable "create" {
  description = "Whether to create the function and everything that belongs to it."
  type        = bool
  default     = true
}

variable "function_name" {
  description = "Name of the Lambda function (also names its role, log group and failure queue)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 letters, digits, hyphens or underscores."
  }
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = ""
}

variable "handler" {
  description = "Entry point, e.g. handlers.capture_order.handler.lambda_handler."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_.]*\\.[A-Za-z_][A-Za-z0-9_]*$", var.handler))
    error_message = "handler must be a dotted Python path ending in the function name, e.g. pkg.module.lambda_handler."
  }
}

variable "filename" {
  description = "Path of the deployment zip built by `make package`. Terraform never builds code."
  type        = string

  validation {
    condition     = endswith(var.filename, ".zip")
    error_message = "filename must point at a .zip file (run `make package` to build it)."
  }
}

variable "source_code_hash" {
  description = "Base64 SHA-256 of the zip; defaults to filebase64sha256(filename), so a new build deploys and an identical one does not."
  type        = string
  default     = null
}

variable "runtime" {
  description = "Lambda runtime."
  type        = string
  default     = "python3.13"

  validation {
    condition     = can(regex("^python3\\.(1[1-9])$", var.runtime))
    error_message = "runtime must be python3.11 or newer (the handlers need >= 3.11)."
  }
}

variable "architecture" {
  description = "Instruction set: arm64 (the zip from `make package` is built for it) or x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory in MB (128-10240); CPU scales with it."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  description = "Timeout in seconds (1-900)."
  type        = number
  default     = 10

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}

variable "environment_variables" {
  description = "Environment of the function. Never put secrets here: pass where they are (an SSM parameter name, a secret ARN)."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "environment_kms_key_arn" {
  description = "KMS key that encrypts the environment; null uses the AWS managed key."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "One customer-managed KMS key for the function's data at rest: its log group, environment variables and failure queues (the role may use it through SQS only). environment_kms_key_arn, log_kms_key_arn and queue_kms_key_arn override it one by one. null: AWS managed keys."
  type        = string
  default     = null
}

variable "queue_kms_key_arn" {
  description = "Customer-managed KMS key that encrypts the function's failure queues (asynchronous and stream); the role may use it through SQS only. null: kms_key_arn, or SQS-managed encryption."
  type        = string
  default     = null
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency; null leaves the function unreserved, 0 stops it."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 0, false)
    error_message = "reserved_concurrent_executions must be null or a number >= 0."
  }
}

variable "code_signing_config_arn" {
  description = "ARN of a Lambda code-signing config (aws_lambda_code_signing_config): Lambda checks every deployment's signature against its allowed signer profiles and acts on its policy (Warn logs an unsigned or foreign artifact, Enforce refuses it). null: no check."
  type        = string
  default     = null

  validation {
    condition     = var.code_signing_config_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:code-signing-config:csc-[a-z0-9]+$", var.code_signing_config_arn))
    error_message = "code_signing_config_arn must be a Lambda code-signing config ARN (arn:aws:lambda:<region>:<account>:code-signing-config:csc-...)."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing: Active samples and records every invocation, PassThrough only follows upstream decisions."
  type        = string
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "application_log_level" {
  description = "Lowest level of the function's own JSON log lines that reaches CloudWatch."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.application_log_level)
    error_message = "application_log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
}

variable "system_log_level" {
  description = "Lowest level of the Lambda platform's own log lines (START, END, REPORT) that reaches CloudWatch."
  type        = string
  default     = "WARN"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN"], var.system_log_level)
    error_message = "system_log_level must be one of DEBUG, INFO, WARN."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key that encrypts the log group; null uses CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "policy_statements" {
  description = "The only permissions the function's role gets beyond writing its logs, traces and failed events, keyed by a statement id. Every statement names its actions and resources; wildcard actions are refused."
  type = map(object({
    effect    = optional(string, "Allow")
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for s in values(var.policy_statements) : length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Every policy statement must name at least one action and one resource."
  }

  validation {
    condition     = alltrue(flatten([for s in values(var.policy_statements) : [for a in s.actions : !strcontains(a, "*")]]))
    error_message = "Policy statements must name their actions: wildcards such as \"dynamodb:*\" are not allowed."
  }

  # Resources "*" only for actions AWS defines without resource types (Service Authorization
  # Reference): there, "*" is the only resource IAM takes. Anything else names its resources.
  validation {
    condition = alltrue([
      for s in values(var.policy_statements) : !contains(s.resources, "*") || alltrue([
        for a in s.actions : contains([
          "cloudwatch:PutMetricData",
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
          "ec2:DescribeNetworkInterfaces",
          "sts:GetCallerIdentity",
        ], a)
      ])
    ])
    error_message = "resources = [\"*\"] is only for actions AWS defines without resources (cloudwatch:PutMetricData, xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules, xray:GetSamplingTargets, ec2:DescribeNetworkInterfaces, sts:GetCallerIdentity): name the ARNs the other actions need."
  }

  validation {
    condition     = alltrue([for s in values(var.policy_statements) : contains(["Allow", "Deny"], s.effect)])
    error_message = "A policy statement's effect must be Allow or Deny."
  }

  validation {
    condition     = alltrue([for k in keys(var.policy_statements) : can(regex("^[A-Za-z0-9]+$", k))])
    error_message = "policy_statements keys become statement ids: letters and digits only."
  }
}

variable "async_invocation" {
  description = "Asynchronous invocations (EventBridge, S3, SNS): how often Lambda retries a failed event, how old an event may get, and whether failed events go to an encrypted SQS queue the module creates (so nothing is lost after the retries)."
  type = object({
    maximum_retry_attempts       = optional(number, 2)
    maximum_event_age_in_seconds = optional(number, 3600)
    failure_queue                = optional(bool, true)
    failure_queue_retention_days = optional(number, 14)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.async_invocation.maximum_retry_attempts >= 0 && var.async_invocation.maximum_retry_attempts <= 2
    error_message = "async_invocation.maximum_retry_attempts must be 0, 1 or 2."
  }

  validation {
    condition     = var.async_invocation.maximum_event_age_in_seconds >= 60 && var.async_invocation.maximum_event_age_in_seconds <= 21600
    error_message = "async_invocation.maximum_event_age_in_seconds must be between 60 and 21600."
  }

  validation {
    condition     = var.async_invocation.failure_queue_retention_days >= 1 && var.async_invocation.failure_queue_retention_days <= 14
    error_message = "async_invocation.failure_queue_retention_days must be between 1 and 14 (the SQS limit)."
  }
}

variable "event_source_mappings" {
  description = <<-EOT
    DynamoDB streams the function reads, keyed by a short name. Every mapping reports batch
    item failures (the handler returns `batchItemFailures`), bisects a failing batch, bounds
    retries and record age, and sends the records that still fail to an encrypted SQS queue
    the module creates (`<function_name>-<key>-stream-failures`). The role may read only
    these streams and send only to those queues.
  EOT
  type = map(object({
    event_source_arn                   = string
    starting_position                  = optional(string, "LATEST")
    batch_size                         = optional(number, 100)
    maximum_batching_window_in_seconds = optional(number, 1)
    parallelization_factor             = optional(number, 1)
    maximum_retry_attempts             = optional(number, 3)
    maximum_record_age_in_seconds      = optional(number, 3600)
    bisect_batch_on_function_error     = optional(bool, true)
    failure_queue_retention_days       = optional(number, 14)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k in keys(var.event_source_mappings) : can(regex("^[a-z][a-z0-9-]{0,19}$", k))])
    error_message = "event_source_mappings keys name the failure queue: 1-20 lowercase letters, digits or dashes, starting with a letter."
  }

  validation {
    condition     = alltrue([for m in values(var.event_source_mappings) : can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[^/]+/stream/.+$", m.event_source_arn))])
    error_message = "event_source_mappings: event_source_arn must be a DynamoDB stream ARN (arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>)."
  }

  validation {
    condition     = alltrue([for m in values(var.event_source_mappings) : contains(["LATEST", "TRIM_HORIZON"], m.starting_position)])
    error_message = "event_source_mappings: starting_position must be LATEST or TRIM_HORIZON."
  }

  validation {
    condition = alltrue([for m in values(var.event_source_mappings) :
      m.batch_size >= 1 && m.batch_size <= 10000 &&
      m.maximum_batching_window_in_seconds >= 0 && m.maximum_batching_window_in_seconds <= 300 &&
      m.parallelization_factor >= 1 && m.parallelization_factor <= 10
    ])
    error_message = "event_source_mappings: batch_size must be 1-10000, maximum_batching_window_in_seconds 0-300 and parallelization_factor 1-10."
  }

  validation {
    condition = alltrue([for m in values(var.event_source_mappings) :
      m.maximum_retry_attempts >= 0 && m.maximum_retry_attempts <= 10000 &&
      m.maximum_record_age_in_seconds >= 60 && m.maximum_record_age_in_seconds <= 86400
    ])
    error_message = "event_source_mappings: retries and record age must be bounded: maximum_retry_attempts 0-10000, maximum_record_age_in_seconds 60-86400 (a DynamoDB stream keeps records 24 hours; -1, unbounded, is not allowed)."
  }

  validation {
    condition     = alltrue([for m in values(var.event_source_mappings) : m.failure_queue_retention_days >= 1 && m.failure_queue_retention_days <= 14])
    error_message = "event_source_mappings: failure_queue_retention_days must be between 1 and 14 (the SQS limit)."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "alarms" {
  description = "CloudWatch alarms on the function and the queues it owns, notifying `actions` (SNS topic ARNs): errors and throttles in a period, the stream mappings' iterator age, and each failure queue's depth (any message) and oldest message. Thresholds are what a careful operator starts from: one failed invocation is worth a look, since every one of them ends in a queue."
  type = object({
    create               = optional(bool, false)
    actions              = optional(list(string), [])
    period_seconds       = optional(number, 300)
    errors_threshold     = optional(number, 1)
    throttles_threshold  = optional(number, 1)
    iterator_age_seconds = optional(number, 300)
    queue_age_seconds    = optional(number, 3600)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for a in var.alarms.actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", a))])
    error_message = "alarms.actions must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<topic>)."
  }

  validation {
    condition     = var.alarms.period_seconds >= 60 && var.alarms.period_seconds % 60 == 0
    error_message = "alarms.period_seconds must be a multiple of 60 (CloudWatch's standard resolution)."
  }

  validation {
    condition     = var.alarms.errors_threshold >= 1 && var.alarms.throttles_threshold >= 1 && var.alarms.iterator_age_seconds >= 1 && var.alarms.queue_age_seconds >= 60
    error_message = "alarms: errors_threshold and throttles_threshold must be >= 1, iterator_age_seconds >= 1 and queue_age_seconds >= 60."
  }
}
