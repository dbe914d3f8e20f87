"""A Lambda authoriser for the local tests (not part of the package): a token
``allow:<user id>`` is authorised as that user (``handlerContext.sub``), ``cache:<user id>``
too with a 300 s ``ttlOverride``, anything else not."""

from typing import Any


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    token = str(event.get("authorizationToken", ""))
    if token.startswith("allow:"):
        return {"isAuthorized": True, "handlerContext": {"sub": token[6:]}, "ttlOverride": 0}
    if token.startswith("cache:"):  # the answer may be kept for 300 s
        return {"isAuthorized": True, "handlerContext": {"sub": token[6:]}, "ttlOverride": 300}
    return {"isAuthorized": False}
