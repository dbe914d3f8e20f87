# Service roles AppSync assumes: one per Lambda data source (invoke that function, nothing
# else) and one for logging (write to this API's log group, nothing else). The trust policies
# only let AppSync in on behalf of an API of this account and region.

data "aws_iam_policy_document" "assume" {
  count = local.create ? 1 : 0

  statement {
    sid     = "AppSyncOfThisAccountAssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["appsync.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:appsync:${local.region}:${local.account_id}:apis/*"]
    }
  }
}

resource "aws_iam_role" "data_source" {
  for_each = local.create ? var.lambda_data_sources : {}

  name               = substr("${var.name}-ds-${replace(lower(each.key), "_", "-")}", 0, 64)
  description        = "Lets the ${var.name} Event API invoke ${each.value.function_arn}, and nothing else."
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
  tags               = var.tags
}

data "aws_iam_policy_document" "data_source" {
  for_each = local.create ? var.lambda_data_sources : {}

  statement {
    sid       = "InvokeTheHandler"
    actions   = ["lambda:InvokeFunction"]
    resources = [each.value.function_arn]
  }
}

resource "aws_iam_role_policy" "data_source" {
  for_each = local.create ? var.lambda_data_sources : {}

  name   = "invoke-handler"
  role   = aws_iam_role.data_source[each.key].id
  policy = data.aws_iam_policy_document.data_source[each.key].json
}

resource "aws_iam_role" "logging" {
  count = local.create && local.logging ? 1 : 0

  name               = "${var.name}-logs"
  description        = "Lets the ${var.name} Event API write its logs to its own log group."
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
  tags               = var.tags
}

data "aws_iam_policy_document" "logging" {
  count = local.create && local.logging ? 1 : 0

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[0].arn}:log-stream:*"]
  }
}

resource "aws_iam_role_policy" "logging" {
  count = local.create && local.logging ? 1 : 0

  name   = "write-logs"
  role   = aws_iam_role.logging[0].id
  policy = data.aws_iam_policy_document.logging[0].json
}
