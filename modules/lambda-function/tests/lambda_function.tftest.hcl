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
  function_name = "test-capture-order"
  handler       = "handlers.capture_order.handler.lambda_handler"
  # No zip at plan time: the hash stands for it (the module must not read the file).
  filename         = "not-built-yet.zip"
  source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
  policy_statements = {
    PutOrders = {
      actions   = ["dynamodb:PutItem"]
      resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/test-orders"]
    }
  }
}

run "a_given_hash_needs_no_zip" {
  command = plan

  assert {
    condition     = aws_lambda_function.this[0].source_code_hash == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    error_message = "the function does not take the given hash"
  }
}

run "the_role_holds_exactly_what_is_passed" {
  command = plan

  assert {
    condition = jsondecode(aws_iam_role_policy.this[0].policy).Statement == [{
      Sid      = "PutOrders"
      Effect   = "Allow"
      Action   = "dynamodb:PutItem"
      Resource = "arn:aws:dynamodb:eu-west-1:123456789012:table/test-orders"
    }]
    error_message = "the function's own policy is not exactly the statements passed"
  }
  assert {
    condition     = jsondecode(aws_iam_role.this[0].assume_role_policy).Statement[0].Principal == { Service = "lambda.amazonaws.com" }
    error_message = "the role is not for Lambda"
  }
  assert {
    condition     = aws_lambda_function.this[0].reserved_concurrent_executions == -1
    error_message = "no reserved concurrency was asked for"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this[0].name == "/aws/lambda/test-capture-order"
    error_message = "the log group is not the function's"
  }
}

run "failed_async_events_go_to_the_functions_queue" {
  command = plan

  assert {
    condition     = aws_sqs_queue.async_failures[0].name == "test-capture-order-async-failures" && aws_sqs_queue.async_failures[0].sqs_managed_sse_enabled
    error_message = "no encrypted failure queue named after the function"
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this[0].maximum_retry_attempts == 2 && aws_lambda_function_event_invoke_config.this[0].maximum_event_age_in_seconds == 3600
    error_message = "asynchronous retries are not the defaults"
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.runtime[0].statement : s.sid] == ["WriteOwnLogs", "WriteTraces", "SendFailedEvents"]
    error_message = "the runtime policy is not logs, traces and the failure queue"
  }
}

run "null_collections_take_their_defaults" {
  command = plan

  variables {
    async_invocation      = null
    environment_variables = null
    tags                  = null
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.this[0].maximum_retry_attempts == 2
    error_message = "async_invocation = null did not take the default"
  }
}

