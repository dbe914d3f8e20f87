"""The web site (CloudFront over S3), as the plan gives it."""

from __future__ import annotations

from local_runtime.plan.changes import Change
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import WebAclSpec, WebFileSpec, WebSiteSpec


def _security_headers(policy: Change) -> dict[str, str]:
    """The headers a response headers policy's security_headers_config adds, by the header
    formats of CloudFront's "Understand response headers policies" page."""
    config = policy.first("security_headers_config") or {}
    headers: dict[str, str] = {}
    csp = (config.get("content_security_policy") or [{}])[0]
    if csp.get("content_security_policy"):
        headers["Content-Security-Policy"] = csp["content_security_policy"]
    hsts = (config.get("strict_transport_security") or [None])[0]
    if hsts:
        value = f"max-age={hsts['access_control_max_age_sec']}"
        value += "; includeSubDomains" if hsts.get("include_subdomains") else ""
        value += "; preload" if hsts.get("preload") else ""
        headers["Strict-Transport-Security"] = value
    frame = (config.get("frame_options") or [None])[0]
    if frame:
        headers["X-Frame-Options"] = frame["frame_option"]
    if config.get("content_type_options"):
        headers["X-Content-Type-Options"] = "nosniff"
    referrer = (config.get("referrer_policy") or [None])[0]
    if referrer:
        headers["Referrer-Policy"] = referrer["referrer_policy"]
    return headers


def _api_origin(distribution: Change) -> tuple[str | None, tuple[str, ...]]:
    """The distribution's custom origin (at most one: the runtime knows one API) and the path
    patterns of the cache behaviours that send requests to it."""
    origins = distribution.after.get("origin") or []  # the bucket's domain is unknown here
    custom = [n for n, o in enumerate(origins) if o.get("custom_origin_config")]
    if not custom:
        return None, ()
    if len(custom) > 1:
        raise UnsupportedError(
            f"{distribution.address}: {len(custom)} custom origins; the runtime serves one API "
            "behind the web app's distribution"
        )
    domain = distribution.get("origin", custom[0], "domain_name")
    origin_id = distribution.get("origin", custom[0], "origin_id")
    behaviours = distribution.after.get("ordered_cache_behavior") or []  # TTLs are unknown
    paths = tuple(
        distribution.get("ordered_cache_behavior", n, "path_pattern")
        for n, b in enumerate(behaviours)
        if distribution.get("ordered_cache_behavior", n, "target_origin_id") == origin_id
    )
    return domain, paths


def _web_acl(distribution: Change, acls: list[Change]) -> tuple[WebAclSpec | None, str | None]:
    """The plan's CLOUDFRONT-scope web ACL in front of the distribution (its ARN is unknown
    until apply), or the ARN of one the plan does not make (given as an input)."""
    if distribution.unknown.get("web_acl_id") is not True:
        given = distribution.get("web_acl_id", required=False)
        return None, (str(given) if given else None)
    edge = [a for a in acls if a.get("scope") == "CLOUDFRONT"]
    if len(edge) != 1:
        raise UnsupportedError(
            f"{distribution.address}: its web ACL is made by the plan, which has {len(edge)} "
            "web ACLs of scope CLOUDFRONT; the runtime applies exactly one"
        )
    acl = edge[0]
    return WebAclSpec(address=acl.address, name=acl.get("name"), planned=acl.after), None


def read_websites(by_type: dict[str, list[Change]]) -> tuple[WebSiteSpec, ...]:
    """Each distribution with its bucket's objects. The objects of every bucket of the plan
    are the site's: the runtime serves one site (it refuses a plan with two)."""
    distributions = by_type.get("aws_cloudfront_distribution", [])
    if len(distributions) > 1:
        raise UnsupportedError(
            "more than one CloudFront distribution in the plan: the runtime serves one web app"
        )
    sites = []
    policies = by_type.get("aws_cloudfront_response_headers_policy", [])
    for distribution in distributions:
        files = {}
        for change in by_type.get("aws_s3_object", []):
            key = change.get("key")
            files[key] = WebFileSpec(
                key=key,
                source=change.get("source", required=False),
                content=change.get("content", required=False),
                content_type=change.get("content_type", required=False)
                or "application/octet-stream",
                cache_control=change.get("cache_control", required=False),
            )
        errors = distribution.get("custom_error_response", required=False) or []
        api_origin, api_paths = _api_origin(distribution)
        web_acl, elsewhere = _web_acl(distribution, by_type.get("aws_wafv2_web_acl", []))
        sites.append(
            WebSiteSpec(
                address=distribution.address,
                files=files,
                default_root_object=distribution.get("default_root_object", required=False)
                or "index.html",
                headers=_security_headers(policies[0]) if len(policies) == 1 else {},
                fallbacks={
                    int(e["error_code"]): e["response_page_path"].lstrip("/")
                    for e in errors
                    if e.get("response_code") == 200 and e.get("response_page_path")
                },
                api_origin=api_origin,
                api_paths=api_paths,
                web_acl=web_acl,
                web_acl_elsewhere=elsewhere,
            )
        )
    return tuple(sites)
