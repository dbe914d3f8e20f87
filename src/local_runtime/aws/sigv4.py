"""Checking a request's SigV4 signature as AWS does: recomputed with botocore for a known access
key.
"""

from __future__ import annotations

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def verify_sigv4(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    secrets: dict[str, str],
    service: str,
) -> tuple[str | None, str | None]:
    """(access key id, None) when ``headers`` carry a valid SigV4 signature of this request
    by a key in ``secrets`` for ``service``; (None, why not) otherwise."""
    lower = {k.lower(): v for k, v in headers.items()}
    authorization = lower.get("authorization", "")
    if not authorization.startswith("AWS4-HMAC-SHA256 "):
        return None, "the request is not signed with SigV4"
    try:
        parts = dict(p.strip().split("=", 1) for p in authorization[17:].split(","))
        key_id, _date, region, signed_service, _ = parts["Credential"].split("/")
        signed = parts["SignedHeaders"].split(";")
    except (KeyError, ValueError):
        return None, "malformed Authorization header"
    if signed_service != service:
        return None, f"signed for {signed_service!r}, not {service!r}"
    secret = secrets.get(key_id)
    if secret is None:
        return None, f"the access key {key_id} is not known here"
    request = AWSRequest(
        method=method, url=url, data=body, headers={n: lower.get(n, "") for n in signed}
    )
    request.context["timestamp"] = lower.get("x-amz-date", "")
    signer = SigV4Auth(Credentials(key_id, secret), service, region)
    expected = signer.signature(
        signer.string_to_sign(request, signer.canonical_request(request)), request
    )
    if parts.get("Signature") != expected:
        return None, "the request signature does not match"
    return key_id, None
