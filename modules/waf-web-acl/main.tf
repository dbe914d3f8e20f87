locals {
  create = var.create

  # One IP set per list and address family (WAF keeps IPv4 and IPv6 apart).
  ip_sets = { for k, v in {
    deny-ipv4  = { action = "block", version = "IPV4", priority = 0, cidrs = [for c in var.ip_deny_list : c if !strcontains(c, ":")] }
    deny-ipv6  = { action = "block", version = "IPV6", priority = 1, cidrs = [for c in var.ip_deny_list : c if strcontains(c, ":")] }
    allow-ipv4 = { action = "allow", version = "IPV4", priority = 10, cidrs = [for c in var.ip_allow_list : c if !strcontains(c, ":")] }
    allow-ipv6 = { action = "allow", version = "IPV6", priority = 11, cidrs = [for c in var.ip_allow_list : c if strcontains(c, ":")] }
  } : k => v if local.create && length(v.cidrs) > 0 }

  metric_prefix = replace(var.name, "-", "_")

  # Priorities between the per-IP limit (20) and the managed rule groups (30 on).
  header_rate_limits = { for i, k in sort(keys(var.header_rate_limits)) : k => merge(var.header_rate_limits[k], { priority = 21 + i }) }
  json_object_bodies = { for i, p in var.json_object_bodies : p => { index = i, path = p, priority = 25 + i } }
}

resource "aws_wafv2_ip_set" "this" {
  for_each = local.ip_sets

  name               = "${var.name}-${each.key}"
  description        = "${each.value.action == "block" ? "Blocked" : "Trusted"} ${each.value.version} sources of ${var.name}."
  scope              = var.scope
  ip_address_version = each.value.version
  addresses          = each.value.cidrs
  tags               = var.tags
}

resource "aws_wafv2_web_acl" "this" {
  count = local.create ? 1 : 0

  name        = var.name
  description = var.description
  scope       = var.scope
  tags        = var.tags

  default_action {
    allow {}
  }

  dynamic "rule" {
    for_each = local.ip_sets

    content {
      name     = "ip-${rule.key}"
      priority = rule.value.priority

      action {
        dynamic "block" {
          for_each = rule.value.action == "block" ? [1] : []
          content {}
        }
        dynamic "allow" {
          for_each = rule.value.action == "allow" ? [1] : []
          content {}
        }
      }

      statement {
        ip_set_reference_statement {
          arn = aws_wafv2_ip_set.this[rule.key].arn
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${local.metric_prefix}_ip_${replace(rule.key, "-", "_")}"
        sampled_requests_enabled   = true
      }
    }
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 20

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.rate_limit
        evaluation_window_sec = var.rate_limit_window_seconds
        aggregate_key_type    = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.metric_prefix}_rate_limit"
      sampled_requests_enabled   = true
    }
  }

  # One bucket per value of the header (a caller's token) on a path: AWS WAF developer guide,
  # "Rate-based rule aggregation options and keys" (custom keys; a request without the key is
  # not counted by the rule).
  dynamic "rule" {
    for_each = local.header_rate_limits

    content {
      name     = "rate-limit-${rule.key}"
      priority = rule.value.priority

      action {
        block {}
      }

      statement {
        rate_based_statement {
          limit                 = rule.value.limit
          evaluation_window_sec = rule.value.window_seconds
          aggregate_key_type    = "CUSTOM_KEYS"

          custom_key {
            header {
              name = rule.value.header
              text_transformation {
                priority = 0
                type     = "NONE"
              }
            }
          }

          scope_down_statement {
            byte_match_statement {
              search_string         = rule.value.path_prefix
              positional_constraint = "STARTS_WITH"
              field_to_match {
                uri_path {}
              }
              text_transformation {
                priority = 0
                type     = "NONE"
              }
            }
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${local.metric_prefix}_rate_limit_${replace(rule.key, "-", "_")}"
        sampled_requests_enabled   = true
      }
    }
  }

  # A POST to the path whose body does not start with "{" (after white space) is blocked.
  dynamic "rule" {
    for_each = local.json_object_bodies

    content {
      name     = "json-object-body-${rule.value.index}"
      priority = rule.value.priority

      action {
        block {}
      }

      statement {
        and_statement {
          statement {
            byte_match_statement {
              search_string         = rule.value.path
              positional_constraint = "EXACTLY"
              field_to_match {
                uri_path {}
              }
              text_transformation {
                priority = 0
                type     = "NONE"
              }
            }
          }
          statement {
            byte_match_statement {
              search_string         = "POST"
              positional_constraint = "EXACTLY"
              field_to_match {
                method {}
              }
              text_transformation {
                priority = 0
                type     = "NONE"
              }
            }
          }
          statement {
            not_statement {
              statement {
                regex_match_statement {
                  regex_string = "^\\s*\\{"
                  field_to_match {
                    body {
                      oversize_handling = "CONTINUE"
                    }
                  }
                  text_transformation {
                    priority = 0
                    type     = "NONE"
                  }
                }
              }
            }
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${local.metric_prefix}_json_object_body_${rule.value.index}"
        sampled_requests_enabled   = true
      }
    }
  }

  dynamic "rule" {
    for_each = var.managed_rule_groups

    content {
      name     = rule.value.name
      priority = 30 + rule.key

      override_action {
        dynamic "none" {
          for_each = rule.value.override_action == "none" ? [1] : []
          content {}
        }
        dynamic "count" {
          for_each = rule.value.override_action == "count" ? [1] : []
          content {}
        }
      }

      statement {
        managed_rule_group_statement {
          name        = rule.value.name
          vendor_name = rule.value.vendor_name

          dynamic "rule_action_override" {
            for_each = rule.value.excluded_rules
            content {
              name = rule_action_override.value
              action_to_use {
                count {}
              }
            }
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${local.metric_prefix}_${rule.value.name}"
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = local.metric_prefix
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  for_each = local.create ? var.associations : {}

  resource_arn = each.value
  web_acl_arn  = aws_wafv2_web_acl.this[0].arn
}

# WAF only delivers to log groups whose name starts with aws-waf-logs-.
resource "aws_cloudwatch_log_group" "this" {
  count = local.create ? 1 : 0

  name              = "aws-waf-logs-${var.name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count = local.create ? 1 : 0

  resource_arn            = aws_wafv2_web_acl.this[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.this[0].arn]

  dynamic "redacted_fields" {
    for_each = toset(var.redacted_headers)
    content {
      single_header {
        name = lower(redacted_fields.value)
      }
    }
  }
}
