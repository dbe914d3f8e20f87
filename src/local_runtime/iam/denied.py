"""IAM's refusal as each service's wire protocol carries it.

- JSON APIs (``X-Amz-Target``; DynamoDB, EventBridge, SSM, Secrets Manager, ...): HTTP 400,
  ``AccessDeniedException`` (AWS's common errors, e.g. the DynamoDB API reference, "Common
  Errors").
- SQS (JSON, query-compatible): HTTP 403, ``AccessDenied`` (also in
  ``x-amzn-query-error``), the action in lower case, as SQS answers (e.g. "User: ... is not
  authorized to perform: sqs:sendmessage on resource: ..." quoted in
  aws/serverless-application-model#3633).
- Lambda (REST): HTTP 403, ``AccessDeniedException`` in ``x-amzn-ErrorType`` (Lambda's
  answer to a denied ``Invoke``, "Status Code: 403; Error Code: AccessDeniedException", quoted
  in awslabs/aws-deployment-framework#460).
- Query APIs (STS, SNS, ...): HTTP 403, an XML ``ErrorResponse`` with ``AccessDenied``.
"""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

from moto.secretsmanager.models import secretsmanager_backends
from werkzeug.wrappers import Response

from local_runtime.functions.invoke import LambdaError
from local_runtime.iam.identities import Denial
from local_runtime.iam.requests import Where


def response(denial: Denial, service: str, target: str) -> Response:
    message = denial.message
    if service == "lambda":
        status, headers, raw = LambdaError("AccessDeniedException", message, 403).render()
        answer = Response(raw, status=status, content_type="application/json")
        for name, value in headers.items():
            answer.headers[name] = value
        return answer
    if target.startswith("AmazonSQS."):
        answer = Response(
            json.dumps({"__type": "AccessDenied", "message": message}),
            status=403,
            content_type="application/x-amz-json-1.0",
        )
        answer.headers["x-amzn-query-error"] = "AccessDenied;Sender"
        return answer
    if target:
        body = json.dumps({"__type": "AccessDeniedException", "message": message})
        return Response(body, status=400, content_type="application/x-amz-json-1.1")
    xml = (
        "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
        f"<Message>{escape(message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId>"
        "</ErrorResponse>"
    )
    return Response(xml, status=403, content_type="text/xml")


def secret_arn(where: Where, secret: str) -> str | None:
    """The ARN of the secret named ``secret`` in the local AWS (Secrets Manager adds six
    random characters to a secret's name in its ARN); None when there is none."""
    try:
        found = secretsmanager_backends[where.account][where.region].secrets.get(secret)
    except KeyError:
        return None
    return None if found is None else str(found.arn)
