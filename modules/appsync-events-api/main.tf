# Provider 5.x has no Event API resources (aws_appsync_api and aws_appsync_channel_namespace
# arrived in 6.9), so the API, its namespaces, data sources and key are declared in one
# CloudFormation stack. The template is built only from values known at plan time; everything
# that may be unknown (ARNs, ids, the key's expiry) goes in as a stack parameter, so the plan
# shows the whole template and a test can lint it with cfn-lint.
#
# `{ for k, v in {...} : k => v if v != null }` drops unset optional properties: CloudFormation
# refuses explicit nulls.

data "aws_partition" "current" {}

data "aws_region" "current" {}

# Only when neither account_id nor a data source's function ARN tells the account.
data "aws_caller_identity" "current" {
  count = local.create && length(var.lambda_data_sources) == 0 && var.account_id == null ? 1 : 0
}

locals {
  create    = var.create
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  account_id = (
    var.account_id != null ? var.account_id
    : length(var.lambda_data_sources) > 0 ? provider::aws::arn_parse(values(var.lambda_data_sources)[0].function_arn).account_id
    : try(data.aws_caller_identity.current[0].account_id, null)
  )
  logging = var.log_level != "NONE"

  providers  = { for p in var.auth_providers : p.auth_type => p }
  cognito    = try(local.providers["AMAZON_COGNITO_USER_POOLS"].cognito_config, null)
  oidc       = try(local.providers["OPENID_CONNECT"].openid_connect_config, null)
  authorizer = try(local.providers["AWS_LAMBDA"].lambda_authorizer_config, null)
  # Which configs exist is decided by the auth types, always known at plan time: comparing a
  # config with null is unknown while it holds a value known only after apply (a user pool
  # created in the same apply), and would leave the whole template unknown.
  cognito_enabled    = contains(keys(local.providers), "AMAZON_COGNITO_USER_POOLS")
  oidc_enabled       = contains(keys(local.providers), "OPENID_CONNECT")
  authorizer_enabled = contains(keys(local.providers), "AWS_LAMBDA")

  # CloudFormation logical ids: letters and digits only.
  namespace_ids   = { for k, _ in var.channel_namespaces : k => join("", [for part in split("-", k) : title(part)]) }
  data_source_ids = { for k, _ in var.lambda_data_sources : k => join("", [for part in split("_", k) : title(part)]) }

  # --- stack parameters: every value that may be unknown at plan time ----------------------
  parameter_list = concat(
    local.logging ? [{ name = "LogRoleArn", value = try(aws_iam_role.logging[0].arn, "") }] : [],
    local.cognito_enabled ? [
      { name = "CognitoUserPoolId", value = local.cognito.user_pool_id },
      { name = "CognitoAwsRegion", value = coalesce(local.cognito.aws_region, local.region) },
    ] : [],
    local.oidc_enabled ? [{ name = "OidcIssuer", value = local.oidc.issuer }] : [],
    local.authorizer_enabled ? [{ name = "AuthorizerUri", value = local.authorizer.authorizer_uri }] : [],
    flatten([
      for k, ds in var.lambda_data_sources : [
        { name = "${local.data_source_ids[k]}FunctionArn", value = ds.function_arn },
        { name = "${local.data_source_ids[k]}RoleArn", value = try(aws_iam_role.data_source[k].arn, "") },
      ]
    ]),
  )
  parameters = { for p in local.parameter_list : p.name => p.value }

  ref = { for name, _ in local.parameters : name => { Ref = name } }

  auth_providers = [
    for p in var.auth_providers : { for k, v in {
      AuthType = p.auth_type
      CognitoConfig = p.auth_type != "AMAZON_COGNITO_USER_POOLS" ? null : { for k2, v2 in {
        UserPoolId       = local.ref["CognitoUserPoolId"]
        AwsRegion        = local.ref["CognitoAwsRegion"]
        AppIdClientRegex = p.cognito_config.app_id_client_regex
      } : k2 => v2 if v2 != null }
      OpenIDConnectConfig = p.auth_type != "OPENID_CONNECT" ? null : { for k2, v2 in {
        Issuer   = local.ref["OidcIssuer"]
        ClientId = p.openid_connect_config.client_id
        AuthTTL  = p.openid_connect_config.auth_ttl
        IatTTL   = p.openid_connect_config.iat_ttl
      } : k2 => v2 if v2 != null }
      LambdaAuthorizerConfig = p.auth_type != "AWS_LAMBDA" ? null : { for k2, v2 in {
        AuthorizerUri                = local.ref["AuthorizerUri"]
        AuthorizerResultTtlInSeconds = p.lambda_authorizer_config.authorizer_result_ttl_in_seconds
        IdentityValidationExpression = p.lambda_authorizer_config.identity_validation_expression
      } : k2 => v2 if v2 != null }
    } : k => v if v != null }
  ]

  cfn_tags = [for k in sort(keys(var.tags)) : { Key = k, Value = var.tags[k] }]

  api_resource = {
    Api = {
      Type = "AWS::AppSync::Api"
      Properties = { for k, v in {
        Name         = var.name
        OwnerContact = var.owner_contact
        EventConfig = { for k2, v2 in {
          AuthProviders             = local.auth_providers
          ConnectionAuthModes       = [for m in var.connection_auth_modes : { AuthType = m }]
          DefaultPublishAuthModes   = [for m in var.default_publish_auth_modes : { AuthType = m }]
          DefaultSubscribeAuthModes = [for m in var.default_subscribe_auth_modes : { AuthType = m }]
          LogConfig                 = local.logging ? { CloudWatchLogsRoleArn = local.ref["LogRoleArn"], LogLevel = var.log_level } : null
        } : k2 => v2 if v2 != null }
        Tags = length(local.cfn_tags) > 0 ? local.cfn_tags : null
      } : k => v if v != null }
    }
  }

  data_source_resources = {
    for k, ds in var.lambda_data_sources : "DataSource${local.data_source_ids[k]}" => {
      Type = "AWS::AppSync::DataSource"
      Properties = { for p, v in {
        ApiId          = { "Fn::GetAtt" = ["Api", "ApiId"] }
        Name           = k
        Type           = "AWS_LAMBDA"
        Description    = ds.description
        LambdaConfig   = { LambdaFunctionArn = local.ref["${local.data_source_ids[k]}FunctionArn"] }
        ServiceRoleArn = local.ref["${local.data_source_ids[k]}RoleArn"]
      } : p => v if v != null }
    }
  }

  namespace_resources = {
    for k, ns in var.channel_namespaces : "Namespace${local.namespace_ids[k]}" => { for p, v in {
      Type = "AWS::AppSync::ChannelNamespace"
      # Handlers name their data source, which CloudFormation does not see as a dependency.
      DependsOn = [
        for h in [ns.on_publish, ns.on_subscribe] : "DataSource${local.data_source_ids[h.data_source]}" if h != null
      ]
      Properties = { for p2, v2 in {
        ApiId              = { "Fn::GetAtt" = ["Api", "ApiId"] }
        Name               = k
        PublishAuthModes   = ns.publish_auth_modes == null ? null : [for m in ns.publish_auth_modes : { AuthType = m }]
        SubscribeAuthModes = ns.subscribe_auth_modes == null ? null : [for m in ns.subscribe_auth_modes : { AuthType = m }]
        HandlerConfigs = ns.on_publish == null && ns.on_subscribe == null ? null : { for op, h in {
          OnPublish   = ns.on_publish
          OnSubscribe = ns.on_subscribe
          } : op => {
          Behavior = h.behavior
          Integration = {
            DataSourceName = h.data_source
            LambdaConfig   = { InvokeType = h.invoke_type }
          }
        } if h != null }
        Tags = length(local.cfn_tags) > 0 ? local.cfn_tags : null
      } : p2 => v2 if v2 != null }
    } : p => v if p != "DependsOn" || length(v) > 0 }
  }

  template = {
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "AppSync Event API ${var.name}: API, channel namespaces, Lambda data sources (managed by Terraform)."
    Parameters               = { for name, _ in local.parameters : name => { Type = "String" } }
    Resources                = merge(local.api_resource, local.data_source_resources, local.namespace_resources)
    Outputs = merge(
      {
        ApiId       = { Value = { "Fn::GetAtt" = ["Api", "ApiId"] } }
        ApiArn      = { Value = { "Fn::GetAtt" = ["Api", "ApiArn"] } }
        HttpDns     = { Value = { "Fn::GetAtt" = ["Api", "Dns.Http"] } }
        RealtimeDns = { Value = { "Fn::GetAtt" = ["Api", "Dns.Realtime"] } }
      },
      { for k, id in local.namespace_ids : "Namespace${id}Arn" => { Value = { "Fn::GetAtt" = ["Namespace${id}", "ChannelNamespaceArn"] } } },
      { for k, id in local.data_source_ids : "DataSource${id}Arn" => { Value = { "Fn::GetAtt" = ["DataSource${id}", "DataSourceArn"] } } },
    )
  }
}

