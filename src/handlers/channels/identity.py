"""Who is calling: a user, one of the platform's own services, or neither.

A user id comes only from an identity that names a user; nothing a caller can choose (a role
session name, a claim of an issuer we do not trust, a wildcard) ever becomes one. AppSync
passes ``identity`` in a shape that depends on the auth mode of the request:

- API key: ``null``. An API key names an app, not a user: no user id.
- Cognito user pools, OpenID Connect: ``sub``, ``issuer``, ``claims``. AppSync checked the
  token's signature; the issuer tells whose users it names. Only two issuers name users: the
  platform's user pool (``USER_POOL_ISSUER``) and the OIDC provider of ``realtime_auth``
  (``OIDC_ISSUER``).
- IAM (SigV4): ``accountId``, ``userArn``, ``cognitoIdentityId``, ``cognitoIdentityPoolId``,
  ``cognitoIdentityAuthType``, ... A caller that signed in (``authenticated``) through one of
  the configured Cognito identity pools (``IDENTITY_POOL_IDS``) is the user named by its
  identity id. Every other IAM caller names no user: a role session name is chosen by
  whoever assumes the role. The platform's own services are recognised by their role
  (``userArn`` is ``arn:aws:sts::<account>:assumed-role/<role name>/<session>``), configured
  from Terraform; they may publish reports, never act as a user.
- Lambda authoriser: ``handlerContext``, whatever the authoriser returned. This platform's
  contract: the authoriser puts the user id in ``handlerContext.sub``.

Each source names its users in a namespace of its own, so that no source can name another's
user: an OIDC provider or an authoriser that returns a pool user's ``sub`` gets a different
user id, and a different channel. The platform's pool names its users by their ``sub`` as
is (a UUID: what the web app, the answers and the reports use); the others are prefixed:
``oidc-<sub>``, ``idp-<identity id without its region>``, ``lambda-<sub>``. A pool ``sub``
that begins with one of those prefixes names no user (Cognito's never do), so the
namespaces cannot meet.

A user id must be usable as one channel segment: 1-50 letters, digits or hyphens (AppSync's
rule for segments), so ``*``, ``/`` and ``:`` can never reach a channel path through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, NamedTuple


class AuthKind(StrEnum):
    API_KEY = "API_KEY"
    COGNITO = "AMAZON_COGNITO_USER_POOLS"
    OIDC = "OPENID_CONNECT"
    IAM = "AWS_IAM"
    LAMBDA = "AWS_LAMBDA"
    UNKNOWN = "UNKNOWN"


# AppSync Events: a channel segment is 1-50 characters of [A-Za-z0-9-].
USER_ID = re.compile(r"[A-Za-z0-9-]{1,50}")
# IAM API reference (CreateRole, AssumeRole): a role name is 1-64 of [\w+=,.@-], a path
# printable ASCII between slashes, a session name 2-64 of [\w+=,.@-]; ASCII classes here, as
# Python's \w and \d also take other scripts' letters and digits. Matched with fullmatch.
_NAME = r"[A-Za-z0-9_+=,.@-]"
_ROLE_ARN = re.compile(rf"arn:[a-z-]+:iam::([0-9]{{12}}):role/(?:[!-.0-~]+/)*({_NAME}{{1,64}})")
_SESSION_ARN = re.compile(
    rf"arn:[a-z-]+:sts::([0-9]{{12}}):assumed-role/({_NAME}{{1,64}})/{_NAME}{{2,64}}"
)


class Caller(NamedTuple):
    kind: AuthKind
    user_id: str | None = None
    service: str | None = None
    """The platform service's role name, for a caller recognised as one."""
    why_no_user: str = ""
    """Why ``user_id`` is None, in words a client can act on."""

    @property
    def label(self) -> str:
        """How the caller is named in payloads and logs."""
        return self.user_id or self.service or "anonymous"


# The namespace of each source of users but the platform's own pool (see the module's doc).
OIDC_PREFIX = "oidc-"
IDENTITY_POOL_PREFIX = "idp-"
LAMBDA_PREFIX = "lambda-"
_PREFIXES = (OIDC_PREFIX, IDENTITY_POOL_PREFIX, LAMBDA_PREFIX)


