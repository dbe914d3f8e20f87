"""The local AWS: moto's server on 127.0.0.1, with the platform's own services in front.

One endpoint (``aws_endpoint_url``) answers every service the handlers and the user call:
moto serves DynamoDB and its streams, SQS, SSM, Cognito and the rest; EventBridge requests
(``X-Amz-Target: AWSEvents.*``) go to the runtime's bus instead, because moto's EventBridge
cannot invoke Lambda targets, and Lambda's ``Invoke`` (``POST
/2015-03-31/functions/<name>/invocations``) goes to the runtime's functions. Those two are
checked the way AWS checks a request: a SigV4 signature recomputed with botocore for a known
access key (``sigv4``), refused with AWS's error for each fault. The bus and the functions are
mounted once the plan is read (the server starts first: the plan's user pools are made in it).
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from local_runtime.aws import streams, transactions
from local_runtime.aws.sigv4 import verify_sigv4
from local_runtime.cognito import signin
from local_runtime.faults import Faults
from local_runtime.functions.invoke import InvokeApi, LambdaError
from local_runtime.iam import denied
from local_runtime.iam.identities import Identity
from local_runtime.iam.requests import authorizations, lambda_invoke

# (operation, payload) -> (status, answer): EventBridge's JSON API (``EventBus.handle``).
EventsHandler = Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]]
_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<function>[^/]+)/invocations$")
_DYNAMODB = "DynamoDB_20120810."
_DYNAMODB_READS = frozenset(
    {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "ExecuteStatement"}
)
_JSON_11 = "application/x-amz-json-1.1"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _respond(
    environ: dict[str, Any], start_response: Callable[..., Any], response: Response
) -> Iterable[bytes]:
    answered: Iterable[bytes] = response(environ, start_response)
    return answered


class LocalAws:
    """moto's WSGI app behind a dispatcher that hands EventBridge and Lambda Invoke calls to
    the runtime, and throttles the functions' DynamoDB calls when faults say so."""

    def __init__(
        self,
        port: int,
        secrets: dict[str, str],
        faults: Faults,
        *,
        operator_keys: frozenset[str] = frozenset(),
        retention_seconds: float = streams.AWS_RETENTION_SECONDS,
    ) -> None:
        self.secrets = secrets
        self.faults = faults
        self.operator_keys = operator_keys
        self.events: EventsHandler | None = None
        self.invoke: InvokeApi | None = None
        # Access key -> the function whose key it is, and its role's policies (``iam``).
        self.identities: dict[str, Identity] = {}
        # "arn:aws:dynamodb:<region>:<account>:", set once the plan is read.
        self.arn_prefix = "arn:aws:dynamodb:::"
        transactions.install()  # moto's TransactWriteItems without whole-table copies
        self.retention = streams.StreamRetention(retention_seconds)
        self._moto: WsgiApp = DomainDispatcherApplication(create_backend_app)
        self._srp = signin.SrpSignIn(self._moto)
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

    def client(self, service: str, region: str, key: str, secret: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        )

    # --- dispatch -----------------------------------------------------------------------------

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        invocation = _INVOKE_PATH.match(environ.get("PATH_INFO", ""))
        refusal = self._authorize(environ, target, invocation)
        if refusal is not None:
            return _respond(environ, start_response, refusal)
        if invocation and self.invoke is not None:
            return _respond(environ, start_response, self._invoke(environ, invocation["function"]))
        if target.startswith("AWSEvents.") and self.events is not None:
            answer = self._events(environ, target.removeprefix("AWSEvents."))
            return _respond(environ, start_response, answer)
        for prefix, handle in ((signin.TARGET, self._cognito), (streams.TARGET, self._streams)):
            if target.startswith(prefix):
                return handle(environ, start_response, target.removeprefix(prefix))
        if target.startswith(_DYNAMODB) and self._throttled(environ):
            answer = self._throttle(environ, target.removeprefix(_DYNAMODB))
            return _respond(environ, start_response, answer)
        return self._moto(environ, start_response)

    def _authorize(
        self, environ: dict[str, Any], target: str, invocation: re.Match[str] | None
    ) -> Response | None:
        """IAM's answer when a function's role may not make this request (``iam``); None when
        it may, or when the caller is not a function (the operator, the web app's browser)."""
        scope = environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2].split("/")
        identity = self.identities.get(scope[0])
        if identity is None:
            return None
        service = scope[3] if len(scope) > 3 else ""
        data = Request(environ).get_data()
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(data), str(len(data))
        if invocation is not None:
            query = parse_qs(environ.get("QUERY_STRING", ""))
            asked = lambda_invoke(
                unquote(invocation["function"]),
                (query.get("Qualifier") or [None])[0],
                identity.where,
            )
        else:
            asked = authorizations(
                service=service,
                target=target,
                body=data,
                query=environ.get("QUERY_STRING", ""),
                where=identity.where,
                secret_arn=lambda secret: denied.secret_arn(identity.where, secret),
            )
        refusal = identity.check(asked)
        return None if refusal is None else denied.response(refusal, service, target)

    def _cognito(
        self, environ: dict[str, Any], start_response: Callable[..., Any], operation: str
    ) -> Iterable[bytes]:
        """Cognito's SRP sign-in steps go through ``signin`` (the password checked); every
        other Cognito call straight to moto."""
        request = Request(environ)
        data = request.get_data()
        try:
            body = json.loads(data or b"{}")
        except ValueError:
            body = None
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(data), str(len(data))
        if not isinstance(body, dict) or not self._srp.handles(operation, body):
            return self._moto(environ, start_response)
        status, headers, answer = self._srp.answer(operation, environ, body)
        start_response(status, headers)
        return [answer]

    def _streams(
        self, environ: dict[str, Any], start_response: Callable[..., Any], operation: str
    ) -> Iterable[bytes]:
        """DynamoDB Streams with its retention (``streams``), then moto."""
        data = Request(environ).get_data()
        try:
            body = json.loads(data or b"{}")
        except ValueError:
            body = None
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(data), str(len(data))
        refusal = self.retention.answer(operation, body)
        if refusal is not None:
            return _respond(environ, start_response, refusal)
        return self._moto(environ, start_response)

    def _signed_by(self, request: Request, service: str) -> tuple[str | None, Any]:
        # The path exactly as the client sent and signed it (an ARN's colons stay escaped).
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
        url = f"{request.host_url.rstrip('/')}{raw}" if raw else request.url
        return verify_sigv4(
            request.method,
            url,
            dict(request.headers.items()),
            request.get_data(),
            secrets=self.secrets,
            service=service,
        )

    def _events(self, environ: dict[str, Any], operation: str) -> Response:
        request = Request(environ)
        _key, problem = self._signed_by(request, "events")
        if problem:
            status, answer = problem.status, {"__type": problem.code, "message": problem.message}
        else:
            try:
                payload = json.loads(request.get_data() or b"{}")
            except ValueError:
                payload = None
            if not isinstance(payload, dict) or self.events is None:
                status = 400
                answer = {"__type": "SerializationException", "message": "the body is not JSON"}
            else:
                status, answer = self.events(operation, payload)
        return Response(json.dumps(answer), status=status, content_type=_JSON_11)

    def _invoke(self, environ: dict[str, Any], function: str) -> Response:
        """Lambda's Invoke (``functions.invoke``), once the caller's signature holds."""
        request = Request(environ)
        _key, problem = self._signed_by(request, "lambda")
        if problem or self.invoke is None:
            code, message, status = (
                (problem.code, problem.message, problem.status)
                if problem
                else ("ServiceException", "no functions are mounted", 500)
            )
            status, headers, body = LambdaError(code, message, status).render()
        else:
            qualifier = (parse_qs(environ.get("QUERY_STRING", "")).get("Qualifier") or [None])[0]
            status, headers, body = self.invoke.invoke(
                unquote(function),
                request.headers.get("X-Amz-Invocation-Type", "RequestResponse"),
                qualifier,
                request.get_data(),
                request.headers.get("X-Amz-Log-Type"),
            )
        response = Response(body, status=status, content_type="application/json")
        for name, value in headers.items():
            response.headers[name] = value
        return response

    # --- the throttling fault -----------------------------------------------------------------

    def _throttled(self, environ: dict[str, Any]) -> bool:
        """Whether fault injection throttles this DynamoDB request: only requests signed by
        the platform's functions are, never the operator's (see ``faults.py``)."""
        if not self.faults.rates["dynamodb_throttle"]:
            return False
        credential = environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2]
        key = credential.split("/", 1)[0]
        return key not in self.operator_keys and self.faults.hit("dynamodb_throttle")

    def _throttle(self, environ: dict[str, Any], operation: str) -> Response:
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
        return Response(json.dumps(answer), status=400, content_type="application/x-amz-json-1.0")
