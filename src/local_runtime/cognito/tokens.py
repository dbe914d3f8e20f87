"""Verifying the JWTs of the plan's user pools.

Tokens are checked as the API Gateway guide's "Controlling access to HTTP APIs with JWT
authorizers" says: a signature by a key of the issuer's JWKS (moto serves a pool's at
``<endpoint>/<pool id>/.well-known/jwks.json``), ``iss`` equal to the issuer, ``exp``,
``nbf`` and ``iat`` in order, ``aud`` or ``client_id`` one of the audience, and, when the
route lists scopes, one of them in ``scope``.
"""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet


class TokenError(ValueError):
    """The token does not authorise the request (the message says why, for the console)."""


class JwtVerifier:
    """Checks tokens of one issuer against its JWKS, fetched once."""

    def __init__(self, issuer: str, jwks_url: str) -> None:
        self.issuer = issuer
        with urllib.request.urlopen(jwks_url, timeout=10) as response:  # noqa: S310 - loopback
            self.keys = KeySet.import_key_set(json.loads(response.read()))

    def claims(
        self, token: str, audience: tuple[str, ...], scopes: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        try:
            decoded = jwt.decode(token, self.keys, algorithms=["RS256"])
        except (JoseError, ValueError) as exc:
            raise TokenError(f"invalid token: {exc}") from exc
        claims = dict(decoded.claims)
        now = time.time()
        if claims.get("iss") != self.issuer:
            raise TokenError(f"issuer {claims.get('iss')!r} is not {self.issuer!r}")
        if not isinstance(claims.get("exp"), int | float) or claims["exp"] <= now:
            raise TokenError("the token has expired")
        for early in ("nbf", "iat"):
            if isinstance(claims.get(early), int | float) and claims[early] > now + 300:
                raise TokenError(f"{early} is in the future")
        audiences = claims.get("aud")
        offered = set(audiences if isinstance(audiences, list) else [audiences]) | {
            claims.get("client_id")
        }
        if audience and not offered & set(audience):
            raise TokenError("neither aud nor client_id is an audience of the authorizer")
        if scopes and not set(str(claims.get("scope", "")).split()) & set(scopes):
            raise TokenError("the token has none of the route's scopes")
        return claims
