# The distribution's standard logs (access_logs = {} with no bucket): a private bucket of the
# module's own. CloudFront's standard logging (legacy) writes through an ACL grant it adds to
# the bucket, so the bucket keeps ACLs enabled ("Configure standard logging (legacy)",
# CloudFront developer guide: permissions required; the bucket owner keeps every object).

locals {
  create_log_bucket = local.create && (var.access_logs == null ? false : var.access_logs.bucket == null)
}

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_18:This is the log bucket; logging its own access would log into itself.
  #checkov:skip=CKV_AWS_144:Access logs are kept for retention_in_days in one region; a replica would double their cost for no reader.
  #checkov:skip=CKV_AWS_145:CloudFront standard logs are written with SSE-S3 here; SSE-KMS would need CloudFront's log delivery account in the key policy, and the logs hold no credential (no cookies, no Authorization header).
  #checkov:skip=CKV2_AWS_62:Nothing reacts to a new log file; event notifications would have no consumer.
  #checkov:skip=CKV2_AWS_65:CloudFront standard logging (legacy) needs ACLs enabled on its bucket; objects stay the bucket owner's (BucketOwnerPreferred).
  count = local.create_log_bucket ? 1 : 0

  bucket_prefix = "${substr(var.name, 0, 31)}-logs-"
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "logs" {
  count = local.create_log_bucket ? 1 : 0

  bucket                  = aws_s3_bucket.logs[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  #checkov:skip=CKV2_AWS_65:CloudFront standard logging (legacy) needs ACLs enabled on its bucket; BucketOwnerPreferred keeps every log object the bucket owner's.
  count = local.create_log_bucket ? 1 : 0

  bucket = aws_s3_bucket.logs[0].id
  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_versioning" "logs" {
  count = local.create_log_bucket ? 1 : 0

  bucket = aws_s3_bucket.logs[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  count = local.create_log_bucket ? 1 : 0

  bucket = aws_s3_bucket.logs[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  count = local.create_log_bucket ? 1 : 0

  bucket = aws_s3_bucket.logs[0].id
  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = var.access_logs.retention_in_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

# Only TLS, for everyone (CloudFront's log delivery included).
data "aws_iam_policy_document" "logs" {
  count = local.create_log_bucket ? 1 : 0

  statement {
    sid       = "DenyPlainHttp"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.logs[0].arn, "${aws_s3_bucket.logs[0].arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  count = local.create_log_bucket ? 1 : 0

  bucket = aws_s3_bucket.logs[0].id
  policy = data.aws_iam_policy_document.logs[0].json

  depends_on = [aws_s3_bucket_public_access_block.logs]
}
