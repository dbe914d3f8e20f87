"""A function that signs Event API operations with IAM is held to its role: ``EventPublish``
and ``EventSubscribe`` on the channel namespace, ``EventConnect`` on the API (Service
Authorization Reference, AWS AppSync); refused as AppSync refuses any caller."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from joserfc.jwk import KeySet

from local_runtime.appsync.auth import Authorizer
from local_runtime.appsync.errors import OperationError
from local_runtime.cognito.tokens import JwtVerifier
from local_runtime.functions.registry import Functions
from local_runtime.iam.identities import Identity
from local_runtime.iam.policy import Policies
from local_runtime.iam.requests import Where
from local_runtime.plan.changes import Plan
from local_runtime.plan.eventapi import AWS_IAM, read_event_apis, stack_outputs
from local_runtime.plan.fixture import load
from tests.local.platform import ROOT
from tests.unit.runtime.inprocess import FIXTURE

HOST = "127.0.0.1:4568"
KEY, SECRET = "AKIALOCALDELIVERY001", "delivery-secret"


class NoKeys(JwtVerifier):
    """The API's Cognito mode needs a verifier; these tests sign with IAM only."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.keys = KeySet([])


def authorizer(statements: list[dict[str, Any]]) -> Authorizer:
    plan = Plan(load(FIXTURE, ROOT))
    (spec,) = read_event_apis(plan, stack_outputs(plan, {"events_host": HOST}))
    policies = Policies([("delivery", {"Version": "2012-10-17", "Statement": statements})])
    role = "arn:aws:iam::123456789012:role/delivery"
    identity = Identity("assumed-role/delivery", role, policies, Where("eu-west-1", "123456789012"))
    return Authorizer(
        spec,
        host=HOST,
        api_key="da2-x",
        secrets={KEY: SECRET},
        principals={},
        identities={KEY: identity},
        verifier=NoKeys,
        functions=Functions({}),
        region="eu-west-1",
        account_id="123456789012",
    )


def signed(body: str) -> dict[str, str]:
    request = AWSRequest(
        method="POST",
        url=f"https://{HOST}/event",
        data=body,
        headers={"content-type": "application/json", "host": HOST},
    )
    SigV4Auth(Credentials(KEY, SECRET), "appsync", "eu-west-1").add_auth(request)
    return dict(request.headers.items())


def publish(auth: Authorizer, channel: str) -> str:
    body = json.dumps({"channel": channel, "events": ["{}"]}, separators=(",", ":"))
    context = {"operation": "PUBLISH", "channel": channel}
    try:
        caller = asyncio.run(auth.authorize((AWS_IAM,), signed(body), [body], "127.0.0.1", context))
    except OperationError as refused:
        return refused.error_type
    return caller.mode


def test_a_function_publishes_only_where_its_role_allows() -> None:
    api = authorizer([]).spec.api_id
    reports = f"arn:aws:appsync:eu-west-1:123456789012:apis/{api}/channelNamespace/reports"
    allowed = authorizer(
        [{"Effect": "Allow", "Action": "appsync:EventPublish", "Resource": reports}]
    )
    assert publish(allowed, "/reports/u-1") == AWS_IAM
    assert publish(allowed, "/chat/lobby") == "UnauthorizedException"
    assert publish(authorizer([]), "/reports/u-1") == "UnauthorizedException"


def test_connect_and_subscribe_are_their_own_actions() -> None:
    api = authorizer([]).spec.api_id
    arn = f"arn:aws:appsync:eu-west-1:123456789012:apis/{api}"
    auth = authorizer([{"Effect": "Allow", "Action": "appsync:EventConnect", "Resource": arn}])
    connected = asyncio.run(
        auth.authorize((AWS_IAM,), signed("{}"), ["{}"], "127.0.0.1", {"operation": "CONNECT"})
    )
    assert connected.mode == AWS_IAM
    body = json.dumps({"channel": "/reports/u-1"}, separators=(",", ":"))
    with pytest.raises(OperationError, match=r"You are not authorized to make this call\."):
        asyncio.run(
            auth.authorize(
                (AWS_IAM,),
                signed(body),
                [body],
                "127.0.0.1",
                {"operation": "SUBSCRIBE", "channel": "/reports/u-1"},
            )
        )
