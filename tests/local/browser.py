"""A real browser for the web app: Debian's Chromium driven by Playwright (its own browser
download is not reachable here, so the OS package is used, as `make test` installs it)."""

from __future__ import annotations

import base64
import hashlib
import shutil
import ssl
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "dist" / "test-artifacts" / "web"


def chromium() -> str:
    """The Chromium binary; fails naming the package when it is missing."""
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    raise AssertionError(
        "Chromium is not installed: the browser tests need Debian's package `chromium` "
        "(`apt-get install -y chromium`; `make test` installs it when run as root)"
    )


def spki_pin(url: str) -> str:
    """The base64 SHA-256 of the TLS server key at ``url``: Chromium trusts exactly these
    local certificates (``--ignore-certificate-errors-spki-list``), nothing else."""
    parts = urlsplit(url)
    pem = ssl.get_server_certificate((parts.hostname or "127.0.0.1", parts.port or 443))
    key = x509.load_pem_x509_certificate(pem.encode()).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def launch_args(pins: list[str]) -> list[str]:
    # The closed network refuses Chromium's background connections: switch them off.
    return [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--ignore-certificate-errors-spki-list={','.join(pins)}",
    ]
