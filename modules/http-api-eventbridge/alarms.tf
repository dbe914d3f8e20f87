# Error-rate alarms on the API (var.alarms): the share of requests answered 5xx or 4xx, as
# metric math over API Gateway's per-stage metrics (HTTP APIs publish 4xx, 5xx and Count
# under ApiId and Stage). A quiet period has no requests: missing data is "notBreaching",
# and fewer than minimum_requests count as 0 %, so that one failed request at night does not
# page anyone while one in a hundred at load does.

locals {
  error_rates = !(local.create && var.alarms.create) ? {} : {
    "5xx" = { percent = var.alarms.server_error_rate_percent, what = "failed (API Gateway or the integration): those uploads never reached the bus" }
    "4xx" = { percent = var.alarms.client_error_rate_percent, what = "were refused: expired or missing tokens, throttling, malformed requests" }
  }
}

resource "aws_cloudwatch_metric_alarm" "error_rate" {
  for_each = local.error_rates

  alarm_name          = "${var.name}-${each.key}-rate"
  alarm_description   = "Over ${each.value.percent} % of the requests to ${var.name} ${each.value.what}. Read the access log ${aws_cloudwatch_log_group.access[0].name}."
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = each.value.percent
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = var.tags

  metric_query {
    id          = "rate"
    label       = "${each.key} (% of requests)"
    expression  = "IF(requests >= ${var.alarms.minimum_requests}, 100 * errors / requests, 0)"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = each.key
      dimensions  = { ApiId = aws_apigatewayv2_api.this[0].id, Stage = aws_apigatewayv2_stage.this[0].name }
      stat        = "Sum"
      period      = var.alarms.period_seconds
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "Count"
      dimensions  = { ApiId = aws_apigatewayv2_api.this[0].id, Stage = aws_apigatewayv2_stage.this[0].name }
      stat        = "Sum"
      period      = var.alarms.period_seconds
    }
  }
}
