"""Who is calling: the user id of an AppSync Events caller, for each auth mode.

AppSync passes ``identity`` in a shape that depends on the auth mode of the request:

- API key: ``null``. An API key names an app, not a user: no user id.
- Cognito user pools: ``sub``, ``issuer`` (``https://cognito-idp...``), ``username``,
  ``claims``, ... The user id is ``sub``.
- OpenID Connect: ``sub``, ``issuer``, ``claims``. The user id is ``sub``.
- IAM (SigV4): ``accountId``, ``userArn``, ``cognitoIdentityId``, ... A Cognito identity pool
  caller is identified by its identity id (every one of them shares the pool's role, so the
  ARN does not tell them apart); the region prefix is dropped because a channel segment may
  not hold a colon. Other IAM callers are identified by their ARN's principal name: the user
  name of an IAM user, the session name of an assumed role.
- Lambda authoriser: ``handlerContext``, whatever the authoriser returned. This platform's
  contract: the authoriser puts the user id in ``handlerContext.sub``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class AuthKind(StrEnum):
    API_KEY = "API_KEY"
    COGNITO = "AMAZON_COGNITO_USER_POOLS"
    OIDC = "OPENID_CONNECT"
    IAM = "AWS_IAM"
    LAMBDA = "AWS_LAMBDA"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Caller:
    kind: AuthKind
    user_id: str | None

    @property
    def label(self) -> str:
        """How the caller is named in payloads and logs."""
        return self.user_id or "anonymous"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _iam_user_id(identity: Mapping[str, Any]) -> str | None:
    identity_id = _text(identity.get("cognitoIdentityId"))
    if identity_id:
        return identity_id.rpartition(":")[2] or None
    arn = _text(identity.get("userArn")) or ""
    # arn:aws:iam::123456789012:user/path/alice -> alice
    # arn:aws:sts::123456789012:assumed-role/Role/session -> session
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
    kind, _, rest = resource.partition("/")
    if kind in {"user", "assumed-role"} and rest:
        return rest.rsplit("/", 1)[-1] or None
    return None


def caller_from_identity(identity: Mapping[str, Any] | None) -> Caller:
    """The caller behind ``identity`` as AppSync Events passes it to a direct Lambda."""
    if identity is None:
        return Caller(AuthKind.API_KEY, None)
    if "handlerContext" in identity:
        context = identity.get("handlerContext")
        sub = context.get("sub") if isinstance(context, Mapping) else None
        return Caller(AuthKind.LAMBDA, _text(sub))
    if "userArn" in identity or "accountId" in identity:
        return Caller(AuthKind.IAM, _iam_user_id(identity))
    if "sub" in identity:
        issuer = _text(identity.get("issuer")) or ""
        kind = AuthKind.COGNITO if "cognito-idp." in issuer else AuthKind.OIDC
        return Caller(kind, _text(identity.get("sub")))
    return Caller(AuthKind.UNKNOWN, None)
