"""Who may connect, publish and subscribe: the API's auth modes, per operation, against the
namespace's modes (the API's defaults when it sets none): API key (and its expiry), IAM
(SigV4, service ``appsync``, verified with botocore against the local credentials), Cognito
user pools (JWTs of the plan's pool), Lambda authorizer (the configured function, its
``isAuthorized``, ``handlerContext`` and ``ttlOverride``); a function signing with IAM is
held to its role's policies (``iam``); a refusal is
``UnauthorizedException``. The caller's ``identity`` is the shape AppSync hands handlers."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from local_runtime.appsync.errors import UNAUTHORIZED, OperationError
from local_runtime.aws.sigv4 import verify_sigv4
from local_runtime.cognito.tokens import JwtVerifier, TokenError
from local_runtime.functions.registry import Functions
from local_runtime.iam.identities import Identity
from local_runtime.iam.policy import Authorization
from local_runtime.plan.eventapi import API_KEY, AWS_IAM, COGNITO, LAMBDA, EventApiSpec


@dataclass
class Caller:
    mode: str
    identity: dict[str, Any] | None
    headers: dict[str, str]


def decode_header(protocol: str) -> dict[str, str]:
    encoded = protocol.removeprefix("header-")
    raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    decoded = json.loads(raw)
    if not isinstance(decoded, dict):
        raise TypeError("the auth header is not a JSON object")
    return {str(k): str(v) for k, v in decoded.items()}


class Authorizer:
    def __init__(
        self,
        spec: EventApiSpec,
        *,
        host: str,
        api_key: str,
        secrets: dict[str, str],
        principals: dict[str, str],
        verifier: Callable[[str], JwtVerifier] | None,
        identities: Mapping[str, Identity] | None = None,
        functions: Functions,
        region: str,
        account_id: str,
    ) -> None:
        self.spec = spec
        self.host = host
        self.api_key = api_key
        self.secrets = secrets
        self.principals = principals
        self.identities = identities or {}
        self.functions = functions
        self.region = region
        self.account_id = account_id
        self._authorizer_cache: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._verifier: JwtVerifier | None = None
        cognito = spec.providers.get(COGNITO)
        if cognito is not None:
            if verifier is None or not cognito.user_pool_id:
                raise ValueError("a Cognito auth mode needs a user pool of the plan")
            issuer = f"https://cognito-idp.{region}.amazonaws.com/{cognito.user_pool_id}"
            self._verifier = verifier(issuer)
        lambda_provider = spec.providers.get(LAMBDA)
        if lambda_provider and lambda_provider.authorizer_function not in functions:
            raise ValueError(f"authorizer {lambda_provider.authorizer_function} is not planned")

    async def authorize(
        self,
        modes: tuple[str, ...],
        headers: dict[str, str],
        bodies: list[str],
        source_ip: str,
        context: dict[str, Any],
    ) -> Caller:
        """The caller, if ``headers`` authorise this request by one of ``modes``."""
        lower = {k.lower(): v for k, v in headers.items()}
        token = lower.get("authorization", "")
        if "x-api-key" in lower and API_KEY in modes:
            expires = self.spec.api_key_expires
            if (
                self.spec.has_api_key
                and lower["x-api-key"] == self.api_key
                and (expires is None or time.time() < expires)
            ):
                return Caller(API_KEY, None, headers)
        elif token.startswith("AWS4-HMAC-SHA256 ") and AWS_IAM in modes:
            for body in bodies:
                key, _ = verify_sigv4(
                    "POST",
                    f"https://{lower.get('host', self.host)}/event",
                    lower,
                    body.encode(),
                    secrets=self.secrets,
                    service="appsync",
                )
                if key is not None:
                    self._iam_allows(key, context)
                    return Caller(AWS_IAM, self._iam_identity(key, source_ip), headers)
        elif token:
            if COGNITO in modes and self._verifier is not None:
                with contextlib.suppress(TokenError):
                    claims = self._verifier.claims(token.removeprefix("Bearer "), ())
                    if self._client_allowed(claims):
                        return Caller(COGNITO, self._cognito_identity(claims, source_ip), headers)
            if LAMBDA in modes:
                identity = await self._lambda_authorize(token, headers, context)
                if identity is not None:
                    return Caller(LAMBDA, identity, headers)
        raise OperationError("UnauthorizedException", UNAUTHORIZED)

    def _iam_allows(self, key: str, context: dict[str, Any]) -> None:
        """A function's role must allow the operation (Service Authorization Reference,
        "Actions, resources, and condition keys for AWS AppSync": ``EventConnect`` on the
        API, ``EventPublish`` and ``EventSubscribe`` on the channel namespace); refused as
        any caller AppSync does not authorise."""
        identity = self.identities.get(key)
        if identity is None:
            return
        api = f"arn:aws:appsync:{self.region}:{self.account_id}:apis/{self.spec.api_id}"
        operation = context.get("operation")
        if operation == "CONNECT":
            asked = Authorization("appsync:EventConnect", api)
        else:
            namespace = str(context.get("channel", "/")).split("/")[1]
            action = "EventPublish" if operation == "PUBLISH" else "EventSubscribe"
            asked = Authorization(f"appsync:{action}", f"{api}/channelNamespace/{namespace}")
        if identity.check([asked]) is not None:
            raise OperationError("UnauthorizedException", UNAUTHORIZED)

    def _client_allowed(self, claims: dict[str, Any]) -> bool:
        provider = self.spec.providers[COGNITO]
        if not provider.app_id_client_regex:
            return True
        client = claims.get("client_id") or claims.get("aud") or ""
        return re.fullmatch(provider.app_id_client_regex, str(client)) is not None

    def _iam_identity(self, key: str, source_ip: str) -> dict[str, Any]:
        # The shape of AppSync's IAM identity (resolver context reference).
        return {
            "accountId": self.account_id,
            "cognitoIdentityAuthProvider": None,
            "cognitoIdentityAuthType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "sourceIp": [source_ip],
            "userArn": self.principals.get(key, f"arn:aws:iam::{self.account_id}:user/{key}"),
            "username": key,
        }

    @staticmethod
    def _cognito_identity(claims: dict[str, Any], source_ip: str) -> dict[str, Any]:
        return {
            "sub": claims.get("sub"),
            "issuer": claims.get("iss"),
            "username": claims.get("cognito:username") or claims.get("username"),
            "claims": claims,
            "sourceIp": [source_ip],
            "defaultAuthStrategy": "ALLOW",
            "groups": claims.get("cognito:groups"),
        }

    async def _lambda_authorize(
        self, token: str, headers: dict[str, str], context: dict[str, Any]
    ) -> dict[str, Any] | None:
        provider = self.spec.providers[LAMBDA]
        cached = self._authorizer_cache.get(token)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        request = {
            "authorizationToken": token,
            "requestContext": {
                "apiId": self.spec.name,
                "accountId": self.account_id,
                "requestId": str(uuid.uuid4()),
                **context,
            },
            "requestHeaders": headers,
        }
        result = await self.functions.invoke(str(provider.authorizer_function), request, "auth")
        answer = result.payload if result.ok and isinstance(result.payload, dict) else {}
        identity = (
            {"handlerContext": answer.get("handlerContext") or {}}
            if answer.get("isAuthorized") is True
            else None
        )
        ttl = int(answer.get("ttlOverride", provider.authorizer_ttl_seconds) or 0)
        if ttl > 0:
            self._authorizer_cache[token] = (time.monotonic() + ttl, identity)
        return identity
