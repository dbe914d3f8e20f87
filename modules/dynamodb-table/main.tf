resource "aws_dynamodb_table" "this" {
  count = var.create ? 1 : 0

  name                        = var.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = var.hash_key
  range_key                   = var.range_key
  stream_enabled              = var.stream_view_type != null
  stream_view_type            = var.stream_view_type
  deletion_protection_enabled = var.deletion_protection
  tags                        = var.tags

  dynamic "attribute" {
    for_each = var.attributes
    content {
      name = attribute.value.name
      type = attribute.value.type
    }
  }

  dynamic "global_secondary_index" {
    for_each = var.global_secondary_indexes
    content {
      name            = global_secondary_index.key
      hash_key        = global_secondary_index.value.hash_key
      range_key       = global_secondary_index.value.range_key
      projection_type = "ALL"
    }
  }

  dynamic "ttl" {
    for_each = var.ttl_attribute == null ? [] : [var.ttl_attribute]
    content {
      attribute_name = ttl.value
      enabled        = true
    }
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  lifecycle {
    precondition {
      condition     = contains([for a in var.attributes : a.name], var.hash_key) && (var.range_key == null || contains([for a in var.attributes : a.name], coalesce(var.range_key, "-")))
      error_message = "hash_key and range_key must be listed in attributes."
    }
    precondition {
      condition = alltrue([
        for i in values(var.global_secondary_indexes) :
        contains([for a in var.attributes : a.name], i.hash_key) && (i.range_key == null || contains([for a in var.attributes : a.name], coalesce(i.range_key, "-")))
      ])
      error_message = "Each global secondary index's hash_key and range_key must be listed in attributes."
    }
  }
}
