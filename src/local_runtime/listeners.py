"""The platform's listening sockets and the aiohttp servers on them: every port is bound on
127.0.0.1 before anything is served (a taken port stops the start, naming it), and stopping
closes exactly what was started."""

from __future__ import annotations

import socket
import ssl

from aiohttp import web

from local_runtime.errors import StartError


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (``port`` 0: a free one); StartError if it is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise StartError(
            f"port {port} on 127.0.0.1 is taken ({exc.strerror}): choose another, or 0 for a "
            "free one"
        ) from exc
    sock.listen(128)
    return sock


def address(sock: socket.socket) -> str:
    """``127.0.0.1:<port>`` of a bound socket."""
    return f"127.0.0.1:{sock.getsockname()[1]}"


class Servers:
    """The aiohttp apps the platform serves, each on its own socket."""

    def __init__(self) -> None:
        self.runners: list[web.AppRunner] = []

    async def serve(
        self, app: web.Application, sock: socket.socket, tls: ssl.SSLContext | None = None
    ) -> None:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, sock, ssl_context=tls).start()
        self.runners.append(runner)

    async def stop(self) -> None:
        for runner in self.runners:
            await runner.cleanup()
        self.runners.clear()
