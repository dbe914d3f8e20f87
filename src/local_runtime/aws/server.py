"""The local AWS: moto's server on 127.0.0.1, with the platform's own EventBridge in front.

One endpoint (``aws_endpoint_url``) answers every service the handlers and the user call:
moto serves DynamoDB and its streams, SQS, SSM, Secrets Manager and the rest; EventBridge
requests (``X-Amz-Target: AWSEvents.*``) go to the runtime's bus instead, because moto's
EventBridge cannot invoke Lambda targets. Lambda's ``Invoke`` (``POST
/2015-03-31/functions/<name>/invocations``) goes to the runtime's functions too, so that an
operator's tool (``platform-ops redrive``) reaches them as it reaches Lambda in AWS. Those
requests are checked the way AWS checks them: a SigV4 signature recomputed with botocore for
a known access key.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from local_runtime.aws.sigv4 import verify_sigv4
from local_runtime.faults import Faults

EventsHandler = Callable[[str, dict[str, Any], str], tuple[int, dict[str, Any]]]


# (function name or ARN, invocation type, payload) -> (status, headers, body): Lambda's
# Invoke API ("Invoke", Lambda API reference).
InvokeHandler = Callable[[str, str, Any], tuple[int, dict[str, str], bytes]]


_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<function>[^/]+)/invocations$")


_DYNAMODB = "DynamoDB_20120810."


_DYNAMODB_READS = frozenset(
    {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "ExecuteStatement"}
)


class LocalAws:
    """moto's WSGI app behind a dispatcher that hands EventBridge calls to ``events``."""

    def __init__(
        self,
        port: int,
        secrets: dict[str, str],
        events: EventsHandler,
        invoke: InvokeHandler | None = None,
        *,
        faults: Faults | None = None,
        operator_keys: frozenset[str] = frozenset(),
    ) -> None:
        self.secrets = secrets
        self.events = events
        self.invoke = invoke
        self.faults = faults
        self.operator_keys = operator_keys
        # "arn:aws:dynamodb:<region>:<account>:", set once the plan is read.
        self.arn_prefix = "arn:aws:dynamodb:::"
        self._moto = DomainDispatcherApplication(create_backend_app)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server: BaseWSGIServer = make_server("127.0.0.1", port, self._app, threaded=True)
        self.port = self._server.server_port
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        invocation = _INVOKE_PATH.match(environ.get("PATH_INFO", ""))
        if invocation and self.invoke is not None:
            return self._invoke(environ, start_response, invocation["function"])
        if target.startswith(_DYNAMODB) and self._throttled(environ):
            return self._throttle(environ, start_response, target.removeprefix(_DYNAMODB))
        if not target.startswith("AWSEvents."):
            return self._moto(environ, start_response)  # type: ignore[no-any-return]
        request = Request(environ)
        body = request.get_data()
        key, problem = verify_sigv4(
            request.method,
            request.url,
            dict(request.headers.items()),
            body,
            secrets=self.secrets,
            service="events",
        )
        if problem:
            status, answer = 400, {"__type": "UnrecognizedClientException", "message": problem}
        else:
            try:
                payload = json.loads(body or b"{}")
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                status, answer = 400, {"__type": "SerializationException", "message": "bad JSON"}
            else:
                status, answer = self.events(target.removeprefix("AWSEvents."), payload, key or "")
        response = Response(
            json.dumps(answer), status=status, content_type="application/x-amz-json-1.1"
        )
        answered: Iterable[bytes] = response(environ, start_response)
        return answered

    def _throttled(self, environ: dict[str, Any]) -> bool:
        """Whether fault injection throttles this DynamoDB request: only requests signed by
        the platform's functions are, never the operator's (see ``faults.py``)."""
        if self.faults is None or not self.faults.rates["dynamodb_throttle"]:
            return False
        credential = environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2]
        key = credential.split("/", 1)[0]
        return key not in self.operator_keys and self.faults.hit("dynamodb_throttle")

    def _throttle(
        self, environ: dict[str, Any], start_response: Callable[..., Any], operation: str
    ) -> Iterable[bytes]:
        """DynamoDB's throttling answer (API reference, "ThrottlingReason"): HTTP 400,
        ``ProvisionedThroughputExceededException`` with the reason and the table's ARN."""
        try:
            body = json.loads(Request(environ).get_data() or b"{}")
        except ValueError:
            body = {}
        table = body.get("TableName") or next(iter(body.get("RequestItems") or {}), "")
        kind = "Read" if operation in _DYNAMODB_READS else "Write"
        answer = {
            "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "message": "Throughput exceeds the current capacity of your table or index. "
            "(injected fault)",
            "ThrottlingReasons": [
                {
                    "reason": f"Table{kind}KeyRangeThroughputExceeded",
                    "resource": f"{self.arn_prefix}table/{table}",
                }
            ],
        }
        response = Response(
            json.dumps(answer), status=400, content_type="application/x-amz-json-1.0"
        )
        answered: Iterable[bytes] = response(environ, start_response)
        return answered

    def _invoke(
        self, environ: dict[str, Any], start_response: Callable[..., Any], function: str
    ) -> Iterable[bytes]:
        """Lambda's Invoke: 202 for ``Event``, 200 with the function's answer (and
        ``X-Amz-Function-Error`` when it failed) for ``RequestResponse``."""
        from urllib.parse import unquote  # noqa: PLC0415

        request = Request(environ)
        body = request.get_data()
        _key, problem = verify_sigv4(
            request.method,
            request.url,
            dict(request.headers.items()),
            body,
            secrets=self.secrets,
            service="lambda",
        )
        if problem:
            error = {"Type": "User", "message": problem}
            response = Response(json.dumps(error), status=403, content_type="application/json")
        else:
            try:
                payload = json.loads(body or b"{}")
            except ValueError:
                payload = None
            kind = request.headers.get("X-Amz-Invocation-Type", "RequestResponse")
            invoke = self.invoke
            if invoke is None:  # not reached: _app routes here only with a handler
                raise RuntimeError("no Lambda Invoke handler")
            status, headers, answer = invoke(unquote(function), kind, payload)
            response = Response(answer, status=status, content_type="application/json")
            for name, value in headers.items():
                response.headers[name] = value
        answered: Iterable[bytes] = response(environ, start_response)
        return answered

    def client(self, service: str, region: str, key: str, secret: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        )
