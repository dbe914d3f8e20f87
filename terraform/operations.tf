# --- Operations: the poison queue (and, in later files, alarms and dashboards) -------------
#
# Input that can never succeed (an event that breaks its contract, an answer to an unknown
# questionnaire, a value DynamoDB or EventBridge refuses) goes straight here from the
# consumer that met it, with its reason (src/handlers/common/poison.py): no retries are burnt
# on it, and the failure queues keep only what a fix and a redrive can bring back.

resource "aws_sqs_queue" "poison" {
  name                      = "${local.prefix}-poison"
  message_retention_seconds = 14 * 86400
  sqs_managed_sse_enabled   = local.kms_key_arn == null ? true : null
  kms_master_key_id         = local.kms_key_arn
}

locals {
  # What each consumer adds: where the poison queue is, and leave to send to it only.
  poison_env = { POISON_QUEUE_URL = aws_sqs_queue.poison.url }
  poison_statements = merge(
    {
      SendToPoisonQueue = {
        actions   = ["sqs:SendMessage"]
        resources = [aws_sqs_queue.poison.arn]
      }
    },
    !local.kms_enabled ? {} : {
      UsePoisonQueueKey = {
        actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
        resources = [local.kms_key_arn]
        conditions = [{
          test     = "StringEquals"
          variable = "kms:ViaService"
          values   = ["sqs.${var.region}.amazonaws.com"]
        }]
      }
    },
  )
}

# --- Alarms that reach a person --------------------------------------------------------------

locals {
  alarms = var.alarms.enabled
  # CloudWatch alarms cannot publish to a topic under the AWS managed key (aws/sns): the
  # platform's key (its policy admits CloudWatch, kms.tf) or a key of the topic's own.
  # By its alias when the key is the topic's own: a name known at plan time.
  alarm_topic_key = local.kms_enabled ? local.kms_key_arn : one(aws_kms_alias.alarms[*].name)
  alarm_actions   = local.alarms ? [aws_sns_topic.alarms[0].arn] : []
  # Passed to each module that owns resources worth an alarm.
  module_alarms = {
    create            = local.alarms
    actions           = local.alarm_actions
    period_seconds    = var.alarms.period_seconds
    queue_age_seconds = var.alarms.queue_age_seconds
  }
}

resource "aws_kms_key" "alarms" {
  count = local.alarms && !local.kms_enabled ? 1 : 0

  description             = "${local.prefix}: the alarm topic (CloudWatch publishes to it)."
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.alarm_key[0].json
  tags                    = var.tags
}

resource "aws_kms_alias" "alarms" {
  count = local.alarms && !local.kms_enabled ? 1 : 0

  name          = "alias/${local.prefix}-alarms"
  target_key_id = aws_kms_key.alarms[0].key_id
}

data "aws_iam_policy_document" "alarm_key" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only; the account's root is the standard administrator.
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" means this key only; CloudWatch is bound to this account by a condition.
  #checkov:skip=CKV_AWS_356:In a key policy "*" is the only Resource KMS accepts, and it names the key the policy is attached to.
  count = local.alarms && !local.kms_enabled ? 1 : 0

  statement {
    sid       = "AccountAdministersTheKey"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

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
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic" "alarms" {
  count = local.alarms ? 1 : 0

  name              = "${local.prefix}-alarms"
  kms_master_key_id = local.alarm_topic_key
  tags              = var.tags
}

