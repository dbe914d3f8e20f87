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
