"""The planned functions, by name: the one way every part of the platform reaches a function.

The bus (asynchronous invocations of its Lambda targets), the HTTP API (Lambda proxy routes),
the Event API (namespace handlers and the Lambda authoriser), the stream mappings and Lambda's
``Invoke`` API all ask this registry, by the function's name, and get the same runtime.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from local_runtime.functions.runtime import FunctionRuntime, Invocation


class Functions(Mapping[str, FunctionRuntime]):
    """The platform's functions by name (a read-only mapping), with the two ways to call one."""

    def __init__(self, runtimes: Mapping[str, FunctionRuntime]) -> None:
        self._runtimes = dict(runtimes)

    def __getitem__(self, name: str) -> FunctionRuntime:
        return self._runtimes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._runtimes)

    def __len__(self) -> int:
        return len(self._runtimes)

    async def invoke(
        self, name: str, payload: Any, correlation: str = "", request_id: str = ""
    ) -> Invocation:
        """A synchronous invocation (``RequestResponse``): wait for the function's answer."""
        return await self._runtimes[name].invoke(payload, correlation, request_id)

    def invoke_async(self, name: str, payload: Any, correlation: str) -> str:
        """An asynchronous invocation (``Event``): queued with Lambda's retries; its request id."""
        return self._runtimes[name].invoke_async(payload, correlation)

    async def stop(self) -> int:
        """Stop every worker; how many were running."""
        running = 0
        for runtime in self._runtimes.values():
            running += len(runtime.workers)
            await runtime.stop()
        return running
