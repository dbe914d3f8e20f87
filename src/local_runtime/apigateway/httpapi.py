"""The planned HTTP APIs: their routes, EventBridge-PutEvents and Lambda integrations, throttling.

Follows the API Gateway developer guide ("Working with AWS service integrations for HTTP
APIs", "Integration subtype reference", "Throttling requests to your HTTP API"): the
integration's request parameters are evaluated against the request (``$request.body``,
``$request.body.<path>``, ``$request.header.<name>``, ``$request.querystring.<name>``,
``$context.requestId``, ``$context.authorizer.claims.<name>``, a constant, or a template that
embeds them as ``${request.body}``, ``${context.authorizer.claims.sub}``: "Transform API requests
for HTTP APIs", whose ``${...}`` form exists to combine values) into one ``PutEvents`` entry,
and the caller gets EventBridge's answer as it is, HTTP 200 with
``FailedEntryCount`` even when the entry was refused. A route with a JWT authorizer answers
401 ``{"message":"Unauthorized"}`` without a valid token of its issuer (``cognito``; issuers
must be user pools of the plan, as nothing else is reachable locally). The stage's default
route settings are a token bucket (``rate`` per second, ``burst`` tokens): beyond it the
answer is 429 ``{"message":"Too Many Requests"}``, as API Gateway answers. A request takes
its route as API Gateway selects one (``routes``: path variables, ``{proxy+}``, ``ANY``);
a request no planned route takes answers 404 ``{"message":"Not Found"}``.

Lambda proxy integrations follow "Working with AWS Lambda proxy integrations for HTTP APIs"
(payload format 2.0): the function gets the request as ``version`` 2.0 event (headers in
lower case, repeated ones joined by commas, the JWT authorizer's claims under
``requestContext.authorizer.jwt``); its answer is a response object (``statusCode``,
``headers``, ``cookies``, ``body``, ``isBase64Encoded``) or, without ``statusCode``, any JSON
value, returned as a 200 ``application/json`` body. A function error answers 500
``{"message":"Internal Server Error"}``, an integration timeout 503
``{"message":"Service Unavailable"}``, as API Gateway does.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from local_runtime import strict_json
from local_runtime.apigateway.routes import RouteError, RouteTable
from local_runtime.cognito.tokens import JwtVerifier, TokenError
from local_runtime.console import Console
from local_runtime.events.entries import MAX_DEPTH  # the value goes on to PutEvents
from local_runtime.functions.registry import Functions
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import HttpApiSpec, RouteSpec

_SOURCES = ("$request.body", "$request.header.", "$request.querystring.", "$context.")
_CONTEXT = ("$context.requestId", "$context.authorizer.claims.")
_TEMPLATE = re.compile(r"\$\{([^}]+)\}")


class TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def check_parameter(route: RouteSpec, name: str, expression: str) -> None:
    if not expression.startswith("$") or expression.startswith("${"):
        for inner in _TEMPLATE.findall(expression):
            check_parameter(route, name, "$" + inner)
        return
    if (
        expression == "$request.body"
        or expression.startswith(_SOURCES[:3])
        or expression.startswith(_CONTEXT)
    ):
        return
    raise UnsupportedError(
        f"{route.address}: request parameter {name} = {expression!r} is not evaluated locally"
    )


def evaluate(expression: str, body: str, request: web.Request, context: dict[str, Any]) -> Any:
    """The value of one request parameter's expression for this request."""
    value: Any = expression
    if not expression.startswith("$") or expression.startswith("${"):
        # A template: each ${...} replaced by its value as text (nothing for a missing one).
        return _TEMPLATE.sub(
            lambda m: str(evaluate("$" + m[1], body, request, context) or ""), expression
        )
    if expression == "$request.body":
        value = body
    elif expression.startswith("$request.body."):
        value = strict_json.loads(body, max_depth=MAX_DEPTH)
        for part in expression.removeprefix("$request.body.").split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not (isinstance(value, str) or value is None):
            value = json.dumps(value)
    elif expression.startswith("$request.header."):
        value = request.headers.get(expression.removeprefix("$request.header."))
    elif expression.startswith("$request.querystring."):
        value = request.query.get(expression.removeprefix("$request.querystring."))
    elif expression == "$context.requestId":
        value = context["requestId"]
    elif expression.startswith("$context.authorizer.claims."):
        claims = context.get("claims") or {}
        value = claims.get(expression.removeprefix("$context.authorizer.claims."))
    return value


