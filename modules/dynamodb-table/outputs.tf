output "name" {
  description = "Name of the table."
  value       = try(aws_dynamodb_table.this[0].name, null)
}

output "arn" {
  description = "ARN of the table."
  value       = try(aws_dynamodb_table.this[0].arn, null)
}

output "stream_arn" {
  description = "ARN of the table's stream (null without a stream)."
  value       = try(aws_dynamodb_table.this[0].stream_arn, null)
}
