"""A Lambda authoriser for the local tests (not part of the package): a token
``allow:<user id>`` is authorised as that user (``handlerContext.sub``), anything else not."""

from typing import Any


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    token = str(event.get("authorizationToken", ""))
    if token.startswith("allow:"):
        return {"isAuthorized": True, "handlerContext": {"sub": token[6:]}, "ttlOverride": 0}
    return {"isAuthorized": False}
