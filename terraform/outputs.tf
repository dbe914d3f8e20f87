output "upload_url" {
  description = "POST order uploads here (JSON body = the UploadReceived detail): the web app's distribution, whose web ACL limits each caller (edge.tf); the HTTP API's own route when there is no distribution."
  value       = local.edge ? "${module.web.url}${local.upload_path}" : module.ingest_api.route_url
}

output "ingest_api_upload_url" {
  description = "The HTTP API's own POST /uploads (the origin behind upload_url): only its stage throttle applies here, shared by every caller. For tests and operators; publish upload_url."
  value       = module.ingest_api.route_url
}

output "edge_web_acl_arn" {
  description = "ARN of the web ACL in front of the web app and POST /uploads (CLOUDFRONT scope, us-east-1): the one edge.tf makes, or web.web_acl_arn."
  value       = local.edge ? local.edge_web_acl_arn : null
}

output "web_log_bucket_name" {
  description = "Bucket of the web app's CloudFront standard logs, when the plan made it (web.access_logs = {})."
  value       = module.web.log_bucket_name
}

output "event_bus_name" {
  description = "Name of the platform's event bus."
  value       = module.event_bus.bus_name
}

output "event_bus_arn" {
  description = "ARN of the platform's event bus."
  value       = module.event_bus.bus_arn
}

output "event_archive_arn" {
  description = "ARN of the bus's archive: `platform-ops replay` replays a time range of it to one rule."
  value       = module.event_bus.archive_arn
}

output "orders_table_name" {
  description = "Name of the orders table."
  value       = module.orders_table.name
}

output "dead_letter_queue_urls" {
  description = "Every queue where undeliverable or failed events end up: rule targets (\"rule/target\"), each function's failed asynchronous invocations (\"function:<name>\") and stream records that failed every retry (\"stream:<name>\")."
  value = merge(
    module.ingest_rules.dead_letter_queue_urls,
    module.async_rules.dead_letter_queue_urls,
    {
      "function:capture-order"   = module.capture_order.async_failure_queue_url
      "function:notify"          = module.notify.async_failure_queue_url
      "function:security"        = module.security.async_failure_queue_url
      "function:report-delivery" = module.report_delivery.async_failure_queue_url
      "stream:answers"           = module.answers_stream.stream_failure_queue_urls["answers"]
    },
    # The presence announcer's mapping queue, when presence is on.
    { for k, url in module.presence_stream.stream_failure_queue_urls : "stream:${k}" => url },
  )
}

output "poison_queue_url" {
  description = "The poison queue: events that can never succeed, each with its reason (the consumer that met it, the event)."
  value       = aws_sqs_queue.poison.url
}

output "realtime_api_id" {
  description = "Id of the AppSync Event API."
  value       = module.realtime.api_id
}

output "realtime_api_arn" {
  description = "ARN of the AppSync Event API."
  value       = module.realtime.api_arn
}

output "realtime_http_dns" {
  description = "HTTP host of the Event API (clients sign WebSocket requests for it)."
  value       = module.realtime.http_dns
}

output "realtime_publish_url" {
  description = "POST {\"channel\": \"/chat/lobby\", \"events\": [\"<json>\"]} here to publish."
  value       = module.realtime.publish_url
}

output "realtime_websocket_url" {
  description = "Clients connect here (subprotocols aws-appsync-event-ws + header-<auth>) to subscribe."
  value       = module.realtime.websocket_url
}

output "realtime_api_key" {
  description = "API key for apps (chat only); `terraform output -raw realtime_api_key`."
  value       = module.realtime.api_key
  sensitive   = true
}

output "realtime_api_key_expires" {
  description = "When the API key expires (RFC 3339, UTC); rotate with `terraform apply -replace=terraform_data.realtime_api_key_issued`."
  value       = local.realtime_api_key_expires
}

output "realtime_channel_namespace_arns" {
  description = "ARN of each channel namespace (grant appsync:EventPublish on reports to the report publisher)."
  value       = module.realtime.channel_namespace_arns
}

output "realtime_trusted_issuers" {
  description = "JWT issuers whose sub names a user on the private channels (/answers, /reports); no other token does."
  value       = local.realtime_trusted_issuers
}

