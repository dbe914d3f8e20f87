data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_iam_policy_document" "assume" {
  count = local.create ? 1 : 0

  statement {
    sid     = "LambdaAssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.${data.aws_partition.current.dns_suffix}"]
    }
  }
}

resource "aws_iam_role" "this" {
  count = local.create ? 1 : 0

  name               = "${var.function_name}-lambda"
  description        = "Execution role of the ${var.function_name} Lambda function."
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
  tags               = var.tags
}

# What running the function needs, written out instead of a managed policy ("runtime"): its
# own log group, X-Ray segments when tracing is active, its own queue of failed asynchronous
# events (and their key), and the streams it is mapped to with their failure queues.
data "aws_iam_policy_document" "runtime" {
  count = local.create ? 1 : 0

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[0].arn}:*"]
  }

  dynamic "statement" {
    for_each = var.tracing_mode == "Active" ? [1] : []
    content {
      sid = "WriteTraces"
      # X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level
      # permissions: "*" is the only resource AWS accepts for them.
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.failure_queue ? [aws_sqs_queue.async_failures[0].arn] : []
    content {
      sid       = "SendFailedEvents"
      actions   = ["sqs:SendMessage"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = length(var.event_source_mappings) > 0 ? [1] : []
    content {
      sid = "ReadMappedStreams"
      # The four actions Lambda's poller needs, on the mapped tables' streams only (the form
      # the DynamoDB guide gives: table/<name>/stream/*).
      actions = [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
      ]
      resources = [for m in values(var.event_source_mappings) : "${split("/stream/", m.event_source_arn)[0]}/stream/*"]
    }
  }

  # Sending to its own failure queues when a customer-managed key encrypts them: that key,
  # through SQS only.
  dynamic "statement" {
    for_each = local.queue_kms_key_arn != null && (local.failure_queue || length(var.event_source_mappings) > 0) ? [local.queue_kms_key_arn] : []
    content {
      sid       = "EncryptFailedEvents"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sqs.${data.aws_region.current.name}.${data.aws_partition.current.dns_suffix}"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.event_source_mappings) > 0 ? [1] : []
    content {
      sid       = "SendFailedStreamRecords"
      actions   = ["sqs:SendMessage"]
      resources = [for q in values(aws_sqs_queue.stream_failures) : q.arn]
    }
  }
}

resource "aws_iam_role_policy" "runtime" {
  count = local.create ? 1 : 0

  name   = "runtime"
  role   = aws_iam_role.this[0].id
  policy = data.aws_iam_policy_document.runtime[0].json
}

data "aws_iam_policy_document" "this" {
  count = local.create && length(var.policy_statements) > 0 ? 1 : 0

  dynamic "statement" {
    for_each = var.policy_statements
    content {
      sid       = statement.key
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  count = local.create && length(var.policy_statements) > 0 ? 1 : 0

  name   = "function"
  role   = aws_iam_role.this[0].id
  policy = data.aws_iam_policy_document.this[0].json
}

# Was "logs", though it always held more than logs.
moved {
  from = aws_iam_role_policy.logs
  to   = aws_iam_role_policy.runtime
}
