# A single-page app: private S3 bucket, CloudFront with origin access control, security
# headers, SPA fallback, files uploaded from a build directory, /config.json from inputs.

locals {
  create = var.create

  # Content types by extension; anything else is served as bytes.
  content_types = {
    html  = "text/html; charset=utf-8"
    js    = "text/javascript; charset=utf-8"
    mjs   = "text/javascript; charset=utf-8"
    css   = "text/css; charset=utf-8"
    json  = "application/json"
    map   = "application/json"
    svg   = "image/svg+xml"
    png   = "image/png"
    jpg   = "image/jpeg"
    ico   = "image/x-icon"
    webp  = "image/webp"
    txt   = "text/plain; charset=utf-8"
    woff2 = "font/woff2"
  }
  files = local.create ? {
    for f in fileset(var.source_dir, "**") : f => {
      source       = "${var.source_dir}/${f}"
      content_type = lookup(local.content_types, lower(try(regex("\\.([A-Za-z0-9]+)$", f)[0], "")), "application/octet-stream")
      # Hashed build output never changes under its name; everything else is revalidated.
      cache_control = startswith(f, "assets/") ? "public, max-age=31536000, immutable" : "no-cache"
    } if f != "config.json"
  } : {}

  content_security_policy = join("; ", [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    join(" ", concat(["connect-src 'self'"], var.connect_sources)),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ])

  # AWS managed CloudFront policies (ids are global and documented: "Use managed cache
  # policies" / "Use managed response headers policies" in the CloudFront developer guide).
  caching_optimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  caching_disabled  = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  # "Use managed origin request policies": every viewer header, cookie and query string but
  # Host (an API Gateway origin answers only to its own host name).
  all_viewer_except_host_header = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

  api_paths = local.create && var.api_origin != null ? var.api_origin.path_patterns : []
  log_bucket = var.access_logs == null ? null : (
    var.access_logs.bucket != null ? var.access_logs.bucket : try(aws_s3_bucket.logs[0].bucket_domain_name, null)
  )
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_145:The bucket holds the public web app's build; SSE-S3 by default, kms_key_arn switches to SSE-KMS (whose key policy must then admit CloudFront).
  #checkov:skip=CKV_AWS_18:Only CloudFront reads the bucket (OAC, TLS-only policy); requests are logged by CloudFront's access logs (access_logs input).
  #checkov:skip=CKV_AWS_144:The bucket holds the built web app, which make apply uploads again; versioning keeps earlier builds, replication would add nothing.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to the app's files changing; event notifications would have no consumer.
  count = local.create ? 1 : 0

  # S3 adds a unique suffix: bucket names are global, and no account lookup is needed.
  bucket_prefix = "${var.name}-"
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  count = local.create ? 1 : 0

  bucket                  = aws_s3_bucket.this[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  rule {
    id     = "old-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

# Only this distribution may read the files, and only over TLS.
data "aws_iam_policy_document" "bucket" {
  count = local.create ? 1 : 0

  statement {
    sid       = "CloudFrontReadsThroughOriginAccessControl"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.this[0].arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.this[0].arn]
    }
  }

  statement {
    sid       = "DenyPlainHttp"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this[0].arn, "${aws_s3_bucket.this[0].arn}/*"]
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

resource "aws_s3_bucket_policy" "this" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  policy = data.aws_iam_policy_document.bucket[0].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_object" "file" {
  for_each = local.files

  bucket        = aws_s3_bucket.this[0].id
  key           = each.key
  source        = each.value.source
  etag          = var.kms_key_arn == null ? filemd5(each.value.source) : null
  source_hash   = filemd5(each.value.source)
  content_type  = each.value.content_type
  cache_control = each.value.cache_control
  tags          = var.tags

  depends_on = [aws_s3_bucket_ownership_controls.this]
}

resource "aws_s3_object" "config" {
  count = local.create ? 1 : 0

  bucket        = aws_s3_bucket.this[0].id
  key           = "config.json"
  content       = jsonencode(var.config)
  content_type  = "application/json"
  cache_control = "no-cache"
  tags          = var.tags

  depends_on = [aws_s3_bucket_ownership_controls.this]
}

resource "aws_cloudfront_origin_access_control" "this" {
  count = local.create ? 1 : 0

  name                              = var.name
  description                       = "CloudFront signs its requests to the ${var.name} bucket."
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "this" {
  #checkov:skip=CKV_AWS_259:HSTS is two years with subdomains; preload commits a whole registrable domain, which a cloudfront.net name is not and a custom domain's owner must choose.
  count = local.create ? 1 : 0

  name    = "${var.name}-security-headers"
  comment = "CSP naming the app's own APIs, HSTS, no framing, no sniffing."

  security_headers_config {
    content_security_policy {
      content_security_policy = local.content_security_policy
      override                = true
    }
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = false
      override                   = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    content_type_options {
      override = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
  }
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_174:The distribution uses CloudFront's default certificate, where CloudFront fixes the TLS policy; a custom domain and its certificate are not an input yet.
  #checkov:skip=CKV2_AWS_42:The app is served from its cloudfront.net name with CloudFront's certificate; a custom domain is not an input yet.
  #checkov:skip=CKV_AWS_374:The questionnaire is for people anywhere; a geo restriction would lock out legitimate users.
  #checkov:skip=CKV_AWS_310:The site's origin is one private bucket rebuilt by make apply, and the API origin is a regional API; a failover origin would need a replica of either kept in step.
  #checkov:skip=CKV2_AWS_47:The web ACL is the caller's web_acl_arn input (optional); its rule groups are chosen where it is made.
  count = local.create ? 1 : 0

  enabled             = true
  comment             = var.name
  default_root_object = "index.html"
  http_version        = "http2and3"
  is_ipv6_enabled     = true
  price_class         = var.price_class
  web_acl_id          = var.web_acl_arn
  tags                = var.tags

  origin {
    origin_id                = "site"
    domain_name              = aws_s3_bucket.this[0].bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this[0].id
  }

  dynamic "origin" {
    for_each = length(local.api_paths) > 0 ? [var.api_origin.domain_name] : []
    content {
      origin_id   = "api"
      domain_name = origin.value
      custom_origin_config {
        http_port              = 80
        https_port             = 443
        origin_protocol_policy = "https-only"
        origin_ssl_protocols   = ["TLSv1.2"]
      }
    }
  }

  default_cache_behavior {
    target_origin_id           = "site"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_optimized
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this[0].id
  }

  # The runtime configuration changes with every apply: never cached.
  ordered_cache_behavior {
    path_pattern               = "/config.json"
    target_origin_id           = "site"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_disabled
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this[0].id
  }

  # The API on the app's origin: never cached, every method, every header but Host.
  dynamic "ordered_cache_behavior" {
    for_each = local.api_paths
    content {
      path_pattern             = ordered_cache_behavior.value
      target_origin_id         = "api"
      viewer_protocol_policy   = "https-only"
      allowed_methods          = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
      cached_methods           = ["GET", "HEAD"]
      compress                 = true
      cache_policy_id          = local.caching_disabled
      origin_request_policy_id = local.all_viewer_except_host_header
    }
  }

  # SPA fallback: a path that is not a file (a deep link) gets the app, which routes it.
  # S3 answers 403 for a missing key when the reader may not list the bucket.
  dynamic "custom_error_response" {
    for_each = [403, 404]
    content {
      error_code            = custom_error_response.value
      response_code         = 200
      response_page_path    = "/index.html"
      error_caching_min_ttl = 10
    }
  }

  dynamic "logging_config" {
    for_each = var.access_logs == null ? [] : [var.access_logs]
    content {
      bucket          = local.log_bucket
      prefix          = logging_config.value.prefix
      include_cookies = false
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
