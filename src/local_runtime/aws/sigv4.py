"""Checking a request's SigV4 signature as AWS does: recomputed with botocore for a known
access key, refused with the error AWS's JSON services answer for each fault (their "Common
Errors": a missing, incomplete, unknown or wrong signature)."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


@dataclass(frozen=True)
class SignatureProblem:
    """Why a request is not signed by a known key: AWS's error code, message and status."""

    code: str
    message: str
    status: int = 403


_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)


def verify_sigv4(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    secrets: dict[str, str],
    service: str,
) -> tuple[str | None, SignatureProblem | None]:
    """(access key id, None) when ``headers`` carry a valid SigV4 signature of this request
    by a key in ``secrets`` for ``service``; (None, why not) otherwise."""
    lower = {k.lower(): v for k, v in headers.items()}
    authorization = lower.get("authorization", "")
    if not authorization.startswith("AWS4-HMAC-SHA256 "):
        return None, SignatureProblem(
            "MissingAuthenticationTokenException", "Missing Authentication Token"
        )
    try:
        parts = dict(p.strip().split("=", 1) for p in authorization[17:].split(","))
        key_id, _date, region, signed_service, _ = parts["Credential"].split("/")
        signed = parts["SignedHeaders"].split(";")
    except (KeyError, ValueError):
        return None, SignatureProblem(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders'.",
            400,
        )
    if signed_service != service:
        return None, SignatureProblem(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: '{service}'.",
        )
    secret = secrets.get(key_id)
    if secret is None:
        return None, SignatureProblem(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    request = AWSRequest(
        method=method, url=url, data=body, headers={n: lower.get(n, "") for n in signed}
    )
    request.context["timestamp"] = lower.get("x-amz-date", "")
    signer = SigV4Auth(Credentials(key_id, secret), service, region)
    expected = signer.signature(
        signer.string_to_sign(request, signer.canonical_request(request)), request
    )
    if parts.get("Signature") != expected:
        return None, SignatureProblem("InvalidSignatureException", _MISMATCH)
    return key_id, None
