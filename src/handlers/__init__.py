"""Lambda handlers of the serverless real-time event platform.

One package, one zip: each Lambda function points its handler string at
``handlers.<service>.handler.lambda_handler``. Handler modules are thin entry points;
the logic lives in plain functions over typed models, AWS calls behind a small
data-access layer.
"""
