"""Small connection pools under one ``httpx.AsyncClient`` (see :class:`ShardedTransport`)."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import httpx


class ShardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that spreads connections over several small httpcore pools.

    httpcore's pool does work that grows with the square of its connections on every request
    (encode/httpcore#1035), so one big pool collapses under load where several small ones do not
    (``benchmarks/concurrency.py``, figures in docs/benchmarks.md). Each request goes to the
    least busy pool; the pools share one SSL context. The facade still owns exactly one
    ``httpx.AsyncClient``, whose transport this is.
    """

    def __init__(
        self,
        *,
        max_connections: int,
        max_keepalive_connections: int,
        connections_per_pool: int,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        count = -(-max_connections // connections_per_pool)
        self._pools = [
            httpx.AsyncHTTPTransport(
                verify=verify,
                limits=httpx.Limits(max_connections=size, max_keepalive_connections=keep),
            )
            for size, keep in zip(
                _spread(max_connections, count),
                _spread(max_keepalive_connections, count),
                strict=True,
            )
        ]
        self._busy = [0] * count

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the least busy pool. A request counts as busy until its
        response body is closed (httpx reads the body after this returns)."""
        busy = self._busy
        index = busy.index(min(busy))
        busy[index] += 1
        try:
            response = await self._pools[index].handle_async_request(request)
        except BaseException:
            busy[index] -= 1
            raise
        if isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _ReleasingStream(response.stream, busy, index)
        else:  # pragma: no cover - httpcore's responses always stream asynchronously
            busy[index] -= 1
        return response

    async def aclose(self) -> None:
        """Close every pool."""
        for pool in self._pools:
            await pool.aclose()


class _ReleasingStream(httpx.AsyncByteStream):
    """A response body that marks its pool one request less busy when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, busy: list[int], index: int) -> None:
        self._stream = stream
        self._busy = busy
        self._index: int | None = index

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        if self._index is not None:
            self._busy[self._index] -= 1
            self._index = None
        await self._stream.aclose()


def _spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal whole numbers (larger ones first)."""
    return [total // parts + (i < total % parts) for i in range(parts)]
