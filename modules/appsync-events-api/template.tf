# The CloudFormation template of the Event API (aws_cloudformation_stack.this in main.tf).
#
# It is built only from values known at plan time; everything that may be unknown (ARNs, ids)
# goes in as a stack parameter, so the plan shows the whole template and a test can lint it
# with cfn-lint. `{ for k, v in {...} : k => v if v != null }` drops unset optional
# properties: CloudFormation refuses explicit nulls.
#
# DeletionPolicy and UpdateReplacePolicy Retain on every resource: when this module moves to
# the native resources (README, "Moving to native resources"), the stack is removed and the
# API, its namespaces and data sources stay, to be imported; nothing clients use is destroyed.

locals {
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
      Type                = "AWS::AppSync::Api"
      DeletionPolicy      = "Retain"
      UpdateReplacePolicy = "Retain"
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
      Type                = "AWS::AppSync::DataSource"
      DeletionPolicy      = "Retain"
      UpdateReplacePolicy = "Retain"
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
      Type                = "AWS::AppSync::ChannelNamespace"
      DeletionPolicy      = "Retain"
      UpdateReplacePolicy = "Retain"
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