run "a_stream_mapping_reports_item_failures_with_bounded_retries" {
  command = plan

  variables {
    async_invocation = { failure_queue = false, maximum_retry_attempts = 0 }
    event_source_mappings = {
      answers = { event_source_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/test-answers/stream/2026-01-01T00:00:00.000" }
    }
  }

  assert {
    condition = alltrue([
      aws_lambda_event_source_mapping.this["answers"].function_response_types == toset(["ReportBatchItemFailures"]),
      aws_lambda_event_source_mapping.this["answers"].bisect_batch_on_function_error,
      aws_lambda_event_source_mapping.this["answers"].maximum_retry_attempts == 3,
      aws_lambda_event_source_mapping.this["answers"].maximum_record_age_in_seconds == 3600,
      aws_lambda_event_source_mapping.this["answers"].starting_position == "LATEST",
    ])
    error_message = "the mapping does not report item failures with bounded retries"
  }
  assert {
    condition     = aws_sqs_queue.stream_failures["answers"].name == "test-capture-order-answers-stream-failures" && length(aws_sqs_queue.async_failures) == 0
    error_message = "the stream failure queue is missing, or an async one was made though not asked for"
  }
  assert {
    condition = one([for s in data.aws_iam_policy_document.runtime[0].statement : s if s.sid == "ReadMappedStreams"]).resources == toset([
      "arn:aws:dynamodb:eu-west-1:123456789012:table/test-answers/stream/*"
    ])
    error_message = "the role may read more than the mapped stream"
  }
}

run "alarms_watch_errors_throttles_the_stream_and_every_owned_queue" {
  command = plan

  variables {
    alarms = { create = true, actions = ["arn:aws:sns:eu-west-1:123456789012:test-alarms"] }
    event_source_mappings = {
      answers = { event_source_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/test-answers/stream/2026-01-01T00:00:00.000" }
    }
  }

  assert {
    condition = alltrue([
      aws_cloudwatch_metric_alarm.function["errors"].metric_name == "Errors",
      aws_cloudwatch_metric_alarm.function["errors"].threshold == 1,
      aws_cloudwatch_metric_alarm.function["errors"].treat_missing_data == "notBreaching",
      aws_cloudwatch_metric_alarm.function["throttles"].metric_name == "Throttles",
      aws_cloudwatch_metric_alarm.function["iterator-age"].threshold == 300000,
      aws_cloudwatch_metric_alarm.function["errors"].alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:test-alarms"]),
    ])
    error_message = "the function's alarms are not errors, throttles and iterator age, notifying the topic"
  }
  assert {
    condition = (
      keys(aws_cloudwatch_metric_alarm.queue) == ["async/age", "async/depth", "stream-answers/age", "stream-answers/depth"] &&
      aws_cloudwatch_metric_alarm.queue["async/depth"].dimensions.QueueName == aws_sqs_queue.async_failures[0].name &&
      aws_cloudwatch_metric_alarm.queue["stream-answers/age"].dimensions.QueueName == aws_sqs_queue.stream_failures["answers"].name
    )
    error_message = "a queue the function owns has no depth or age alarm"
  }
}

run "no_alarms_unless_asked" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.function) + length(aws_cloudwatch_metric_alarm.queue) == 0
    error_message = "alarms were made though alarms.create is false"
  }
}

run "alarm_actions_must_be_topics" {
  command = plan

  variables {
    alarms = { create = true, actions = ["arn:aws:sqs:eu-west-1:123456789012:q"] }
  }
  expect_failures = [var.alarms]
}

run "wildcard_actions_are_refused" {
  command = plan

  variables {
    policy_statements = { All = { actions = ["dynamodb:*"], resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/t"] } }
  }
  expect_failures = [var.policy_statements]
}

run "every_resource_is_refused_for_actions_with_resources" {
  command = plan

  variables {
    policy_statements = { All = { actions = ["s3:GetObject"], resources = ["*"] } }
  }
  expect_failures = [var.policy_statements]
}

run "actions_without_resources_may_name_every_resource" {
  command = plan

  variables {
    policy_statements = { Metrics = { actions = ["cloudwatch:PutMetricData"], resources = ["*"] } }
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this[0].policy).Statement[0].Resource == "*"
    error_message = "PutMetricData on * was not granted"
  }
}

run "a_file_that_is_not_a_zip_is_refused" {
  command = plan

  variables {
    filename = "code.tar.gz"
  }
  expect_failures = [var.filename]
}

run "unbounded_stream_retries_are_refused" {
  command = plan

  variables {
    event_source_mappings = {
      s = { event_source_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-01-01T00:00:00.000", maximum_retry_attempts = -1 }
    }
  }
  expect_failures = [var.event_source_mappings]
}

run "records_older_than_the_stream_are_refused" {
  command = plan

  variables {
    event_source_mappings = {
      s = { event_source_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-01-01T00:00:00.000", maximum_record_age_in_seconds = 90000 }
    }
  }
  expect_failures = [var.event_source_mappings]
}

run "only_dynamodb_streams_are_mapped" {
  command = plan

  variables {
    event_source_mappings = { s = { event_source_arn = "arn:aws:sqs:eu-west-1:123456789012:q" } }
  }
  expect_failures = [var.event_source_mappings]
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition = alltrue([
      length(aws_lambda_function.this) == 0,
      length(aws_cloudwatch_log_group.this) == 0,
      length(aws_sqs_queue.async_failures) == 0,
      length(aws_lambda_function_event_invoke_config.this) == 0,
      length(aws_iam_role.this) == 0,
      length(aws_iam_role_policy.runtime) == 0,
      length(aws_iam_role_policy.this) == 0,
    ])
    error_message = "create = false still plans resources"
  }
}
