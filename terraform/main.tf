locals {
  prefix     = "${var.project}-${var.environment}"
  lambda_zip = coalesce(var.lambda_zip, "${path.root}/../dist/handlers.zip")

  # Source, detail-type and rule pattern of each event, generated from the Python models
  # (src/handlers/contracts.py) by `make schemas`; a test keeps the file in sync.
  contracts = jsondecode(file("${path.module}/contracts.json"))

  # The account id without an account lookup: taken from an ARN the platform creates, so
  # the plan works offline and IAM statements still name exact resources.
  account_id = provider::aws::arn_parse(module.event_bus.bus_arn).account_id
  partition  = provider::aws::arn_parse(module.event_bus.bus_arn).partition

  # Each producer may put its own contract only: its source and detail-type, on the bus.
  put_events_conditions = {
    for name, c in local.contracts : name => [
      { test = "StringEquals", variable = "events:source", values = [c.source] },
      { test = "StringEquals", variable = "events:detail-type", values = [c.detail_type] },
    ]
  }

  # Tables and the user pool that hold people's data or orders are protected in prod unless
  # an input says otherwise.
  protect_data = var.environment == "prod"

  code_signing_config_arn = one(aws_lambda_code_signing_config.this[*].arn)

  powertools_env = {
    POWERTOOLS_METRICS_NAMESPACE = var.project
    POWERTOOLS_LOG_LEVEL         = var.log_level
  }
}

# --- The platform's bus: one bus and its archive; each flow owns its rules on it ----------
# (ingest.tf: capture-order, notify; async.tf: security, report delivery).

module "event_bus" {
  source = "../modules/event-bus"

  name        = "${local.prefix}-events"
  description = "Events of the ${local.prefix} platform."
  archive     = { retention_days = var.event_archive_retention_days }

  kms_key_identifier = local.kms_key_arn
  dead_letter_queue  = { kms_master_key_id = local.kms_key_arn }

}

# --- Optional Lambda code signing (var.code_signing) ---------------------------------------

resource "aws_signer_signing_profile" "lambda" {
  count = var.code_signing.enabled ? 1 : 0

  # Signer profile names: letters, digits and underscores.
  name_prefix = "${replace(local.prefix, "-", "_")}_"
  platform_id = "AWSLambda-SHA384-ECDSA"
  tags        = var.tags
}

resource "aws_lambda_code_signing_config" "this" {
  count = var.code_signing.enabled ? 1 : 0

  description = "Signatures of the ${local.prefix} functions: ${var.code_signing.untrusted_artifact_on_deployment} on anything else."

  allowed_publishers {
    signing_profile_version_arns = [aws_signer_signing_profile.lambda[0].version_arn]
  }

  policies {
    untrusted_artifact_on_deployment = var.code_signing.untrusted_artifact_on_deployment
  }
}
