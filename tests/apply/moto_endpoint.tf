# Copied into a copy of terraform/ by tests/apply, beside moto_override.tf.
variable "moto_endpoint" {
  description = "URL of the moto server the test started (TF_VAR_moto_endpoint)."
  type        = string
}
