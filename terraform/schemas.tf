# The event contracts in an EventBridge schema registry, so consumers in AWS can find them and
# download code bindings (the EventBridge console, or `aws schemas get-code-binding-source`):
# one schema per detail-type, the whole event as a rule's target receives it, JSON Schema
# Draft 4, taken from contracts.json (the Python models, `make schemas`), never typed here.
resource "aws_schemas_registry" "contracts" {
  count = var.schema_registry.create ? 1 : 0

  name        = "${local.prefix}-events"
  description = "The ${local.prefix} platform's event contracts (generated from its models)."
}

resource "aws_schemas_schema" "contracts" {
  for_each = { for name, c in local.contracts : name => c if var.schema_registry.create }

  # AWS's own naming for discovered schemas: <source>@<detail-type>
  name          = "${each.value.source}@${each.value.detail_type}"
  registry_name = aws_schemas_registry.contracts[0].name
  type          = "JSONSchemaDraft4"
  description   = "${each.value.detail_type} from ${each.value.source} on the ${local.prefix} bus."
  content       = jsonencode(each.value.event_schema)
}
