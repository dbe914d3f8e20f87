"""The local certificate authority: one CA, kept between starts (trust it once), and a server
certificate for 127.0.0.1 and localhost issued by it at each start (``trustme``)."""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme


def local_ca(folder: Path) -> trustme.CA:
    """The CA in ``folder`` (``ca.pem``, ``ca.key``), created on first use."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "ca.pem", folder / "ca.key"
    if cert.is_file() and key.is_file():
        return trustme.CA.from_pem(cert.read_bytes(), key.read_bytes())
    ca = trustme.CA(organization_name="platform local runtime")
    ca.cert_pem.write_to_path(str(cert))
    key.touch(mode=0o600)
    ca.private_key_pem.write_to_path(str(key))
    return ca


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    """A TLS server context with a fresh certificate for 127.0.0.1 and localhost."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context
