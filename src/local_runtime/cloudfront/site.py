"""The web app as CloudFront serves it, from the plan's S3 objects and distribution.

Each planned ``aws_s3_object`` is served under its key with its planned content type and
cache control: a file from its ``source`` (the build in ``dist/web``), ``config.json`` from
its planned ``content``, in which the local equivalents of the platform's endpoints and ids
already stand. The distribution's behaviour is followed where a browser can tell ("Amazon
CloudFront Developer Guide": default root object, custom error responses, response headers
policies): ``/`` serves the default root object, a key that is not there answers what the
custom error response for S3's 403 says (the SPA fallback: ``index.html`` with 200), and every
answer carries the response headers policy's security headers.

What differs, on purpose, and only here: the browser must reach Cognito at the local AWS
endpoint, so ``config.json`` gains ``userPoolEndpoint`` (Amplify's documented setting for a
custom Cognito endpoint) and the Content-Security-Policy's ``connect-src`` gains that
endpoint. Served over HTTPS with the runtime's local CA, like the Event API.
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from local_runtime.console import Console
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import WebSiteSpec


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


def web_app(site: WebSiteSpec, aws_endpoint: str, console: Console) -> web.Application:
    """An aiohttp app serving ``site``; every file it names must exist (``make web``)."""
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

    async def handle(request: web.Request) -> web.Response:
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

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app