# Only CloudWatch alarms of this account publish to the topic.
data "aws_iam_policy_document" "alarm_topic" {
  count = local.alarms ? 1 : 0

  statement {
    sid       = "CloudWatchAlarmsOfThisAccount"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms[0].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  count = local.alarms ? 1 : 0

  arn    = aws_sns_topic.alarms[0].arn
  policy = data.aws_iam_policy_document.alarm_topic[0].json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = local.alarms ? toset(var.alarms.email_addresses) : toset([])

  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic_subscription" "https" {
  for_each = local.alarms ? toset(var.alarms.https_endpoints) : toset([])

  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "https"
  endpoint  = each.value
}

# --- Alarms on what no module owns: the poison queue and the platform's own metrics ------------
#
# The handlers publish their metrics with Powertools (EMF): namespace = var.project, dimension
# service = the function's POWERTOOLS_SERVICE_NAME. A metric that is not published means
# nothing happened: "notBreaching".

locals {
  platform_metric_alarms = !local.alarms ? {} : {
    reports-undeliverable = {
      service   = "report-delivery"
      metric    = "ReportsUndeliverable"
      threshold = 1
      means     = "a report names a user who cannot have a channel: it is in the poison queue"
    }
    answers-not-assessed = {
      service   = "security"
      metric    = "AnswersNotAssessed"
      threshold = 1
      means     = "the security service could not assess answers (its table or the bus failed): they are retried, then wait in its failure queue"
    }
    events-not-kept = {
      service   = "channels"
      metric    = "ItemsNotKept"
      threshold = 1
      means     = "durable channels could not keep published events (the history table throttled or failed): their publishers were told to publish again, nothing was delivered unkept"
    }
    invalid-uploads = {
      service   = "capture-order"
      metric    = "InvalidUploads"
      threshold = var.alarms.invalid_uploads
      means     = "uploads break the UploadReceived contract: a client sends a wrong body; each is in the poison queue with its reason"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "platform" {
  for_each = local.platform_metric_alarms

  alarm_name          = "${local.prefix}-${each.key}"
  alarm_description   = "${each.value.metric} >= ${each.value.threshold} in ${var.alarms.period_seconds / 60} min: ${each.value.means} (README, runbook)."
  namespace           = var.project
  metric_name         = each.value.metric
  dimensions          = { service = each.value.service }
  statistic           = "Sum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "poison_depth" {
  count = local.alarms ? 1 : 0

  alarm_name          = "${aws_sqs_queue.poison.name}-depth"
  alarm_description   = "Events that can never succeed are in ${aws_sqs_queue.poison.name}, each with its reason: read them (platform-ops show), fix the producer or the contract (README, runbook)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.poison.name }
  statistic           = "Maximum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  # An empty, idle queue stops reporting after six hours: the good state.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions
  tags               = var.tags
}

# --- A dashboard per flow: its path left to right, the numbers on-call looks at first --------

locals {
  fn = { for k, m in {
    capture-order   = module.capture_order
    notify          = module.notify
    channels        = module.channels
    answers-stream  = module.answers_stream
    security        = module.security
    report-delivery = module.report_delivery
  } : k => m.function_name }

  # One widget: a time series of metrics ([namespace, name, dim, value, ..., {options}]).
  widget = { view = "timeSeries", region = var.region, period = var.alarms.period_seconds, stat = "Sum" }

  dashboards = {
    ingest = [
      merge(local.widget, { title = "1. POST /uploads: requests, 4xx, 5xx", metrics = [
        for m in ["Count", "4xx", "5xx"] : ["AWS/ApiGateway", m, "ApiId", module.ingest_api.api_id, "Stage", "$default"]
      ] }),
      merge(local.widget, { title = "2. Rules: events matched, delivered, failed", metrics = flatten([
        for rule in ["capture-order", "notify"] : [
          for m in ["TriggeredRules", "Invocations", "FailedInvocations"] : ["AWS/Events", m, "RuleName", "${local.prefix}-${rule}", { label = "${rule} ${m}" }]
        ]
      ]) }),
      merge(local.widget, { title = "3. Functions: invocations, errors, throttles", metrics = flatten([
        for f in ["capture-order", "notify"] : [
          for m in ["Invocations", "Errors", "Throttles"] : ["AWS/Lambda", m, "FunctionName", local.fn[f], { label = "${f} ${m}" }]
        ]
      ]) }),
      merge(local.widget, { title = "4. Outcomes: captured, duplicates, notified, invalid, poisoned", metrics = [
        [var.project, "OrdersCaptured", "service", "capture-order"],
        [var.project, "DuplicateUploads", "service", "capture-order"],
        [var.project, "NotificationsSent", "service", "notify"],
        [var.project, "DuplicateNotifications", "service", "notify"],
        [var.project, "InvalidUploads", "service", "capture-order"],
        [var.project, "PoisonedEvents", "service", "capture-order"],
      ] }),
      merge(local.widget, { title = "5. Waiting for an operator: queue depths", stat = "Maximum", metrics = [
        for q in concat(values(module.ingest_rules.dead_letter_queue_names), [module.capture_order.async_failure_queue_name, module.notify.async_failure_queue_name, aws_sqs_queue.poison.name]) :
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q]
      ] }),
    ]
    realtime = [
      merge(local.widget, { title = "1. WAF: allowed and blocked requests", metrics = [
        for m in ["AllowedRequests", "BlockedRequests"] : ["AWS/WAFV2", m, "WebACL", module.realtime_waf.web_acl_name, "Region", var.region, "Rule", "ALL"]
      ] }),
      merge(local.widget, { title = "2. Event API: 4xx, 5xx", metrics = [
        for m in ["4XXError", "5XXError"] : ["AWS/AppSync", m, "EventAPIId", coalesce(module.realtime.api_id, "-")]
      ] }),
      merge(local.widget, { title = "3. Channel handler: invocations, errors, throttles", metrics = [
        for m in ["Invocations", "Errors", "Throttles"] : ["AWS/Lambda", m, "FunctionName", local.fn["channels"]]
      ] }),
      merge(local.widget, { title = "4. Channel handler: duration p99 (ms)", stat = "p99", metrics = [
        ["AWS/Lambda", "Duration", "FunctionName", local.fn["channels"]]
      ] }),
    ]
    async = [
      merge(local.widget, { title = "1. Answers stream: records behind (ms), published, failed", metrics = [
        ["AWS/Lambda", "IteratorAge", "FunctionName", local.fn["answers-stream"], { stat = "Maximum" }],
        [var.project, "AnswersPublished", "service", "answers-stream"],
        [var.project, "AnswerRecordsFailed", "service", "answers-stream"],
      ] }),
      merge(local.widget, { title = "2. Security service: reports sent, duplicates, not assessed", metrics = [
        [var.project, "ReportsSent", "service", "security"],
        [var.project, "DuplicateAnswers", "service", "security"],
        [var.project, "AnswersNotAssessed", "service", "security"],
        [var.project, "UnknownQuestionnaires", "service", "security"],
      ] }),
      merge(local.widget, { title = "3. Report delivery: delivered, not delivered, undeliverable", metrics = [
        [var.project, "ReportsDelivered", "service", "report-delivery"],
        [var.project, "ReportsNotDelivered", "service", "report-delivery"],
        [var.project, "ReportsUndeliverable", "service", "report-delivery"],
      ] }),
      merge(local.widget, { title = "4. Functions: errors and throttles", metrics = flatten([
        for f in ["answers-stream", "security", "report-delivery"] : [
          for m in ["Errors", "Throttles"] : ["AWS/Lambda", m, "FunctionName", local.fn[f], { label = "${f} ${m}" }]
        ]
      ]) }),
      merge(local.widget, { title = "5. Waiting for an operator: queue depths", stat = "Maximum", metrics = [
        for q in concat(values(module.async_rules.dead_letter_queue_names), [module.answers_stream.stream_failure_queue_names["answers"], module.security.async_failure_queue_name, module.report_delivery.async_failure_queue_name, aws_sqs_queue.poison.name]) :
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q]
      ] }),
    ]
  }
}

resource "aws_cloudwatch_dashboard" "flow" {
  for_each = local.dashboards

  dashboard_name = "${local.prefix}-${each.key}"
  # The flow's path left to right, two rows of three at most.
  dashboard_body = jsonencode({
    widgets = [for i, w in each.value : {
      type       = "metric"
      x          = (i % 3) * 8
      y          = floor(i / 3) * 6
      width      = 8
      height     = 6
      properties = w
    }]
  })
}
