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
  name         = "test-realtime"
  rate_limit   = 500
  ip_deny_list = ["198.51.100.0/24", "2001:db8::/32"]
  associations = { event_api = "arn:aws:appsync:eu-west-1:123456789012:apis/abcdefghijklmnopqrstuvwxyz" }
}

run "deny_lists_are_ip_sets_per_address_family" {
  command = plan

  assert {
    condition = alltrue([
      aws_wafv2_ip_set.this["deny-ipv4"].addresses == toset(["198.51.100.0/24"]),
      aws_wafv2_ip_set.this["deny-ipv6"].addresses == toset(["2001:db8::/32"]),
      length(aws_wafv2_ip_set.this) == 2,
    ])
    error_message = "the deny list is not split into an IPv4 and an IPv6 set"
  }
  assert {
    condition     = aws_wafv2_web_acl_association.this["event_api"].resource_arn == "arn:aws:appsync:eu-west-1:123456789012:apis/abcdefghijklmnopqrstuvwxyz"
    error_message = "the ACL is not associated with the API"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this[0].name == "aws-waf-logs-test-realtime"
    error_message = "WAF logs do not go to a log group WAF accepts (aws-waf-logs-*)"
  }
}

run "a_spike_of_blocked_requests_alarms" {
  command = plan

  variables {
    alarms = { create = true, actions = ["arn:aws:sns:eu-west-1:123456789012:test-alarms"] }
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.blocked[0].metric_name == "BlockedRequests" &&
      aws_cloudwatch_metric_alarm.blocked[0].threshold == 100 &&
      aws_cloudwatch_metric_alarm.blocked[0].dimensions == tomap({ WebACL = "test-realtime", Rule = "ALL", Region = "eu-west-1" })
    )
    error_message = "the blocked-requests alarm does not watch every rule of this ACL"
  }
}

run "a_non_arn_association_is_refused" {
  command = plan

  variables {
    associations = { api = "my-api" }
  }
  expect_failures = [var.associations]
}

run "a_bad_cidr_is_refused" {
  command = plan

  variables {
    ip_deny_list = ["10.0.0.300/8"]
  }
  expect_failures = [var.ip_deny_list]
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition = alltrue([
      length(aws_wafv2_web_acl.this) == 0,
      length(aws_wafv2_ip_set.this) == 0,
      length(aws_wafv2_web_acl_association.this) == 0,
      length(aws_cloudwatch_log_group.this) == 0,
      length(aws_wafv2_web_acl_logging_configuration.this) == 0,
    ])
    error_message = "create = false still plans resources"
  }
}

run "a_header_rate_limit_counts_each_caller_token_on_its_path" {
  command = plan

  variables {
    header_rate_limits = { uploads-per-caller = { header = "authorization", path_prefix = "/uploads", limit = 100 } }
    json_object_bodies = ["/uploads"]
  }

  assert {
    condition = alltrue([
      for r in aws_wafv2_web_acl.this[0].rule : (
        r.priority == 21 &&
        r.statement[0].rate_based_statement[0].aggregate_key_type == "CUSTOM_KEYS" &&
        r.statement[0].rate_based_statement[0].custom_key[0].header[0].name == "authorization" &&
        r.statement[0].rate_based_statement[0].limit == 100 &&
        r.statement[0].rate_based_statement[0].evaluation_window_sec == 300 &&
        r.statement[0].rate_based_statement[0].scope_down_statement[0].byte_match_statement[0].search_string == "/uploads" &&
        r.statement[0].rate_based_statement[0].scope_down_statement[0].byte_match_statement[0].positional_constraint == "STARTS_WITH"
      ) if r.name == "rate-limit-uploads-per-caller"
    ]) && length([for r in aws_wafv2_web_acl.this[0].rule : r if r.name == "rate-limit-uploads-per-caller"]) == 1
    error_message = "the per-token limit is not one bucket per Authorization value on /uploads"
  }
  assert {
    condition = alltrue([
      for r in aws_wafv2_web_acl.this[0].rule : (
        r.priority == 25 && length(r.action[0].block) == 1 &&
        r.statement[0].and_statement[0].statement[0].byte_match_statement[0].search_string == "/uploads" &&
        r.statement[0].and_statement[0].statement[1].byte_match_statement[0].search_string == "POST" &&
        r.statement[0].and_statement[0].statement[2].not_statement[0].statement[0].regex_match_statement[0].regex_string == "^\\s*\\{"
      ) if r.name == "json-object-body-0"
    ]) && length([for r in aws_wafv2_web_acl.this[0].rule : r if r.name == "json-object-body-0"]) == 1
    error_message = "a POST /uploads whose body is not a JSON object is not blocked"
  }
}

run "a_header_rate_limit_under_wafs_minimum_is_refused" {
  command = plan

  variables {
    header_rate_limits = { uploads = { header = "Authorization", path_prefix = "/uploads", limit = 5 } }
  }
  expect_failures = [var.header_rate_limits]
}

run "a_json_body_path_must_be_a_path" {
  command = plan

  variables {
    json_object_bodies = ["uploads"]
  }
  expect_failures = [var.json_object_bodies]
}
