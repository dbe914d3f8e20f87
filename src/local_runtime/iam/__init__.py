"""IAM, evaluated locally: each function's requests are decided by its planned role's
identity-based policies, as AWS decides them (``policy``), before the local AWS serves them."""
