"""What the HTTP API's Lambda routes share: CORS for the web app's origins, the caller from
the JWT authoriser, and the error body. One idiom for every route (GET /reports, /answers,
/channels/..., /presence/...).

The routes answer CORS themselves (the preflight route has no authoriser and reaches the
function): the API's own CORS setting would name the CloudFront domain while the app's CSP
names the API, a dependency cycle in Terraform.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import (
    APIGatewayHttpResolver,
    CORSConfig,
    Response,
)


def browser_cors(
    origins: list[str], headers: tuple[str, ...] = ("Authorization",)
) -> CORSConfig | None:
    """CORS for exactly ``origins`` (the app's; none: no CORS headers at all)."""
    if not origins:
        return None
    return CORSConfig(
        allow_origin=origins[0],
        extra_origins=origins[1:],
        allow_headers=list(headers),
        max_age=600,
        allow_credentials=False,
    )


def caller(resolver: APIGatewayHttpResolver) -> str | None:
    """The ``sub`` the route's JWT authoriser passed on; None when there is none (a route
    without the authoriser), never anything from the request itself."""
    claims = resolver.current_event.request_context.authorizer.jwt_claim or {}
    sub = claims.get("sub")
    return sub if isinstance(sub, str) and sub else None


def error(status: int, message: str) -> Response[dict[str, str]]:
    """``{"message": ...}`` with ``status``: what was wrong, in words."""
    return Response(status_code=status, content_type="application/json", body={"message": message})
