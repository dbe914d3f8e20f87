# --- The public edge: CloudFront's web ACL in front of the web app and POST /uploads --------
#
# An HTTP API takes no web ACL and its throttle is one bucket for every caller. So the web
# app's distribution (web.tf) also serves POST /uploads, and its web ACL (scope CLOUDFRONT,
# made in us-east-1) limits each caller: one bucket per Authorization header value (a token),
# a body that is not a JSON object blocked before it reaches the bus, a limit per IP and AWS's
# managed rules. upload_url is the distribution's /uploads. The HTTP API's own endpoint stays
# reachable (an HTTP API can neither take a web ACL nor refuse callers that skip CloudFront
# without a Lambda authoriser): its stage throttle (ingest_throttling) bounds such callers
# together, and the README says so.

locals {
  upload_path = "/uploads"
  edge        = var.web.create && var.users.create # the distribution exists (web.tf)
  edge_waf    = local.edge && var.web.waf.create && var.web.web_acl_arn == null
  # The WAF log group is in us-east-1, so the platform's key (in var.region) cannot encrypt
  # it: with kms.create, a key of its own there.
  edge_key = local.edge_waf && var.kms.create

  edge_web_acl_arn = var.web.web_acl_arn != null ? var.web.web_acl_arn : module.edge_waf.web_acl_arn
}

resource "aws_kms_key" "edge" {
  provider = aws.us_east_1
  count    = local.edge_key ? 1 : 0

  description             = "${local.prefix}: the edge web ACL's log group (us-east-1)."
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

data "aws_iam_policy_document" "edge_kms" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only (KMS developer guide, key policies); the account's own root is the standard administrator.
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" means this key only; CloudWatch Logs may use it only for the edge web ACL's log group (condition).
  #checkov:skip=CKV_AWS_356:In a key policy "*" is the only Resource KMS accepts, and it names the key the policy is attached to.
  count = local.edge_key ? 1 : 0

  statement {
    sid       = "AccountAdministersTheKey"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.kms_account}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogsEncryptsTheEdgeWafLogGroup"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:DescribeKey",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.us-east-1.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:us-east-1:${local.kms_account}:log-group:aws-waf-logs-${local.prefix}-edge"]
    }
  }
}

resource "aws_kms_key_policy" "edge" {
  provider = aws.us_east_1
  count    = local.edge_key ? 1 : 0

  key_id = aws_kms_key.edge[0].arn
  policy = data.aws_iam_policy_document.edge_kms[0].json
}

module "edge_waf" {
  source = "../modules/waf-web-acl"
  providers = {
    aws = aws.us_east_1
  }

  create      = local.edge_waf
  name        = "${local.prefix}-edge"
  description = "The web app and POST /uploads: limits per IP and per caller token, JSON-object uploads, AWS managed rules."
  scope       = "CLOUDFRONT"
  rate_limit  = var.web.waf.rate_limit
  header_rate_limits = {
    uploads-per-caller = {
      header         = "authorization"
      path_prefix    = local.upload_path
      limit          = var.web.waf.upload_rate_limit
      window_seconds = var.web.waf.upload_window_seconds
    }
  }
  json_object_bodies    = [local.upload_path]
  log_retention_in_days = var.web.waf.log_retention_in_days
  log_kms_key_arn       = local.edge_key ? aws_kms_key_policy.edge[0].key_id : null
  tags                  = var.tags
  # Not alarmed: an alarm notifies topics of its own region only, and this ACL's metrics
  # (AWS/WAFV2) are in us-east-1, the platform's alarm topic in var.region (README).
}
