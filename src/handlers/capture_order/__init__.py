"""Order capture: ``UploadReceived`` -> one order in the orders table, idempotently."""
