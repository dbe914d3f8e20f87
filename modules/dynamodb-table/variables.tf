variable "create" {
  description = "Whether to create the table."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the table."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.name))
    error_message = "name must be 3-255 letters, digits, underscores, hyphens or dots."
  }
}

variable "hash_key" {
  description = "Partition key attribute name (must be listed in attributes)."
  type        = string
}

variable "range_key" {
  description = "Sort key attribute name (must be listed in attributes), or null."
  type        = string
  default     = null
}

variable "attributes" {
  description = "Key attributes and their types (S, N or B)."
  type = list(object({
    name = string
    type = string
  }))

  validation {
    condition     = alltrue([for a in var.attributes : contains(["S", "N", "B"], a.type)])
    error_message = "Attribute types must be S, N or B."
  }
}

variable "global_secondary_indexes" {
  description = "Global secondary indexes, keyed by index name: a hash key and an optional range key (each listed in attributes), all attributes projected. On-demand like the table."
  type = map(object({
    hash_key  = string
    range_key = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for name, _ in var.global_secondary_indexes : can(regex("^[A-Za-z0-9_.-]{3,255}$", name))])
    error_message = "global_secondary_indexes: index names are 3-255 letters, digits, '_', '-' or '.'."
  }
}

variable "ttl_attribute" {
  description = "Attribute holding an epoch-seconds expiry, or null for no TTL."
  type        = string
  default     = null
}

variable "stream_view_type" {
  description = "Stream of item changes: NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY; null disables the stream."
  type        = string
  default     = null

  validation {
    condition     = var.stream_view_type == null || contains(["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"], coalesce(var.stream_view_type, "x"))
    error_message = "stream_view_type must be NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY or null."
  }
}

variable "point_in_time_recovery" {
  description = "Continuous backups for the last 35 days."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for encryption at rest; null uses the AWS managed key (aws/dynamodb)."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Refuse to delete the table (turn on for production data)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the table."
  type        = map(string)
  default     = {}
  nullable    = false
}
