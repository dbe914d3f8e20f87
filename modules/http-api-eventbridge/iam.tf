data "aws_iam_policy_document" "assume" {
  count = local.create ? 1 : 0

  statement {
    sid     = "ApiGatewayAssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }

    # Confused-deputy guard: API Gateway may assume it for this account's API only.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:execute-api:${local.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "integration" {
  count = local.create ? 1 : 0

  name               = "${var.name}-putevents"
  description        = "Lets the ${var.name} HTTP API put events on ${var.event_bus_name}, and nothing else."
  assume_role_policy = data.aws_iam_policy_document.assume[0].json
  tags               = var.tags
}

data "aws_iam_policy_document" "put_events" {
  count = local.create ? 1 : 0

  # The route's own contract only: its source and detail-type, on its bus.
  statement {
    sid       = "PutEventsOnTheBus"
    actions   = ["events:PutEvents"]
    resources = [var.event_bus_arn]

    condition {
      test     = "StringEquals"
      variable = "events:source"
      values   = [var.event_source]
    }

    condition {
      test     = "StringEquals"
      variable = "events:detail-type"
      values   = [var.event_detail_type]
    }
  }
}

resource "aws_iam_role_policy" "put_events" {
  count = local.create ? 1 : 0

  name   = "put-events"
  role   = aws_iam_role.integration[0].id
  policy = data.aws_iam_policy_document.put_events[0].json
}
