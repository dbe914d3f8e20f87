"""Lambda: a worker process per function (``runtime``, ``worker``) and the DynamoDB stream
mappings that invoke them (``streams``)."""
