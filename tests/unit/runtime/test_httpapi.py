"""The HTTP API in process: the EventBridge-PutEvents integration's mapping, and requests it
cannot map refused with API Gateway's 400 while the server stays up; a Lambda route's body
that is not UTF-8 reaches the function base64-encoded, every byte kept."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from local_runtime.apigateway.httpapi import http_api_app, lambda_event
from local_runtime.console import Console
from local_runtime.functions.registry import Functions
from local_runtime.plan.models import HttpApiSpec, RouteSpec

Put = list[list[dict[str, Any]]]


def api(parameters: dict[str, str]) -> HttpApiSpec:
    route = RouteSpec(
        address="aws_apigatewayv2_route.uploads",
        method="POST",
        path="/uploads",
        integration_subtype="EventBridge-PutEvents",
        request_parameters=parameters,
        authorizer=None,
        authorization_scopes=(),
    )
    return HttpApiSpec(
        address="aws_apigatewayv2_api.ingest",
        name="ingest",
        routes=(route,),
        rate_limit=1000,
        burst_limit=1000,
        cors_allow_origins=(),
    )


def serve(
    parameters: dict[str, str], check: Callable[[TestClient[Any, Any], Put], Awaitable[None]]
) -> None:
    put: Put = []

    def put_events(entries: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
        put.append(entries)
        return 200, {"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]}

    async def run() -> None:
        app = http_api_app(
            (api(parameters),),
            put_events,
            Console(verbosity=0),
            lambda issuer: pytest.fail(f"no authorizer here ({issuer})"),
            functions=Functions({}),
        )
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await check(client, put)

    asyncio.run(run())


MAPPING = {
    "Source": "platform.ingest",
    "DetailType": "UploadReceived.v3",
    "Detail": "$request.body",
    "EventBusName": "bus",
}


def test_the_body_is_mapped_into_the_entry() -> None:
    async def check(client: TestClient[Any, Any], put: Put) -> None:
        answer = await client.post("/uploads", data=b'{"orderId": "o-1"}')
        assert answer.status == 200
        assert await answer.json() == {"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]}
        assert put == [[{**MAPPING, "Detail": '{"orderId": "o-1"}'}]]

    serve(MAPPING, check)


def test_a_mapped_resource_becomes_the_entrys_list_and_the_body_stays_as_sent() -> None:
    body = b'{"orderId": "o-1"},"customerId":"evil"'  # not JSON: EventBridge will refuse it

    async def check(client: TestClient[Any, Any], put: Put) -> None:
        answer = await client.post("/uploads", data=body)
        assert answer.status == 200
        assert put == [
            [
                {
                    **MAPPING,
                    "Detail": body.decode(),
                    "Resources": ["customer/anonymous"],
                }
            ]
        ]

    serve({**MAPPING, "Resources": "customer/anonymous"}, check)


@pytest.mark.parametrize(
    ("parameters", "body"),
    [
        (MAPPING, b'{"orderId": "\xff\xfe"}'),
        ({**MAPPING, "Detail": "$request.body.order"}, b"[1, 2"),
        ({**MAPPING, "Detail": "$request.body.order"}, b'{"order": NaN}'),
        ({**MAPPING, "Detail": "$request.body.order"}, b"[" * 1001 + b"]" * 1001),
    ],
)
def test_a_body_that_cannot_be_mapped_is_a_400_and_the_server_stays_up(
    parameters: dict[str, str], body: bytes
) -> None:
    async def check(client: TestClient[Any, Any], put: Put) -> None:
        refused = await client.post("/uploads", data=body)
        assert refused.status == 400
        assert await refused.json() == {"message": "Bad Request"}
        assert refused.headers["apigw-requestid"]
        assert put == []
        served = await client.post("/uploads", data=b'{"order": {"id": 1}}')
        assert served.status == 200

    serve(parameters, check)


def test_a_lambda_body_that_is_not_utf8_arrives_base64_encoded() -> None:
    route = RouteSpec(
        address="aws_apigatewayv2_route.reports",
        method="POST",
        path="/reports",
        integration_subtype="",
        request_parameters={},
        authorizer=None,
        authorization_scopes=(),
        function="history",
    )
    seen: dict[str, Any] = {}

    async def run() -> None:
        async def handle(request: web.Request) -> web.Response:
            body = b"caf\xe9 \xff"
            seen["event"] = lambda_event(
                request, body, route, context={"requestId": "r-1"}, account_id="1", api_id="a"
            )
            seen["text"] = lambda_event(
                request,
                b"caf\xc3\xa9",
                route,
                context={"requestId": "r-2"},
                account_id="1",
                api_id="a",
            )
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/reports", handle)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await client.post("/reports", data=b"x", headers={"Content-Type": "text/plain"})

    asyncio.run(run())
    assert seen["event"]["isBase64Encoded"] is True
    assert base64.b64decode(seen["event"]["body"]) == b"caf\xe9 \xff"
    assert seen["text"]["isBase64Encoded"] is False
    assert seen["text"]["body"] == "café"
