variable "create" {
  description = "Whether to create the site (bucket, distribution, files)."
  type        = bool
  default     = true
  nullable    = false
}

variable "name" {
  description = "Name of the site: the bucket's prefix (S3 adds a unique suffix) and the name of its CloudFront policies."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,34}[a-z0-9]$", var.name))
    error_message = "name must be 3-36 lowercase letters, digits or hyphens, starting and ending with a letter or digit (it becomes part of an S3 bucket name)."
  }
}

variable "source_dir" {
  description = "Directory of the built app (`make web` writes dist/web). Every file in it is uploaded with its content type and hash; Terraform never builds it."
  type        = string

  validation {
    condition     = !var.create || fileexists("${var.source_dir}/index.html")
    error_message = "source_dir has no index.html: build the app first (`make web` writes dist/web/)."
  }
}

variable "config" {
  description = "Runtime configuration of the app, served as /config.json beside it (never cached), so one build serves every environment. Never put a secret here: anyone can read it."
  type        = any
  default     = {}
  nullable    = false
}

variable "connect_sources" {
  description = "Origins the app may connect to (the CSP's connect-src besides 'self'): its APIs' https:// and wss:// origins, exactly."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for s in var.connect_sources : can(regex("^(https|wss)://[^/*\\s;,']+$", s))])
    error_message = "connect_sources must be https:// or wss:// origins (scheme and host, no path, no wildcard)."
  }
}

variable "price_class" {
  description = "CloudFront price class (PriceClass_100, PriceClass_200, PriceClass_All)."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "web_acl_arn" {
  description = "Optional WAF web ACL (scope CLOUDFRONT, us-east-1) in front of the distribution."
  type        = string
  default     = null
}

variable "access_logs" {
  description = "CloudFront standard logs. null: none. bucket null (`{}`): the module makes a private log bucket (ACLs enabled, as CloudFront's standard logs require; logs expire after retention_in_days). bucket set: an existing bucket's domain name (bucket.s3.amazonaws.com, ACLs enabled)."
  type = object({
    bucket            = optional(string)
    prefix            = optional(string, "cloudfront/")
    retention_in_days = optional(number, 365)
  })
  default = null

  validation {
    condition     = var.access_logs == null ? true : (var.access_logs.bucket == null ? true : endswith(var.access_logs.bucket, ".amazonaws.com"))
    error_message = "access_logs.bucket must be a bucket domain name such as my-logs.s3.amazonaws.com (or null: the module makes the bucket)."
  }

  validation {
    condition     = var.access_logs == null ? true : (var.access_logs.retention_in_days >= 1 && floor(var.access_logs.retention_in_days) == var.access_logs.retention_in_days)
    error_message = "access_logs.retention_in_days must be a whole number of days, 1 or more."
  }
}

variable "api_origin" {
  description = "Optional API on the site's own origin: requests whose path matches one of path_patterns go to domain_name (an HTTPS API, such as an API Gateway HTTP API's host) uncached, with every viewer header but Host (the Authorization header included, which CloudFront forwards when caching is off). The web ACL then sees the API's requests too."
  type = object({
    domain_name   = string
    path_patterns = list(string)
  })
  default = null

  validation {
    condition     = var.api_origin == null ? true : can(regex("^[A-Za-z0-9_.-]+$", var.api_origin.domain_name))
    error_message = "api_origin.domain_name must be a host name (no scheme, no path), such as abc123.execute-api.eu-west-1.amazonaws.com."
  }

  validation {
    condition     = var.api_origin == null ? true : (length(var.api_origin.path_patterns) >= 1 && alltrue([for p in var.api_origin.path_patterns : can(regex("^/[A-Za-z0-9/._*-]+$", p)) && p != "/config.json"]))
    error_message = "api_origin.path_patterns must be one or more CloudFront path patterns starting with / (such as /uploads or /api/*), not /config.json."
  }
}

variable "kms_key_arn" {
  description = "Optional customer managed KMS key for the bucket (SSE-KMS; its key policy must let CloudFront's service principal decrypt). null: SSE-S3 (AES-256)."
  type        = string
  default     = null
}

variable "noncurrent_version_days" {
  description = "Days a replaced or deleted file's old version is kept (a way back after a bad deploy)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.noncurrent_version_days >= 1
    error_message = "noncurrent_version_days must be 1 or more."
  }
}

variable "tags" {
  description = "Tags for every resource of the module that takes them."
  type        = map(string)
  default     = {}
  nullable    = false
}
