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
  name    = "test-orders"
  archive = { retention_days = 30 }
  rules = {
    test-capture-order = {
      event_pattern = "{\"source\":[\"platform.ingest\"]}"
      targets = {
        capture = {
          arn          = "arn:aws:lambda:eu-west-1:123456789012:function:test-capture-order"
          retry_policy = { maximum_retry_attempts = 4, maximum_event_age_in_seconds = 900 }
        }
      }
    }
  }
}

run "every_target_has_retries_its_own_dead_letter_queue_and_a_scoped_permission" {
  command = plan

  assert {
    condition     = aws_cloudwatch_event_target.this["test-capture-order/capture"].retry_policy[0] == { maximum_retry_attempts = 4, maximum_event_age_in_seconds = 900 }
    error_message = "the target's retry policy is not the one asked for"
  }
  assert {
    condition     = aws_sqs_queue.dlq["test-capture-order/capture"].name == "test-capture-order-capture-dlq" && aws_sqs_queue.dlq["test-capture-order/capture"].message_retention_seconds == 14 * 86400
    error_message = "the dead-letter queue is not <rule>-<target>-dlq keeping 14 days"
  }
  assert {
    condition     = aws_lambda_permission.this["test-capture-order/capture"].principal == "events.amazonaws.com" && aws_lambda_permission.this["test-capture-order/capture"].function_name == "arn:aws:lambda:eu-west-1:123456789012:function:test-capture-order"
    error_message = "the function is not invokable by EventBridge"
  }
  assert {
    condition     = aws_cloudwatch_event_archive.this[0].retention_days == 30 && aws_cloudwatch_event_archive.this[0].name == "test-orders-archive"
    error_message = "the archive does not keep 30 days under the bus's name"
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this["test-capture-order"].event_bus_name == "test-orders"
    error_message = "the rule is not on the bus"
  }
}

run "the_longest_names_fit_whole" {
  command = plan

  variables {
    name = "a-bus-name-longer-than-any-archive-name-may-be-at-all"
    rules = {
      a-rule-name-of-forty-characters-exactly1 = {
        event_pattern = "{\"source\":[\"x\"]}"
        targets       = { a-target-id-of-24-chars- = { arn = "arn:aws:sqs:eu-west-1:123456789012:q", type = "sqs" } }
      }
    }
  }

  assert {
    condition     = aws_sqs_queue.dlq["a-rule-name-of-forty-characters-exactly1/a-target-id-of-24-chars-"].name == "a-rule-name-of-forty-characters-exactly1-a-target-id-of-24-chars--dlq"
    error_message = "the dead-letter queue's name was cut or changed"
  }
  assert {
    condition     = length(aws_cloudwatch_event_archive.this[0].name) <= 48 && startswith(aws_cloudwatch_event_archive.this[0].name, "a-bus-name-longer-than-any-archive-name-")
    error_message = "the archive name does not fit EventBridge's 48 characters"
  }
  assert {
    condition     = length(aws_lambda_permission.this) == 0
    error_message = "an SQS target got a Lambda permission"
  }
}

run "rules_attach_to_an_existing_bus" {
  command = plan

  variables {
    create_bus = false
    name       = "shared-events"
  }

  assert {
    condition     = length(aws_cloudwatch_event_bus.this) == 0 && length(aws_cloudwatch_event_archive.this) == 0
    error_message = "create_bus = false still creates a bus or an archive"
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this["test-capture-order"].event_bus_name == "shared-events" && aws_cloudwatch_event_target.this["test-capture-order/capture"].event_bus_name == "shared-events"
    error_message = "the rule and its target are not on the existing bus"
  }
  assert {
    condition     = output.bus_name == "shared-events" && output.bus_arn == null
    error_message = "the outputs do not name the existing bus"
  }
}

run "every_dead_letter_queue_has_a_depth_and_an_age_alarm" {
  command = plan

  variables {
    alarms = { create = true, actions = ["arn:aws:sns:eu-west-1:123456789012:test-alarms"], queue_age_seconds = 600 }
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.dlq_depth["test-capture-order/capture"].dimensions.QueueName == "test-capture-order-capture-dlq" &&
      aws_cloudwatch_metric_alarm.dlq_depth["test-capture-order/capture"].threshold == 1 &&
      aws_cloudwatch_metric_alarm.dlq_age["test-capture-order/capture"].threshold == 600 &&
      length(aws_cloudwatch_metric_alarm.dlq_depth) == length(aws_sqs_queue.dlq)
    )
    error_message = "a dead-letter queue has no depth or age alarm"
  }
}

run "an_array_pattern_is_refused" {
  command = plan

  variables {
    rules = { r = { event_pattern = "[1]", targets = { t = { arn = "arn:aws:sqs:eu-west-1:123456789012:q" } } } }
  }
  expect_failures = [var.rules]
}

run "a_negative_retention_is_refused" {
  command = plan

  variables {
    archive = { retention_days = -1 }
  }
  expect_failures = [var.archive]
}

run "a_rule_name_too_long_for_its_queue_is_refused" {
  command = plan

  variables {
    rules = { a-rule-name-of-forty-one-characters-exact = { event_pattern = "{}", targets = { t = { arn = "arn:aws:sqs:eu-west-1:123456789012:q" } } } }
  }
  expect_failures = [var.rules]
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition = alltrue([
      length(aws_cloudwatch_event_bus.this) == 0,
      length(aws_cloudwatch_event_archive.this) == 0,
      length(aws_cloudwatch_event_rule.this) == 0,
      length(aws_cloudwatch_event_target.this) == 0,
      length(aws_sqs_queue.dlq) == 0,
      length(aws_lambda_permission.this) == 0,
      output.bus_name == null,
    ])
    error_message = "create = false still plans resources"
  }
}
