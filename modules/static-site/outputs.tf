output "url" {
  description = "HTTPS URL of the app (https://<distribution>.cloudfront.net)."
  value       = try("https://${aws_cloudfront_distribution.this[0].domain_name}", null)
}

output "origin" {
  description = "The app's origin, for CORS allow lists of its APIs (same as url)."
  value       = try("https://${aws_cloudfront_distribution.this[0].domain_name}", null)
}

output "distribution_id" {
  description = "Id of the CloudFront distribution (for invalidations)."
  value       = try(aws_cloudfront_distribution.this[0].id, null)
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = try(aws_cloudfront_distribution.this[0].arn, null)
}

output "bucket_name" {
  description = "Name of the private bucket holding the files."
  value       = try(aws_s3_bucket.this[0].id, null)
}

output "content_security_policy" {
  description = "The Content-Security-Policy header the distribution sends."
  value       = local.create ? local.content_security_policy : null
}

output "files" {
  description = "Number of files uploaded from source_dir (config.json not counted)."
  value       = length(local.files)
}

output "log_bucket_name" {
  description = "Name of the log bucket the module made for the distribution's standard logs (null when it made none)."
  value       = try(aws_s3_bucket.logs[0].id, null)
}