class IdentityRules(NamedTuple):
    """What the platform trusts: its user pool's issuer, the OIDC provider's issuer, the
    Cognito identity pools whose signed-in identities are users, and the roles of its own
    services (as ARNs, ``arn:aws:iam::<account>:role/<path><name>``)."""

    user_pool_issuer: str | None = None
    oidc_issuer: str | None = None
    identity_pools: frozenset[str] = frozenset()
    service_roles: frozenset[tuple[str, str]] = frozenset()
    """(account id, role name) of each service role."""

    @classmethod
    def of(
        cls,
        *,
        user_pool_issuer: str | None = None,
        oidc_issuer: str | None = None,
        identity_pools: Iterable[str] = (),
        service_role_arns: Iterable[str] = (),
    ) -> IdentityRules:
        roles = set()
        for arn in service_role_arns:
            match = _ROLE_ARN.fullmatch(arn)
            if match is None:
                raise ValueError(f"{arn!r} is not an IAM role ARN")
            roles.add((match[1], match[2]))
        return cls(
            user_pool_issuer=user_pool_issuer.rstrip("/") if user_pool_issuer else None,
            oidc_issuer=oidc_issuer.rstrip("/") if oidc_issuer else None,
            identity_pools=frozenset(p for p in identity_pools if p),
            service_roles=frozenset(roles),
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _user(kind: AuthKind, value: Any, source: str, prefix: str = "") -> Caller:
    """A user caller when ``prefix + value`` is a usable user id; otherwise one without."""
    text = _text(value)
    if text is None:
        return Caller(kind, why_no_user=f"{kind.value} callers without {source} have no user id")
    if not prefix and text.startswith(_PREFIXES):
        return Caller(
            kind,
            why_no_user=f"the {source} of this {kind.value} caller begins with a prefix "
            "reserved for users of other sources",
        )
    text = prefix + text
    if not USER_ID.fullmatch(text):
        return Caller(
            kind,
            why_no_user=(
                f"the {source} of this {kind.value} caller is not a usable user id "
                "(1-50 letters, digits or hyphens)"
            ),
        )
    return Caller(kind, user_id=text)


def _iam_caller(identity: Mapping[str, Any], rules: IdentityRules) -> Caller:
    identity_id = _text(identity.get("cognitoIdentityId"))
    if identity_id is not None:
        if identity.get("cognitoIdentityAuthType") != "authenticated":
            return Caller(
                AuthKind.IAM, why_no_user="unauthenticated identity pool callers have no user id"
            )
        if identity.get("cognitoIdentityPoolId") not in rules.identity_pools:
            return Caller(
                AuthKind.IAM,
                why_no_user="identities of an identity pool the platform does not trust name "
                "no user here",
            )
        return _user(
            AuthKind.IAM, identity_id.rpartition(":")[2], "identity id", IDENTITY_POOL_PREFIX
        )
    session = _SESSION_ARN.fullmatch(_text(identity.get("userArn")) or "")
    if session is not None and (session[1], session[2]) in rules.service_roles:
        return Caller(
            AuthKind.IAM,
            service=session[2],
            why_no_user="the platform's services publish reports, they act as no user",
        )
    return Caller(
        AuthKind.IAM,
        why_no_user=(
            "IAM callers other than signed-in identity pool users have no user id "
            "(a role session name is not one)"
        ),
    )


def _token_caller(identity: Mapping[str, Any], rules: IdentityRules) -> Caller:
    issuer = (_text(identity.get("issuer")) or "").rstrip("/")
    kind = AuthKind.COGNITO if issuer.startswith("https://cognito-idp.") else AuthKind.OIDC
    if issuer and issuer == rules.user_pool_issuer:
        return _user(kind, identity.get("sub"), "sub")
    if issuer and issuer == rules.oidc_issuer:
        return _user(kind, identity.get("sub"), "sub", OIDC_PREFIX)
    return Caller(kind, why_no_user=f"tokens of {issuer or 'no issuer'} name no user here")


def caller_from_identity(identity: Mapping[str, Any] | None, rules: IdentityRules) -> Caller:
    """The caller behind ``identity`` as AppSync Events passes it to a direct Lambda."""
    if identity is None:
        return Caller(AuthKind.API_KEY, why_no_user="API_KEY callers have no user id")
    if "handlerContext" in identity:
        context = identity.get("handlerContext")
        sub = context.get("sub") if isinstance(context, Mapping) else None
        return _user(AuthKind.LAMBDA, sub, "handlerContext.sub", LAMBDA_PREFIX)
    if "userArn" in identity or "accountId" in identity:
        return _iam_caller(identity, rules)
    if "sub" in identity:
        return _token_caller(identity, rules)
    return Caller(AuthKind.UNKNOWN, why_no_user="this identity names no user")
