"""The platform on one machine: the local runtime behind ``make local``.

It runs what ``terraform/`` plans — every function in a worker process of its own, the bus's
rules and targets, the planned DynamoDB streams, the HTTP API's routes — on 127.0.0.1, with
moto's server as the local AWS for tables, queues and parameters. Nothing about the platform is
written here: the runtime reads it from the plan (``plan``), so a change in Terraform changes
what runs locally.

This package is not part of the Lambda zip, and the handlers never import it. Where it
implements AWS behaviour itself (Lambda invocation, EventBridge routing, stream polling, the
HTTP API's EventBridge integration), each module cites the AWS documentation it follows; the
README's "Local platform" section lists what differs from AWS.
"""