resource "aws_cloudformation_stack" "this" {
  #checkov:skip=CKV_AWS_124:Stack event notifications are opt-in (notification_arns); Terraform reports every stack failure itself.
  count = local.create ? 1 : 0

  name              = "${var.name}-event-api"
  template_body     = jsonencode(local.template)
  parameters        = local.parameters
  on_failure        = "DELETE"
  notification_arns = var.notification_arns
  tags              = var.tags

  # A data source must be able to invoke its function before the first event arrives.
  depends_on = [aws_iam_role_policy.data_source]

  timeouts {
    create = "30m"
    update = "30m"
    delete = "30m"
  }
}

# The API key lives in Terraform's state (sensitive), not in the stack: a CloudFormation output
# is readable by anyone allowed cloudformation:DescribeStacks, and on AppSync the key's id is
# the key itself.
resource "aws_appsync_api_key" "this" {
  count = local.create && var.api_key != null ? 1 : 0

  api_id      = aws_cloudformation_stack.this[0].outputs["ApiId"]
  description = var.api_key.description
  expires     = var.api_key.expires

  lifecycle {
    precondition {
      condition     = timecmp(var.api_key.expires, timeadd(plantimestamp(), "8760h")) <= 0
      error_message = "api_key.expires is more than 365 days ahead; AppSync refuses that. Choose an earlier date."
    }
  }
}

check "api_key_expiry" {
  assert {
    condition     = var.api_key == null ? true : timecmp(var.api_key.expires, timeadd(plantimestamp(), "720h")) > 0
    error_message = "The API key expires within 30 days (or has expired): set api_key.expires to a later date and apply, or clients using it are locked out."
  }
}

# AppSync writes to /aws/appsync/apis/<api id>; created here so that it has a retention period
# (and, optionally, a KMS key) instead of keeping logs forever.
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the caller's choice (log_retention_in_days): API request logs are operational, not an audit trail.
  count = local.create && local.logging ? 1 : 0

  name              = "/aws/appsync/apis/${aws_cloudformation_stack.this[0].outputs["ApiId"]}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_permission" "authorizer" {
  count = local.create && local.authorizer_enabled && var.create_lambda_authorizer_permission ? 1 : 0

  statement_id  = "AllowAppSyncEventApi-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = local.authorizer.authorizer_uri
  principal     = "appsync.amazonaws.com"
  source_arn    = aws_cloudformation_stack.this[0].outputs["ApiArn"]
}
