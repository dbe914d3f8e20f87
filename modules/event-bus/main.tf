locals {
  create_bus = var.create && var.create_bus
  # The bus the rules go on: the one created here (so rules wait for it), or the existing one.
  bus_name = local.create_bus ? aws_cloudwatch_event_bus.this[0].name : var.name

  # One entry per rule target, keyed "rule/target".
  targets = var.create ? merge([
    for rule_name, rule in var.rules : {
      for target_id, target in rule.targets : "${rule_name}/${target_id}" => merge(target, {
        rule      = rule_name
        target_id = target_id
        dlq_name  = "${rule_name}-${target_id}-dlq" # at most 69 characters (see var.rules)
      })
    }
  ]...) : {}
}

resource "aws_cloudwatch_event_bus" "this" {
  count = local.create_bus ? 1 : 0

  name               = var.name
  description        = var.description
  kms_key_identifier = var.kms_key_identifier
  tags               = var.tags
}

resource "aws_cloudwatch_event_archive" "this" {
  count = local.create_bus && var.archive.enabled ? 1 : 0

  # Archive names take 48 characters: the bus's own name when it fits, else its first 39
  # characters and a hash of the whole, so that two long bus names never share an archive.
  name             = length(var.name) <= 40 ? "${var.name}-archive" : "${substr(var.name, 0, 39)}-${substr(sha1(var.name), 0, 8)}"
  description      = "All events of ${var.name}, kept for replay."
  event_source_arn = aws_cloudwatch_event_bus.this[0].arn
  retention_days   = var.archive.retention_days
  event_pattern    = var.archive.event_pattern
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = var.create ? var.rules : {}

  name           = each.key
  description    = each.value.description
  event_bus_name = local.bus_name
  event_pattern  = each.value.event_pattern
  state          = each.value.state
  tags           = var.tags
}

resource "aws_sqs_queue" "dlq" {
  for_each = local.targets

  name                      = each.value.dlq_name
  message_retention_seconds = var.dead_letter_queue.retention_days * 86400
  sqs_managed_sse_enabled   = var.dead_letter_queue.kms_master_key_id == null ? true : null
  kms_master_key_id         = var.dead_letter_queue.kms_master_key_id
  tags                      = var.tags

  # A renamed queue is replaced: the new one exists, and its target points at it, before
  # the old one goes, so no failed delivery meets a missing dead-letter queue.
  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "dlq" {
  for_each = local.targets

  statement {
    sid       = "EventBridgeDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq[each.key].arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.this[each.value.rule].arn]
    }
  }
}

resource "aws_sqs_queue_policy" "dlq" {
  for_each = local.targets

  queue_url = aws_sqs_queue.dlq[each.key].id
  policy    = data.aws_iam_policy_document.dlq[each.key].json
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = local.targets

  event_bus_name = local.bus_name
  rule           = aws_cloudwatch_event_rule.this[each.value.rule].name
  target_id      = each.value.target_id
  arn            = each.value.arn
  input_path     = each.value.input_path

  retry_policy {
    maximum_event_age_in_seconds = each.value.retry_policy.maximum_event_age_in_seconds
    maximum_retry_attempts       = each.value.retry_policy.maximum_retry_attempts
  }

  dead_letter_config {
    arn = aws_sqs_queue.dlq[each.key].arn
  }

  depends_on = [aws_sqs_queue_policy.dlq]
}

resource "aws_lambda_permission" "this" {
  for_each = { for k, t in local.targets : k => t if t.type == "lambda" }

  statement_id  = substr("EventBridge-${each.value.rule}-${each.value.target_id}", 0, 100)
  action        = "lambda:InvokeFunction"
  function_name = each.value.arn
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.value.rule].arn
}
