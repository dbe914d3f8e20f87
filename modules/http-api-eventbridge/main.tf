locals {
  create     = var.create
  route_path = split(" ", var.route_key)[1]
}

resource "aws_apigatewayv2_api" "this" {
  count = local.create ? 1 : 0

  name          = var.name
  description   = var.description
  protocol_type = "HTTP"
  tags          = var.tags

  dynamic "cors_configuration" {
    for_each = var.cors == null ? [] : [var.cors]
    content {
      allow_origins     = cors_configuration.value.allow_origins
      allow_methods     = cors_configuration.value.allow_methods
      allow_headers     = cors_configuration.value.allow_headers
      expose_headers    = cors_configuration.value.expose_headers
      allow_credentials = cors_configuration.value.allow_credentials
      max_age           = cors_configuration.value.max_age
    }
  }
}

resource "aws_cloudwatch_log_group" "access" {
  count = local.create ? 1 : 0

  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.access_log.retention_in_days
  kms_key_id        = var.access_log.kms_key_arn
  tags              = var.tags
}

resource "aws_apigatewayv2_stage" "this" {
  count = local.create ? 1 : 0

  api_id      = aws_apigatewayv2_api.this[0].id
  name        = "$default"
  auto_deploy = true
  tags        = var.tags

  default_route_settings {
    throttling_burst_limit   = var.throttling.burst_limit
    throttling_rate_limit    = var.throttling.rate_limit
    detailed_metrics_enabled = true
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access[0].arn
    format = jsonencode({
      requestId          = "$context.requestId"
      requestTime        = "$context.requestTime"
      sourceIp           = "$context.identity.sourceIp"
      userAgent          = "$context.identity.userAgent"
      routeKey           = "$context.routeKey"
      status             = "$context.status"
      protocol           = "$context.protocol"
      responseLength     = "$context.responseLength"
      integrationStatus  = "$context.integrationStatus"
      integrationLatency = "$context.integrationLatency"
      integrationError   = "$context.integrationErrorMessage"
      authorizerError    = "$context.authorizer.error"
    })
  }
}

resource "aws_apigatewayv2_integration" "this" {
  count = local.create ? 1 : 0

  api_id                 = aws_apigatewayv2_api.this[0].id
  description            = "Puts the request body on ${var.event_bus_name} as ${var.event_detail_type}."
  integration_type       = "AWS_PROXY"
  integration_subtype    = "EventBridge-PutEvents"
  credentials_arn        = aws_iam_role.integration[0].arn
  payload_format_version = "1.0"

  # Source and DetailType are constants: a client chooses the detail, never the routing.
  request_parameters = {
    Source       = var.event_source
    DetailType   = var.event_detail_type
    Detail       = "$request.body"
    EventBusName = var.event_bus_name
  }
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  count = local.create && var.jwt_authorizer != null ? 1 : 0

  api_id           = aws_apigatewayv2_api.this[0].id
  name             = "${var.name}-jwt"
  authorizer_type  = "JWT"
  identity_sources = var.jwt_authorizer.identity_sources

  jwt_configuration {
    issuer   = var.jwt_authorizer.issuer
    audience = var.jwt_authorizer.audience
  }
}

resource "aws_apigatewayv2_route" "this" {
  count = local.create ? 1 : 0

  api_id               = aws_apigatewayv2_api.this[0].id
  route_key            = var.route_key
  target               = "integrations/${aws_apigatewayv2_integration.this[0].id}"
  authorization_type   = var.jwt_authorizer == null ? "NONE" : "JWT"
  authorizer_id        = try(aws_apigatewayv2_authorizer.jwt[0].id, null)
  authorization_scopes = var.jwt_authorizer == null ? null : (length(var.jwt_authorizer.authorization_scopes) > 0 ? var.jwt_authorizer.authorization_scopes : null)
}
