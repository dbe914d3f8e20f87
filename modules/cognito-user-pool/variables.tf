variable "create" {
  description = "Whether to create the user pool and its app client."
  type        = bool
  default     = true
  nullable    = false
}

variable "name" {
  description = "Name of the user pool."
  type        = string

  validation {
    condition     = can(regex("^[\\w\\s+=,.@-]{1,128}$", var.name))
    error_message = "name must be 1-128 letters, digits, spaces or + = , . @ - _ (Cognito's rule for pool names)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the pool while this is on (turn on wherever the users are real)."
  type        = bool
  default     = true
  nullable    = false
}

variable "mfa" {
  description = "Multi-factor authentication: OFF, OPTIONAL (users may add a TOTP app) or ON (every user must)."
  type        = string
  default     = "OPTIONAL"
  nullable    = false

  validation {
    condition     = contains(["OFF", "OPTIONAL", "ON"], var.mfa)
    error_message = "mfa must be OFF, OPTIONAL or ON."
  }
}

variable "self_sign_up" {
  description = "Let people sign themselves up (false: only administrators create users)."
  type        = bool
  default     = true
  nullable    = false
}

variable "password_policy" {
  description = "Password rules; by default at least 12 characters with lower case, upper case and digits."
  type = object({
    minimum_length                   = optional(number, 12)
    require_lowercase                = optional(bool, true)
    require_uppercase                = optional(bool, true)
    require_numbers                  = optional(bool, true)
    require_symbols                  = optional(bool, false)
    temporary_password_validity_days = optional(number, 3)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.password_policy.minimum_length >= 8 && var.password_policy.minimum_length <= 99
    error_message = "password_policy.minimum_length must be between 8 and 99 (Cognito's range; under 8 is too weak)."
  }

  validation {
    condition     = var.password_policy.temporary_password_validity_days >= 1 && var.password_policy.temporary_password_validity_days <= 365
    error_message = "password_policy.temporary_password_validity_days must be between 1 and 365."
  }
}

variable "advanced_security_mode" {
  description = "Cognito threat protection: OFF, AUDIT or ENFORCED (billed per monthly active user)."
  type        = string
  default     = "OFF"
  nullable    = false

  validation {
    condition     = contains(["OFF", "AUDIT", "ENFORCED"], var.advanced_security_mode)
    error_message = "advanced_security_mode must be OFF, AUDIT or ENFORCED."
  }
}

variable "client" {
  description = "The app client for the web app: its name and token lifetimes (access and id tokens in minutes, refresh tokens in days)."
  type = object({
    name                 = optional(string, "web")
    access_token_minutes = optional(number, 60)
    id_token_minutes     = optional(number, 60)
    refresh_token_days   = optional(number, 30)
  })
  default  = {}
  nullable = false

  validation {
    condition = (
      var.client.access_token_minutes >= 5 && var.client.access_token_minutes <= 1440 &&
      var.client.id_token_minutes >= 5 && var.client.id_token_minutes <= 1440 &&
      var.client.refresh_token_days >= 1 && var.client.refresh_token_days <= 3650
    )
    error_message = "client: access and id tokens must live 5-1440 minutes, refresh tokens 1-3650 days (Cognito's ranges)."
  }
}

variable "tags" {
  description = "Tags for the user pool."
  type        = map(string)
  default     = {}
  nullable    = false
}
