
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
  name                         = "test-realtime"
  owner_contact                = "platform team"
  account_id                   = "123456789012"
  auth_providers               = [{ auth_type = "AWS_IAM" }]
  connection_auth_modes        = ["AWS_IAM"]
  default_publish_auth_modes   = ["AWS_IAM"]
  default_subscribe_auth_modes = ["AWS_IAM"]
  lambda_data_sources = {
    channel_handler = { function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:test-channels" }
  }
  channel_namespaces = {
    chat = { on_publish = { data_source = "channel_handler" } }
  }
}

run "the_data_source_role_may_only_invoke_its_function" {
  command = plan

  assert {
    condition = jsondecode(aws_iam_role_policy.data_source["channel_handler"].policy).Statement == [{
      Sid      = "InvokeTheHandler"
      Effect   = "Allow"
      Action   = "lambda:InvokeFunction"
      Resource = "arn:aws:lambda:eu-west-1:123456789012:function:test-channels"
    }]
    error_message = "the data source role may do more than invoke its function"
  }
  assert {
    condition = jsondecode(aws_iam_role.data_source["channel_handler"].assume_role_policy).Statement[0].Condition == {
      StringEquals = { "aws:SourceAccount" = "123456789012" }
      ArnLike      = { "aws:SourceArn" = "arn:aws:appsync:eu-west-1:123456789012:apis/*" }
    }
    error_message = "AppSync may assume the data source role for another account's APIs"
  }
  assert {
    condition     = jsondecode(aws_cloudformation_stack.this[0].template_body).Resources.NamespaceChat.Properties.HandlerConfigs.OnPublish == { Behavior = "DIRECT", Integration = { DataSourceName = "channel_handler", LambdaConfig = { InvokeType = "REQUEST_RESPONSE" } } }
    error_message = "the chat namespace does not hand publishes to the function directly"
  }
}

run "server_errors_alarm" {
  command = plan

  variables {
    alarms = { create = true, actions = ["arn:aws:sns:eu-west-1:123456789012:test-alarms"] }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.server_errors[0].namespace == "AWS/AppSync" && aws_cloudwatch_metric_alarm.server_errors[0].metric_name == "5XXError"
    error_message = "the Event API's server errors are not watched"
  }
}

run "api_keys_need_an_explicit_expiry" {
  command = plan

  variables {
    auth_providers        = [{ auth_type = "API_KEY" }, { auth_type = "AWS_IAM" }]
    connection_auth_modes = ["API_KEY"]
  }
  expect_failures = [var.api_key]
}

run "an_expiry_must_be_rfc3339_utc" {
  command = plan

  variables {
    auth_providers        = [{ auth_type = "API_KEY" }, { auth_type = "AWS_IAM" }]
    connection_auth_modes = ["API_KEY"]
    api_key               = { expires = "2027-01-01" }
  }
  expect_failures = [var.api_key]
}

run "an_expiry_beyond_a_year_is_refused" {
  command = plan

  variables {
    auth_providers        = [{ auth_type = "API_KEY" }, { auth_type = "AWS_IAM" }]
    connection_auth_modes = ["API_KEY"]
    api_key               = { expires = "2099-01-01T00:00:00Z" }
  }
  expect_failures = [aws_appsync_api_key.this[0]]
}

run "a_key_about_to_expire_is_warned_about" {
  command = plan

  variables {
    auth_providers        = [{ auth_type = "API_KEY" }, { auth_type = "AWS_IAM" }]
    connection_auth_modes = ["API_KEY"]
    # Expired already: within 30 days of the plan, whenever the test runs.
    api_key = { expires = "2020-01-01T00:00:00Z" }
  }
  expect_failures = [check.api_key_expiry]
}

run "connection_modes_must_be_providers" {
  command = plan

  variables {
    connection_auth_modes = ["API_KEY"]
  }
  expect_failures = [var.connection_auth_modes]
}

run "each_provider_takes_its_own_config" {
  command = plan

  variables {
    auth_providers = [{ auth_type = "AMAZON_COGNITO_USER_POOLS" }, { auth_type = "AWS_IAM" }]
  }
  expect_failures = [var.auth_providers]
}

run "namespace_names_follow_appsyncs_rule" {
  command = plan

  variables {
    channel_namespaces = { chat_room = {} }
  }
  expect_failures = [var.channel_namespaces]
}

run "handlers_must_name_a_data_source" {
  command = plan

  variables {
    channel_namespaces = { chat = { on_publish = { data_source = "missing" } } }
  }
  expect_failures = [var.channel_namespaces]
}

run "data_source_names_have_no_hyphens" {
  command = plan

  variables {
    lambda_data_sources = { channel-handler = { function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:f" } }
    channel_namespaces  = {}
  }
  expect_failures = [var.lambda_data_sources]
}

run "handlers_are_direct_and_synchronous_or_event" {
  command = plan

  variables {
    channel_namespaces = { chat = { on_publish = { data_source = "channel_handler", invoke_type = "ASYNC" } } }
  }
  expect_failures = [var.channel_namespaces]
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition = alltrue([
      length(aws_cloudformation_stack.this) == 0,
      length(aws_appsync_api_key.this) == 0,
      length(aws_cloudwatch_log_group.this) == 0,
      length(aws_iam_role.data_source) == 0,
      length(aws_iam_role.logging) == 0,
      length(aws_lambda_permission.authorizer) == 0,
    ])
    error_message = "create = false still plans resources"
  }
}

run "durable_namespaces_are_reported_with_their_days" {
  command = plan

  variables {
    channel_namespaces = {
      chat   = { on_publish = { data_source = "channel_handler" }, history = { ttl_days = 3 } }
      alerts = { on_publish = { data_source = "channel_handler" }, history = {} }
      live   = { on_publish = { data_source = "channel_handler" } }
    }
  }

  assert {
    condition     = length(output.history_namespaces) == 2 && output.history_namespaces["chat"] == 3 && output.history_namespaces["alerts"] == 7
    error_message = "history_namespaces does not list each durable namespace with its days"
  }
}

run "history_days_must_be_whole_and_in_range" {
  command = plan

  variables {
    channel_namespaces = {
      chat = { on_publish = { data_source = "channel_handler" }, history = { ttl_days = 0.5 } }
    }
  }
  expect_failures = [var.channel_namespaces]
}

run "history_needs_a_request_response_publish_handler" {
  command = plan

  variables {
    channel_namespaces = {
      chat = { on_publish = { data_source = "channel_handler", invoke_type = "EVENT" }, history = {} }
    }
  }
  expect_failures = [var.channel_namespaces]
}
