# terraform test: the module planned with no AWS account (the provider skips every call).
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "offline-plan-placeholder"
  secret_key                  = "offline-plan-placeholder"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  name              = "test-ingest"
  event_bus_name    = "test-orders"
  event_bus_arn     = "arn:aws:events:eu-west-1:123456789012:event-bus/test-orders"
  event_source      = "platform.ingest"
  event_detail_type = "UploadReceived.v3"
  event_resources   = "customer/$${context.authorizer.claims.sub}"
  jwt_authorizer = {
    issuer   = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"
    audience = ["test-client"]
  }
}

run "the_integration_role_may_only_put_this_contract_on_this_bus" {
  command = plan

  assert {
    condition = jsondecode(aws_iam_role_policy.put_events[0].policy).Statement == [{
      Sid      = "PutEventsOnTheBus"
      Effect   = "Allow"
      Action   = "events:PutEvents"
      Resource = "arn:aws:events:eu-west-1:123456789012:event-bus/test-orders"
      Condition = { StringEquals = {
        "events:source"      = "platform.ingest"
        "events:detail-type" = "UploadReceived.v3"
      } }
    }]
    error_message = "the PutEvents grant is not exactly this bus, source and detail-type"
  }
}

run "api_gateway_may_assume_the_role_only_for_this_account" {
  command = plan

  assert {
    condition = jsondecode(aws_iam_role.integration[0].assume_role_policy).Statement[0].Condition == {
      StringEquals = { "aws:SourceAccount" = "123456789012" }
      ArnLike      = { "aws:SourceArn" = "arn:aws:execute-api:eu-west-1:123456789012:*" }
    }
    error_message = "the integration role's trust is not bound to this account's APIs"
  }
  assert {
    condition     = jsondecode(aws_iam_role.integration[0].assume_role_policy).Statement[0].Principal == { Service = "apigateway.amazonaws.com" }
    error_message = "the integration role is not for API Gateway"
  }
}

run "the_route_is_behind_the_jwt_authoriser_with_cors_and_throttling" {
  command = plan

  variables {
    cors       = { allow_origins = ["https://app.example.com"] }
    throttling = { burst_limit = 50, rate_limit = 25 }
  }

  assert {
    condition     = aws_apigatewayv2_authorizer.jwt[0].authorizer_type == "JWT" && aws_apigatewayv2_authorizer.jwt[0].jwt_configuration[0].audience == toset(["test-client"])
    error_message = "the route has no JWT authoriser for the client"
  }
  assert {
    condition     = aws_apigatewayv2_route.this[0].authorization_type == "JWT"
    error_message = "the route is not guarded by the authoriser"
  }
  assert {
    condition     = aws_apigatewayv2_api.this[0].cors_configuration[0].allow_origins == toset(["https://app.example.com"])
    error_message = "CORS does not name exactly the app's origin"
  }
  assert {
    condition     = aws_apigatewayv2_stage.this[0].default_route_settings[0].throttling_burst_limit == 50 && aws_apigatewayv2_stage.this[0].default_route_settings[0].throttling_rate_limit == 25
    error_message = "the stage does not throttle as asked"
  }
}

run "error_rate_alarms_divide_errors_by_requests" {
  command = plan

  variables {
    alarms = { create = true, actions = ["arn:aws:sns:eu-west-1:123456789012:test-alarms"] }
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.error_rate["5xx"].threshold == 1 &&
      aws_cloudwatch_metric_alarm.error_rate["4xx"].threshold == 10 &&
      one([for q in aws_cloudwatch_metric_alarm.error_rate["5xx"].metric_query : q.expression if q.id == "rate"]) == "IF(requests >= 20, 100 * errors / requests, 0)"
    )
    error_message = "the error-rate alarms are not 5xx >= 1 % and 4xx >= 10 % of at least 20 requests"
  }
}

run "the_detail_is_the_body_as_sent_and_the_caller_a_resource" {
  command = plan

  assert {
    condition = (
      aws_apigatewayv2_integration.this[0].request_parameters["Detail"] == "$request.body"
      && aws_apigatewayv2_integration.this[0].request_parameters["Resources"] == "customer/$${context.authorizer.claims.sub}"
      && aws_apigatewayv2_integration.this[0].request_parameters["DetailType"] == "UploadReceived.v3"
    )
    error_message = "the integration does not put the body as the detail and the caller as the resource"
  }
}

run "resources_take_nothing_the_caller_chooses" {
  command = plan

  variables {
    event_resources = "customer/$${request.body.customerId}"
  }
  expect_failures = [var.event_resources]
}

run "zero_throttling_is_refused" {
  command = plan

  variables {
    throttling = { burst_limit = 0, rate_limit = 10 }
  }
  expect_failures = [var.throttling]
}

run "a_route_without_a_body_is_refused" {
  command = plan

  variables {
    route_key = "GET /uploads"
  }
  expect_failures = [var.route_key]
}

run "a_credentialed_wildcard_origin_is_refused" {
  command = plan

  variables {
    cors = { allow_origins = ["*"], allow_credentials = true }
  }
  expect_failures = [var.cors]
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition = alltrue([
      length(aws_apigatewayv2_api.this) == 0,
      length(aws_apigatewayv2_stage.this) == 0,
      length(aws_apigatewayv2_integration.this) == 0,
      length(aws_apigatewayv2_authorizer.jwt) == 0,
      length(aws_apigatewayv2_route.this) == 0,
      length(aws_cloudwatch_log_group.access) == 0,
      length(aws_iam_role.integration) == 0,
      length(aws_iam_role_policy.put_events) == 0,
    ])
    error_message = "create = false still plans resources"
  }
}
