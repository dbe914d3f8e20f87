output "upload_url" {
  description = "POST order uploads here (JSON body = the UploadReceived detail)."
  value       = module.ingest_api.route_url
}

output "event_bus_name" {
  description = "Name of the platform's event bus."
  value       = module.event_bus.bus_name
}

output "event_bus_arn" {
  description = "ARN of the platform's event bus."
  value       = module.event_bus.bus_arn
}

output "orders_table_name" {
  description = "Name of the orders table."
  value       = module.orders_table.name
}

output "dead_letter_queue_urls" {
  description = "Every queue where undeliverable or failed events end up: rule targets (\"rule/target\") and each function's failed asynchronous invocations (\"function:<name>\")."
  value = merge(
    module.event_bus.dead_letter_queue_urls,
    {
      "function:capture-order" = module.capture_order.async_failure_queue_url
      "function:notify"        = module.notify.async_failure_queue_url
    },
  )
}
