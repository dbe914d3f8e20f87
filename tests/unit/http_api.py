"""The payload (format 2.0) an HTTP API sends a Lambda route behind its JWT authoriser."""

from __future__ import annotations

import json
from typing import Any


def http_event(
    route: str,
    path: str,
    sub: str | None,
    query: dict[str, str] | None = None,
    *,
    claims: dict[str, str] | None = None,
    body: Any = None,
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``route`` as ``GET /reports``; ``sub`` None: no authoriser context (a route without one);
    ``claims``: the token's other claims (``iss``...); ``body``: JSON unless already text."""
    method = route.split(" ", 1)[0]
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "api",
        "domainName": "api.example.com",
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "198.51.100.7",
            "userAgent": "test",
        },
        "requestId": "req-1",
        "routeKey": route,
        "stage": "$default",
        "time": "22/Nov/2026:08:00:00 +0000",
        "timeEpoch": 1795334400000,
    }
    if sub is not None:
        context["authorizer"] = {
            "jwt": {
                "claims": {"sub": sub, "token_use": "access", **(claims or {})},
                "scopes": None,
            }
        }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": {"accept": "application/json", "content-type": "application/json"},
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    return event