def _answer(status: int, payload: Any, request_id: str) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(payload),
        content_type="application/json",
        headers={"apigw-requestid": request_id},
    )


def lambda_event(
    request: web.Request,
    body: bytes,
    route: RouteSpec,
    *,
    context: dict[str, Any],
    account_id: str,
    api_id: str,
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The payload format 2.0 event of ``request`` for ``route``."""
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    query: dict[str, str] = {}
    for name, value in request.query.items():
        query[name] = f"{query[name]},{value}" if name in query else value
    now = datetime.now(UTC)
    text_types = ("text/", "application/json", "application/xml", "application/javascript")
    is_text = headers.get("content-type", "").startswith(text_types) or not body
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{route.method} {route.path}",
        "rawPath": request.rel_url.raw_path,
        "rawQueryString": request.query_string,
        "headers": headers,
        "requestContext": {
            "accountId": account_id,
            "apiId": api_id,
            "domainName": request.host,
            "domainPrefix": request.host.split(".")[0],
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": f"HTTP/{request.version.major}.{request.version.minor}",
                "sourceIp": request.remote or "127.0.0.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": context["requestId"],
            "routeKey": f"{route.method} {route.path}",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": not is_text,
    }
    if "cookie" in headers:
        event["cookies"] = [c.strip() for c in headers.pop("cookie").split(";")]
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if is_text and body:
        # A "text" body that is not UTF-8 cannot be a JSON string: it goes base64-encoded, as
        # a binary body does ("isBase64Encoded"), so no byte is lost.
        try:
            event["body"] = body.decode()
        except UnicodeDecodeError:
            is_text = False
            event["isBase64Encoded"] = True
    if body and not is_text:
        event["body"] = base64.b64encode(body).decode()
    if route.authorizer is not None:
        claims = {
            k: v if isinstance(v, str) else json.dumps(v) for k, v in context["claims"].items()
        }
        scope = context["claims"].get("scope")
        event["requestContext"]["authorizer"] = {
            "jwt": {"claims": claims, "scopes": scope.split() if isinstance(scope, str) else None}
        }
    return event


def lambda_response(result: Any, request_id: str) -> web.Response:
    """API Gateway's answer for a function's result (payload format 2.0)."""
    if not (isinstance(result, dict) and "statusCode" in result):
        return _answer(200, result, request_id)
    raw = result.get("body")
    body = b""
    if isinstance(raw, str):
        body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
    headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
    if not any(k.lower() == "content-type" for k in headers):
        headers["content-type"] = "application/json"
    headers["apigw-requestid"] = request_id
    response = web.Response(status=int(result["statusCode"]), body=body, headers=headers)
    for cookie in result.get("cookies") or []:
        response.headers.add("Set-Cookie", cookie)
    return response


async def call_function(
    functions: Functions, function: str, event: dict[str, Any], route: RouteSpec, console: Console
) -> web.Response:
    """Invoke ``function`` with ``event`` (RequestResponse) and answer as API Gateway does."""
    request_id = event["requestContext"]["requestId"]
    http = event["requestContext"]["http"]
    console.hop("request", f"{http['method']} {http['path']} -> {function}", request_id)
    # Not cancelled midway (the function's own timeout stops it); a slower answer than the
    # integration allows is a timeout all the same.
    result = await functions.invoke(function, event, request_id, request_id)
    if result.duration_ms > route.timeout_seconds * 1000:
        console.hop("request", f"{function}: integration timeout", request_id, "fail")
        return _answer(503, {"message": "Service Unavailable"}, request_id)
    if not result.ok:
        console.hop("request", f"{function} failed: {result.error_type}", request_id, "fail")
        return _answer(500, {"message": "Internal Server Error"}, request_id)
    return lambda_response(result.payload, request_id)


async def _put_events(
    request: web.Request,
    api: HttpApiSpec,
    route: RouteSpec,
    context: dict[str, Any],
    *,
    put_events: Callable[[list[dict[str, Any]]], tuple[int, dict[str, Any]]],
    console: Console,
) -> web.Response:
    """The EventBridge-PutEvents integration: the entry its request parameters make, put on
    the bus, and EventBridge's answer."""
    request_id = context["requestId"]
    entry: dict[str, Any] = {}
    try:
        body = strict_json.decode(await request.read())
        for name, expression in route.request_parameters.items():
            value = evaluate(expression, body, request, context)
            if value is not None:
                entry[name] = value
        if isinstance(entry.get("Resources"), str):
            # PutEvents takes a list (PutEventsRequestEntry.Resources); how API Gateway turns
            # the one mapped value into it is not documented: here, a list of that value.
            entry["Resources"] = [entry["Resources"]]
    except strict_json.JsonRefusedError as exc:
        # A body that is not UTF-8, or not JSON where a mapping reads into it: the request
        # cannot be mapped, and API Gateway answers its 400 (README, "What differs").
        console.hop("request", f"{request.method} {request.path} -> 400: {exc}", request_id)
        return _answer(400, {"message": "Bad Request"}, request_id)
    console.hop("request", f"{request.method} {request.path} ({api.name})", request_id)
    status, answer = put_events([entry])
    if status != 200:
        console.hop("request", f"PutEvents refused: {answer}", request_id, "fail")
        return _answer(500, {"message": "Internal Server Error"}, request_id)
    if answer.get("FailedEntryCount"):
        console.hop("request", f"entry refused: {answer['Entries']}", request_id, "warn")
    return _answer(200, answer, request_id)


def http_api_app(
    apis: tuple[HttpApiSpec, ...],
    put_events: Callable[[list[dict[str, Any]]], tuple[int, dict[str, Any]]],
    console: Console,
    verifier: Callable[[str], JwtVerifier],
    *,
    functions: Functions,
    account_id: str = "123456789012",
) -> web.Application:
    """One aiohttp app serving every planned route (route keys must not collide);
    ``verifier`` gives the token checker of a JWT authorizer's issuer."""
    table: dict[tuple[str, str], tuple[HttpApiSpec, RouteSpec]] = {}
    routes: RouteTable[tuple[HttpApiSpec, RouteSpec]] = RouteTable()
    verifiers: dict[str, JwtVerifier] = {}
    buckets: dict[str, TokenBucket] = {}
    for api in apis:
        buckets[api.name] = TokenBucket(api.rate_limit, api.burst_limit)
        for route in api.routes:
            if route.authorizer is not None:
                verifiers[route.authorizer.issuer] = verifier(route.authorizer.issuer)
            for name, expression in route.request_parameters.items():
                check_parameter(route, name, expression)
            key = (route.method, route.path)
            if key in table:
                raise UnsupportedError(
                    f"{route.address}: {route.method} {route.path} is also a route of "
                    f"{table[key][0].name}; the local HTTP API serves all APIs on one port"
                )
            table[key] = (api, route)
            try:
                routes.add(f"{route.method} {route.path}", (api, route))
            except RouteError as exc:
                raise UnsupportedError(f"{route.address}: {exc}") from exc

    def authorize(route: RouteSpec, request: web.Request) -> dict[str, Any]:
        """The token's claims; TokenError when it does not authorise the route."""
        authorizer = route.authorizer
        if authorizer is None:
            return {}
        source = authorizer.identity_sources[0].removeprefix("$request.header.")
        token = request.headers.get(source, "").removeprefix("Bearer ").strip()
        if not token:
            raise TokenError(f"no token in {source}")
        return verifiers[authorizer.issuer].claims(
            token, authorizer.audience, route.authorization_scopes
        )

    async def handle(request: web.Request) -> web.Response:
        request_id = uuid.uuid4().hex[:16]
        found = routes.find(request.method, request.rel_url.raw_path)
        if found is None:
            console.hop("request", f"{request.method} {request.path} -> 404", request_id, "warn")
            return _answer(404, {"message": "Not Found"}, request_id)
        (api, route), path_parameters = found
        if not buckets[api.name].take():
            console.hop("request", f"{request.method} {request.path} -> 429", request_id, "warn")
            return _answer(429, {"message": "Too Many Requests"}, request_id)
        context: dict[str, Any] = {"requestId": request_id, "claims": {}}
        if route.authorizer is not None:
            try:
                context["claims"] = authorize(route, request)
            except TokenError as exc:
                console.hop(
                    "request", f"{request.method} {request.path} -> 401: {exc}", request_id, "warn"
                )
                return _answer(401, {"message": "Unauthorized"}, request_id)
        if route.function is not None:
            event = lambda_event(
                request,
                await request.read(),
                route,
                context=context,
                account_id=account_id,
                api_id=f"local-{api.name}",
                path_parameters=path_parameters,
            )
            return await call_function(functions, str(route.function), event, route, console)
        return await _put_events(
            request, api, route, context, put_events=put_events, console=console
        )

    app = web.Application(client_max_size=10 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", handle)
    return app
