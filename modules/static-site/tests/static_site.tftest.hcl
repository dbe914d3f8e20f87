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
  name            = "test-app"
  source_dir      = "tests/site"
  connect_sources = ["https://api.example.com", "wss://realtime.example.com"]
  config          = { region = "eu-west-1" }
}

run "files_are_served_with_their_type_and_cache_policy" {
  command = plan

  assert {
    condition = alltrue([
      aws_s3_object.file["index.html"].content_type == "text/html; charset=utf-8",
      aws_s3_object.file["index.html"].cache_control == "no-cache",
      aws_s3_object.file["assets/app-1a2b.js"].cache_control == "public, max-age=31536000, immutable",
    ])
    error_message = "content types or cache policies are wrong"
  }
  assert {
    condition     = jsondecode(aws_s3_object.config[0].content) == { region = "eu-west-1" }
    error_message = "/config.json is not the config input"
  }
}

run "the_csp_lets_the_app_reach_only_its_apis" {
  command = plan

  assert {
    condition     = strcontains(aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].content_security_policy[0].content_security_policy, "connect-src 'self' https://api.example.com wss://realtime.example.com;")
    error_message = "connect-src does not list exactly the app's APIs"
  }
  assert {
    condition     = aws_s3_bucket_public_access_block.this[0].block_public_policy && aws_s3_bucket_public_access_block.this[0].restrict_public_buckets
    error_message = "the bucket is not private"
  }
}

run "a_wildcard_connect_source_is_refused" {
  command = plan

  variables {
    connect_sources = ["https://*.example.com"]
  }
  expect_failures = [var.connect_sources]
}

run "an_unbuilt_app_is_refused" {
  command = plan

  variables {
    source_dir = "tests"
  }
  expect_failures = [var.source_dir]
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition = alltrue([
      length(aws_s3_bucket.this) == 0,
      length(aws_s3_object.file) == 0,
      length(aws_s3_object.config) == 0,
      length(aws_cloudfront_distribution.this) == 0,
      length(aws_cloudfront_origin_access_control.this) == 0,
      length(aws_s3_bucket_policy.this) == 0,
    ])
    error_message = "create = false still plans resources"
  }
}

run "an_api_on_the_sites_origin_is_uncached_and_gets_the_callers_headers" {
  command = plan

  variables {
    api_origin = { domain_name = "abc123.execute-api.eu-west-1.amazonaws.com", path_patterns = ["/uploads"] }
  }

  assert {
    condition = length([
      for o in aws_cloudfront_distribution.this[0].origin : o
      if o.origin_id != "api" ? false : (
        o.domain_name == "abc123.execute-api.eu-west-1.amazonaws.com" &&
        o.custom_origin_config[0].origin_protocol_policy == "https-only"
      )
    ]) == 1
    error_message = "the API is not an HTTPS-only origin of the distribution"
  }
  assert {
    condition = length([
      for b in aws_cloudfront_distribution.this[0].ordered_cache_behavior : b
      if b.path_pattern == "/uploads" && b.target_origin_id == "api" && contains(b.allowed_methods, "POST") &&
      b.cache_policy_id == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" &&
      b.origin_request_policy_id == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    ]) == 1
    error_message = "POST /uploads does not reach the API uncached with the caller's headers"
  }
}

run "access_logs_without_a_bucket_make_a_private_expiring_log_bucket" {
  command = plan

  variables {
    access_logs = { retention_in_days = 90 }
  }

  assert {
    condition = (
      aws_s3_bucket_ownership_controls.logs[0].rule[0].object_ownership == "BucketOwnerPreferred" &&
      aws_s3_bucket_public_access_block.logs[0].block_public_acls &&
      aws_s3_bucket_public_access_block.logs[0].restrict_public_buckets &&
      one([for r in aws_s3_bucket_lifecycle_configuration.logs[0].rule : r.expiration[0].days]) == 90 &&
      startswith(aws_s3_bucket.logs[0].bucket_prefix, "test-app-logs-")
    )
    error_message = "the log bucket is not private with ACLs for CloudFront and expiring logs"
  }
  assert {
    condition     = aws_cloudfront_distribution.this[0].logging_config[0].prefix == "cloudfront/" && !aws_cloudfront_distribution.this[0].logging_config[0].include_cookies
    error_message = "the distribution does not log to the bucket without cookies"
  }
}

run "access_logs_to_a_given_bucket_make_none" {
  command = plan

  variables {
    access_logs = { bucket = "my-logs.s3.amazonaws.com" }
  }

  assert {
    condition     = length(aws_s3_bucket.logs) == 0 && aws_cloudfront_distribution.this[0].logging_config[0].bucket == "my-logs.s3.amazonaws.com"
    error_message = "a given log bucket is not used as is"
  }
}

run "an_api_path_pattern_must_start_with_a_slash" {
  command = plan

  variables {
    api_origin = { domain_name = "abc123.execute-api.eu-west-1.amazonaws.com", path_patterns = ["uploads"] }
  }
  expect_failures = [var.api_origin]
}
