# terraform test: the module planned with no AWS account (the provider skips every call).
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "offline-plan-placeholder"
  secret_key                  = "offline-plan-placeholder"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  name       = "test-answers"
  hash_key   = "pk"
  range_key  = "sk"
  attributes = [{ name = "pk", type = "S" }, { name = "sk", type = "S" }]
}

run "on_demand_encrypted_recoverable_and_streamless_by_default" {
  command = plan

  assert {
    condition = alltrue([
      aws_dynamodb_table.this[0].billing_mode == "PAY_PER_REQUEST",
      aws_dynamodb_table.this[0].stream_enabled == false,
      aws_dynamodb_table.this[0].server_side_encryption[0].enabled,
      aws_dynamodb_table.this[0].point_in_time_recovery[0].enabled,
    ])
    error_message = "the table is not on demand, encrypted and recoverable, or has a stream"
  }
}

run "a_stream_view_turns_the_stream_on" {
  command = plan

  variables {
    stream_view_type = "NEW_AND_OLD_IMAGES"
    ttl_attribute    = "expiresAt"
  }

  assert {
    condition     = aws_dynamodb_table.this[0].stream_enabled && aws_dynamodb_table.this[0].stream_view_type == "NEW_AND_OLD_IMAGES"
    error_message = "the stream is not on with both images"
  }
  assert {
    condition     = aws_dynamodb_table.this[0].ttl[0].attribute_name == "expiresAt"
    error_message = "the TTL attribute is not set"
  }
}

run "an_unknown_stream_view_is_refused" {
  command = plan

  variables {
    stream_view_type = "EVERYTHING"
  }
  expect_failures = [var.stream_view_type]
}

run "keys_must_be_declared_attributes" {
  command = plan

  variables {
    range_key = "createdAt"
  }
  expect_failures = [aws_dynamodb_table.this[0]]
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition     = length(aws_dynamodb_table.this) == 0
    error_message = "create = false still plans the table"
  }
}

run "a_global_secondary_index_projects_every_attribute" {
  command = plan

  variables {
    attributes               = [{ name = "pk", type = "S" }, { name = "sk", type = "S" }, { name = "shard", type = "S" }, { name = "expiresAt", type = "N" }]
    global_secondary_indexes = { by-expiry = { hash_key = "shard", range_key = "expiresAt" } }
  }

  assert {
    condition = [for i in aws_dynamodb_table.this[0].global_secondary_index : [i.name, i.hash_key, i.range_key, i.projection_type]] == [
      ["by-expiry", "shard", "expiresAt", "ALL"]
    ]
    error_message = "the index is not by shard and expiry with every attribute"
  }
}

run "an_index_key_must_be_a_declared_attribute" {
  command = plan

  variables {
    global_secondary_indexes = { by-expiry = { hash_key = "shard" } }
  }
  expect_failures = [aws_dynamodb_table.this[0]]
}
