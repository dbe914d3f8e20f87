# --- Optional customer-managed KMS key for the platform's data at rest -----------------------
#
# var.kms: create one key here (rotated yearly, with the policy below), or name an existing
# one (its owner adds the statements of output kms_key_policy to its policy). Given either, it
# encrypts every table, queue, log group, the bus and the functions' environment variables;
# otherwise AWS managed (or owned) keys do. The bus's archive takes no key in provider 5.100
# (an AWS owned key encrypts it); the web app's bucket stays on SSE-S3.

locals {
  kms_enabled = var.kms.create || var.kms.key_arn != null

  # Consumers take the key from its policy resource, so nothing uses the key before the
  # services may.
  kms_key_arn = var.kms.create ? aws_kms_key_policy.this[0].key_id : var.kms.key_arn

  kms_account = local.kms_enabled ? provider::aws::arn_parse(var.kms.create ? aws_kms_key.this[0].arn : var.kms.key_arn).account_id : null

  # What a function needs to read and write encrypted tables and streams: the key, through
  # DynamoDB only.
  kms_table_statements = !local.kms_enabled ? {} : {
    UseTableKey = {
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [local.kms_key_arn]
      conditions = [{
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["dynamodb.${var.region}.amazonaws.com"]
      }]
    }
  }
}

resource "aws_kms_key" "this" {
  count = var.kms.create ? 1 : 0

  description             = "${local.prefix}: tables, queues, log groups, the event bus and the functions' environment."
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  count = var.kms.create ? 1 : 0

  name          = "alias/${local.prefix}"
  target_key_id = aws_kms_key.this[0].key_id
}

# The services that encrypt with the key on the platform's behalf, each for this account's
# resources only (KMS developer guide: key policies; each service's "encryption at rest" page).
data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only (KMS developer guide, key policies); the account's own root is the standard administrator.
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" means this key only; each service statement is bound to this account or its log groups by a condition.
  #checkov:skip=CKV_AWS_356:In a key policy "*" is the only Resource KMS accepts, and it names the key the policy is attached to.
  count = local.kms_enabled ? 1 : 0

  # The account administers the key and lets IAM policies grant its use: the functions' roles
  # (DynamoDB, SQS through their services) and the deploying principal (Lambda environment).
  statement {
    sid       = "AccountAdministersTheKey"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.kms_account}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogsEncryptsThePlatformsLogGroups"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:DescribeKey",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values = [
        "arn:aws:logs:${var.region}:${local.kms_account}:log-group:/aws/lambda/${local.prefix}-*",
        "arn:aws:logs:${var.region}:${local.kms_account}:log-group:/aws/apigateway/${local.prefix}-*",
        "arn:aws:logs:${var.region}:${local.kms_account}:log-group:/aws/appsync/apis/*",
        "arn:aws:logs:${var.region}:${local.kms_account}:log-group:aws-waf-logs-${local.prefix}-*",
      ]
    }
  }

  # EventBridge encrypts the bus's events and sends failed deliveries to encrypted DLQs.
  statement {
    sid       = "EventBridgeUsesTheKeyForThisAccount"
    actions   = ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.kms_account]
    }
  }
}

# (continued) CloudWatch alarms publish to the encrypted alarm topic (operations.tf).
data "aws_iam_policy_document" "kms_alarms" {
  count = local.kms_enabled ? 1 : 0

  source_policy_documents = [data.aws_iam_policy_document.kms[0].json]

  statement {
    sid       = "CloudWatchAlarmsPublishToTheEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.kms_account]
    }
  }
}

resource "aws_kms_key_policy" "this" {
  count = var.kms.create ? 1 : 0

  key_id = aws_kms_key.this[0].arn
  policy = data.aws_iam_policy_document.kms_alarms[0].json
}