output "realtime_user_sources" {
  description = "Who names a user on the private channels, each in a namespace of its own: the user pool's issuer (user id = sub), the OIDC issuer (oidc-<sub>), the Cognito identity pools (idp-<identity id>), the Lambda authoriser (lambda-<sub>); null or empty when not configured."
  value       = local.realtime_user_sources
}

output "realtime_waf_web_acl_arn" {
  description = "ARN of the WAF web ACL in front of the Event API."
  value       = module.realtime_waf.web_acl_arn
}

output "history_table_name" {
  description = "Name of the channel history table (durable channels keep their events there); null without realtime_history."
  value       = length(var.realtime_history) > 0 ? module.history_table.name : null
}

output "answers_table_name" {
  description = "Name of the answers table (its stream feeds the async services)."
  value       = module.answers_table.name
}

output "reports_table_name" {
  description = "Name of the reports table (report delivery stores every report there)."
  value       = module.reports_table.name
}

output "answers_stream_failure_queue_url" {
  description = "SQS queue of answer stream records that failed every retry (inspect, then replay)."
  value       = module.answers_stream.stream_failure_queue_urls["answers"]
}

output "async_function_names" {
  description = "Lambda functions of the async services, by role: answers stream, security service, report delivery."
  value = {
    answers_stream  = module.answers_stream.function_name
    security        = module.security.function_name
    report_delivery = module.report_delivery.function_name
  }
}

output "cognito_user_pool_id" {
  description = "Id of the platform's user pool (null when users.create is false)."
  value       = module.users.user_pool_id
}

output "cognito_user_pool_client_id" {
  description = "Id of the web app's client of the user pool (the audience of its tokens)."
  value       = module.users.client_id
}

output "cognito_issuer" {
  description = "Issuer URL of the user pool's tokens (for JWT authorizers)."
  value       = module.users.issuer
}

output "web_url" {
  description = "The questionnaire web app (sign in, answer, live report, history); null when web.create is false."
  value       = module.web.url
}

output "web_distribution_id" {
  description = "CloudFront distribution of the web app (invalidate /index.html after a deploy)."
  value       = module.web.distribution_id
}

output "reports_url" {
  description = "GET here with a user pool access token (Authorization: Bearer ...) for the caller's report history."
  value       = var.users.create ? "${module.ingest_api.api_endpoint}/reports" : null
}

output "answers_url" {
  description = "GET <url>?questionnaire=<id> with a user pool access token for the caller's saved answers to that questionnaire."
  value       = var.users.create ? "${module.ingest_api.api_endpoint}/answers" : null
}

output "channel_history_url" {
  description = "Catch-up on durable channels: GET <url>/<namespace>/<segments...>?after=<seq>&limit=<n> with a user pool token answers {events: [{id, seq, publishedAt, payload}], next}; null without users or history."
  value       = local.channel_history ? "${module.ingest_api.api_endpoint}/channels" : null
}

output "kms_key_arn" {
  description = "The customer-managed key that encrypts the platform's data at rest (null: AWS managed keys)."
  value       = local.kms_key_arn
}

output "kms_key_policy" {
  description = "The key policy the platform needs (JSON): applied to the key made here, or to be added to the key named by kms.key_arn. null without a key."
  value       = one(data.aws_iam_policy_document.kms_alarms[*].json)
}

output "alarm_topic_arn" {
  description = "The encrypted SNS topic every alarm of the platform notifies (null when alarms.enabled is false): subscribe your on-call tool to it."
  value       = one(aws_sns_topic.alarms[*].arn)
}

output "presence_url" {
  description = "GET <presence_url>/<namespace>/<segments...>: a channel's members and occupancy; POST there {\"action\": \"enter\"|\"update\"|\"heartbeat\"|\"leave\", \"data\": {...}} as a signed-in person. Announcements on /presence/<namespace>/<segments...>. null without presence."
  value       = local.presence ? "${module.ingest_api.api_endpoint}/presence" : null
}

output "presence_table_name" {
  description = "Name of the presence table (members, one item per channel and member); null without presence."
  value       = module.presence_table.name
}

output "schema_registry_name" {
  description = "The EventBridge schema registry of the event contracts (one schema per detail-type, named <source>@<detail-type>); null when schema_registry.create is false."
  value       = try(aws_schemas_registry.contracts[0].name, null)
}
