# Server errors of the Event API (var.alarms). AppSync publishes Event API metrics in the
# AWS/AppSync namespace under the EventAPIId dimension ("CloudWatch metrics", AppSync Events
# developer guide): 5XXError counts requests AppSync failed. A quiet period publishes
# nothing: "notBreaching".

resource "aws_cloudwatch_metric_alarm" "server_errors" {
  count = local.create && var.alarms.create ? 1 : 0

  alarm_name          = "${var.name}-5xx"
  alarm_description   = "The Event API ${var.name} failed ${var.alarms.server_error_threshold} or more requests in ${var.alarms.period_seconds / 60} min (5XXError): publishes were lost to their callers, who retry. Check the AWS Health dashboard and the API's log group."
  namespace           = "AWS/AppSync"
  metric_name         = "5XXError"
  dimensions          = { EventAPIId = aws_cloudformation_stack.this[0].outputs["ApiId"] }
  statistic           = "Sum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = var.alarms.server_error_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = var.tags
}
