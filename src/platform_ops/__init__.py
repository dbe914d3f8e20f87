"""``platform-ops``: the operator's tool for the platform's queues (list, show, redrive) and
its bus archive (replay). Works on a deployment in AWS and on ``make local`` alike: the
queues come from the deployment's Terraform outputs. Not part of the Lambda zip."""
