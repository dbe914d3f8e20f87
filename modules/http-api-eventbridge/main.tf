locals {
  create     = var.create
  route_path = split(" ", var.route_key)[1]

  # Where the bus lives is where the API lives (no account lookup: plans work offline).
  account_id = provider::aws::arn_parse(var.event_bus_arn).account_id
  partition  = provider::aws::arn_parse(var.event_bus_arn).partition
  region     = provider::aws::arn_parse(var.event_bus_arn).region
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
  #checkov:skip=CKV_AWS_338:Retention is the caller's access_log.retention_in_days input (root: 30 days, prod 90); a year of access logs is a cost the caller chooses.
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

  # Source and DetailType are constants: a client chooses the detail, never the routing. The
  # detail is the body as sent (EventBridge refuses one that is not a JSON object), never a
  # template around it; what the authoriser verified goes in Resources.
  request_parameters = merge({
    Source       = var.event_source
    DetailType   = var.event_detail_type
    Detail       = "$request.body"
    EventBusName = var.event_bus_name
  }, var.event_resources == null ? {} : { Resources = var.event_resources })
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

# --- Routes served by Lambda functions, each behind its JWT authoriser ----------------------

resource "aws_apigatewayv2_authorizer" "lambda_route" {
  for_each = local.create ? var.lambda_routes : {}

  api_id           = aws_apigatewayv2_api.this[0].id
  name             = "${var.name}-${lower(replace(replace(each.key, " /", "-"), "/[^A-Za-z0-9-]/", "-"))}"
  authorizer_type  = "JWT"
  identity_sources = each.value.jwt_authorizer.identity_sources

  jwt_configuration {
    issuer   = each.value.jwt_authorizer.issuer
    audience = each.value.jwt_authorizer.audience
  }
}

resource "aws_apigatewayv2_integration" "lambda_route" {
  for_each = local.create ? var.lambda_routes : {}

  api_id                 = aws_apigatewayv2_api.this[0].id
  description            = "${each.key} -> ${each.value.function_name}"
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = each.value.invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = each.value.timeout_milliseconds
}

resource "aws_apigatewayv2_route" "lambda_route" {
  for_each = local.create ? var.lambda_routes : {}

  api_id               = aws_apigatewayv2_api.this[0].id
  route_key            = each.key
  target               = "integrations/${aws_apigatewayv2_integration.lambda_route[each.key].id}"
  authorization_type   = "JWT"
  authorizer_id        = aws_apigatewayv2_authorizer.lambda_route[each.key].id
  authorization_scopes = length(each.value.jwt_authorizer.authorization_scopes) > 0 ? each.value.jwt_authorizer.authorization_scopes : null
}

resource "aws_apigatewayv2_route" "lambda_route_preflight" {
  #checkov:skip=CKV_AWS_309:A CORS preflight (OPTIONS) carries no credentials by the Fetch standard; the route it precedes keeps its JWT authoriser.
  for_each = local.create ? { for k, r in var.lambda_routes : k => r if r.cors_preflight } : {}

  api_id             = aws_apigatewayv2_api.this[0].id
  route_key          = "OPTIONS ${split(" ", each.key)[1]}"
  target             = "integrations/${aws_apigatewayv2_integration.lambda_route[each.key].id}"
  authorization_type = "NONE"
}

# API Gateway may invoke each function for its own route only (source ARN: stage, method, path).
resource "aws_lambda_permission" "lambda_route" {
  for_each = local.create ? var.lambda_routes : {}

  statement_id  = "AllowHttpApi-${lower(replace(replace(each.key, " /", "-"), "/[^A-Za-z0-9-]/", "-"))}"
  action        = "lambda:InvokeFunction"
  function_name = each.value.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this[0].execution_arn}/*/${each.value.cors_preflight ? "*" : split(" ", each.key)[0]}${split(" ", each.key)[1]}"
}
