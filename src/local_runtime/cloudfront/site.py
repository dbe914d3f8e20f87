"""The web app as CloudFront serves it, from the plan's S3 objects and distribution.

Each planned ``aws_s3_object`` is served under its key with its planned content type and
cache control: a file from its ``source`` (the build in ``dist/web``), ``config.json`` from
its planned ``content``, in which the local equivalents of the platform's endpoints and ids
already stand. The distribution's behaviour is followed where a browser can tell ("Amazon
CloudFront Developer Guide": default root object, custom error responses, response headers
policies): ``/`` serves the default root object, a key that is not there answers what the
custom error response for S3's 403 says (the SPA fallback: ``index.html`` with 200), and every
answer carries the response headers policy's security headers.

Paths of the cache behaviours that target the API origin (``POST /uploads``) are forwarded to
the local HTTP API uncached, with every viewer header but Host (the managed origin request
policy AllViewerExceptHostHeader) and ``X-Forwarded-For``, and answered as it answers. The web
ACL in front of the distribution, when the plan makes one, decides every request first
(``wafv2.acl``); a blocked request gets 403, as CloudFront answers a request WAF blocks.

What differs, on purpose, and only here: the browser must reach Cognito at the local AWS
endpoint, so ``config.json`` gains ``userPoolEndpoint`` (Amplify's documented setting for a
custom Cognito endpoint) and the Content-Security-Policy's ``connect-src`` gains that
endpoint. Served over HTTPS with the runtime's local CA, like the Event API.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import aiohttp
from aiohttp import web

from local_runtime.console import Console
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import WebSiteSpec
from local_runtime.wafv2.acl import WafRequest, WebAcl

# Not forwarded to the origin, and not copied from its answer (hop by hop, or set again).
_HOP = {"host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}


def path_pattern(pattern: str) -> re.Pattern[str]:
    """A cache behaviour's path pattern: ``*`` any characters, ``?`` one, case-sensitive
    ("Path pattern", CloudFront developer guide: cache behavior settings)."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts))


def local_config(content: str, aws_endpoint: str) -> str:
    """The planned ``config.json`` with the local Cognito endpoint added."""
    try:
        config = json.loads(content)
    except ValueError as exc:
        raise UnsupportedError(f"the planned config.json is not JSON: {exc}") from exc
    if not isinstance(config, dict):
        raise UnsupportedError("the planned config.json is not a JSON object")
    config["userPoolEndpoint"] = aws_endpoint
    return json.dumps(config, indent=2)


def local_headers(headers: dict[str, str], aws_endpoint: str) -> dict[str, str]:
    """The policy's headers, with the local AWS endpoint allowed in ``connect-src``."""
    result = dict(headers)
    csp = result.get("Content-Security-Policy")
    if csp:
        directives = [d.strip() for d in csp.split(";") if d.strip()]
        result["Content-Security-Policy"] = "; ".join(
            f"{d} {aws_endpoint}" if d.startswith("connect-src") else d for d in directives
        )
    return result


def web_app(
    site: WebSiteSpec,
    aws_endpoint: str,
    console: Console,
    *,
    api_base: str | None = None,
    web_acl: WebAcl | None = None,
) -> web.Application:
    """An aiohttp app serving ``site``; every file it names must exist (``make web``). The
    API's paths go to ``api_base``; ``web_acl`` decides every request first."""
    missing = [f.source for f in site.files.values() if f.source and not Path(f.source).is_file()]
    if missing:
        raise UnsupportedError(
            f"{site.address}: {len(missing)} planned file(s) are missing, e.g. {missing[0]}; "
            "run `make web` (it builds dist/web/)"
        )
    headers = local_headers(site.headers, aws_endpoint)
    bodies: dict[str, bytes] = {}
    for key, spec in site.files.items():
        if spec.source is None:
            text = spec.content or ""
            if key == "config.json":
                text = local_config(text, aws_endpoint)
            bodies[key] = text.encode()

    def answer(key: str, status: int = 200) -> web.Response:
        spec = site.files[key]
        body = bodies[key] if key in bodies else Path(str(spec.source)).read_bytes()
        extra = {"Content-Type": spec.content_type}
        if spec.cache_control:
            extra["Cache-Control"] = spec.cache_control
        return web.Response(status=status, body=body, headers={**headers, **extra})

    api_paths = [path_pattern(p) for p in site.api_paths]
    if api_paths and api_base is None:
        raise UnsupportedError(
            f"{site.address}: its API origin {site.api_origin} is not served here"
        )
    session: list[aiohttp.ClientSession] = []

    async def forward(request: web.Request, body: bytes) -> web.Response:
        if not session:
            session.append(aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=35)))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        headers["X-Forwarded-For"] = request.remote or "127.0.0.1"
        async with session[0].request(
            request.method, f"{api_base}{request.rel_url}", headers=headers, data=body
        ) as answer:
            content = await answer.read()
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP}
            kept.pop("Content-Encoding", None)
            return web.Response(status=answer.status, body=content, headers=kept)

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        if web_acl is not None:
            verdict = web_acl.decide(
                WafRequest(
                    ip=request.remote or "127.0.0.1",
                    method=request.method,
                    path=request.path,
                    headers={k.lower(): v for k, v in request.headers.items()},
                    body=body,
                )
            )
            if verdict.action == "block":
                why = f"{request.method} {request.path} -> 403 by {verdict.rule or 'default'}"
                console.hop("waf", why, None, "warn")
                return web.Response(
                    status=403, text="Request blocked.", headers={"Content-Type": "text/plain"}
                )
        if any(p.fullmatch(request.path) for p in api_paths):
            return await forward(request, body)
        if request.method not in ("GET", "HEAD"):
            return web.Response(status=403, text="method not allowed by the distribution")
        key = request.path.lstrip("/") or site.default_root_object
        if key in site.files:
            return answer(key)
        # S3 answers 403 for a missing key to a reader that may not list the bucket.
        fallback = site.fallbacks.get(403)
        if fallback and fallback in site.files:
            return answer(fallback)
        console.hop("web", f"{request.path} -> 403", "", "warn")
        return web.Response(status=403, text="AccessDenied", headers=headers)

    async def close(_app: web.Application) -> None:
        for s in session:
            await s.close()

    app = web.Application(client_max_size=10 * 1024 * 1024)  # an HTTP API's payload limit
    app.router.add_route("*", "/{tail:.*}", handle)
    app.on_cleanup.append(close)
    return app
