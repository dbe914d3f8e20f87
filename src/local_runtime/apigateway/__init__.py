"""API Gateway HTTP APIs: routes, the EventBridge-PutEvents and Lambda proxy integrations."""
