output "user_pool_id" {
  description = "Id of the user pool."
  value       = try(aws_cognito_user_pool.this[0].id, null)
}

output "user_pool_arn" {
  description = "ARN of the user pool."
  value       = try(aws_cognito_user_pool.this[0].arn, null)
}

output "issuer" {
  description = "Issuer URL of the pool's tokens (for JWT authorizers): https://cognito-idp.<region>.amazonaws.com/<pool id>."
  value       = try("https://${aws_cognito_user_pool.this[0].endpoint}", null)
}

output "client_id" {
  description = "Id of the web app's client (the audience of its tokens)."
  value       = try(aws_cognito_user_pool_client.this[0].id, null)
}
