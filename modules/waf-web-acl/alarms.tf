# A spike of blocked requests (var.alarms): WAF publishes BlockedRequests per web ACL, region
# and rule, "ALL" summing every rule. No blocked request publishes nothing: "notBreaching".

resource "aws_cloudwatch_metric_alarm" "blocked" {
  count = local.create && var.alarms.create ? 1 : 0

  alarm_name        = "${var.name}-blocked-requests"
  alarm_description = "${var.name} blocked ${var.alarms.blocked_threshold} or more requests in ${var.alarms.period_seconds / 60} min: an attack, or a rule that blocks real clients. Sampled requests and the log group ${aws_cloudwatch_log_group.this[0].name} say which rule."
  namespace         = "AWS/WAFV2"
  metric_name       = "BlockedRequests"
  # A CLOUDFRONT web ACL publishes (in us-east-1) without the Region dimension.
  dimensions = merge(
    { WebACL = aws_wafv2_web_acl.this[0].name, Rule = "ALL" },
    var.scope == "REGIONAL" ? { Region = data.aws_region.current.name } : {},
  )
  statistic           = "Sum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = var.alarms.blocked_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = var.tags
}

data "aws_region" "current" {}
