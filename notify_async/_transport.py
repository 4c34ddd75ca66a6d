"""The one place that sends HTTP.

:class:`HttpSession` owns the shared ``httpx.AsyncClient`` (created lazily inside the running
event loop, one per loop; its :class:`ShardedTransport` spreads connections over small pools) and
the anyio limiter that caps requests in flight. :class:`Transport`
turns one call into a request: path, query, JSON body, headers (auth and request context),
retries with backoff, error mapping and one debug log line per attempt.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import logging
import random
import ssl
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import anyio
import httpx

from notify_async._paths import encode_json, encode_query, format_path
from notify_async._redact import display_path, redact_url
from notify_async.config import ClientConfig, RetryPolicy
from notify_async.context import USER_ID_HEADER, context_headers
from notify_async.errors import (
    APIError,
    HTTPError,
    InvalidResponse,
    TransportError,
    error_class_for,
    message_from_body,
)

logger = logging.getLogger("notify_async")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Failures where the request provably never reached the server: safe to retry even for a POST.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

Sleep = Callable[[float], Awaitable[None]]


class _HttpxLogRedactor(logging.Filter):
    """Redacts the URLs of the SDK's requests in httpx's own INFO log line ("HTTP Request: ..."),
    which would otherwise show tokens and other values pasted into paths. URLs of other hosts
    are left alone."""

    def __init__(self) -> None:
        super().__init__()
        self.bases: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and self.bases:
            record.args = tuple(
                redact_url(str(a))
                if isinstance(a, httpx.URL) and str(a).startswith(tuple(self.bases))
                else a
                for a in record.args
            )
        return True


_httpx_redactor = _HttpxLogRedactor()
logging.getLogger("httpx").addFilter(_httpx_redactor)


def _loop_token() -> object:
    """An object identifying the running event loop (asyncio loop or trio run)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    trio = sys.modules.get("trio")  # only trio can be running if it was never imported
    if trio is not None:
        try:
            return trio.lowlevel.current_root_task()
        except RuntimeError:
            pass
    raise RuntimeError("notify_async must be awaited inside a running asyncio or trio event loop")


class HttpSession:
    """The facade's one ``httpx.AsyncClient`` and in-flight limiter, shared by every sub-client.

    A caller-supplied client is used as it is and never closed here. Otherwise the session makes
    its own on first use inside the running loop, with a :class:`ShardedTransport` that spreads
    ``max_connections`` over small connection pools (see there for why). If the facade is later
    used from another loop (a new notebook kernel loop, a new test), a fresh client and limiter
    are made for it.
    """

    def __init__(self, config: ClientConfig, http_client: httpx.AsyncClient | None = None) -> None:
        self._config = config
        self._external = http_client
        self._client: httpx.AsyncClient | None = None
        self._ssl: ssl.SSLContext | None = None
        self._limiter: anyio.CapacityLimiter | None = None
        self._loop: object = None

    def _bind(self) -> tuple[httpx.AsyncClient, anyio.CapacityLimiter]:
        loop = _loop_token()
        if self._limiter is None or self._loop is not loop:
            self._loop = loop
            self._limiter = anyio.CapacityLimiter(self._config.max_in_flight)
            self._client = self._external or self._new_client()
        assert self._client is not None
        return self._client, self._limiter

    def _new_client(self) -> httpx.AsyncClient:
        cfg = self._config
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context()
        return httpx.AsyncClient(
            transport=ShardedTransport(
                max_connections=cfg.max_connections,
                max_keepalive_connections=cfg.max_keepalive_connections,
                connections_per_pool=cfg.connections_per_pool,
                verify=self._ssl,
            ),
            timeout=httpx.Timeout(cfg.timeout, connect=cfg.connect_timeout),
            follow_redirects=False,
        )

    async def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request through the shared client, within the in-flight cap."""
        client, limiter = self._bind()
        async with limiter:
            return await client.request(method, url, **kwargs)

    async def aclose(self) -> None:
        """Close the client this session created (never a caller-supplied one)."""
        client = None if self._external else self._client
        self._client, self._limiter, self._loop = None, None, None
        if client is not None:
            await client.aclose()


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


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds asked for by ``Retry-After`` (a number or an HTTP date); None when absent or
    unreadable (the normal backoff applies)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:  # "-0000": HTTP dates are always UTC
        parsed = parsed.replace(tzinfo=dt.UTC)
    return max(0.0, parsed.timestamp() - time.time())


class Transport:
    """Sends the SDK's requests to one API.

    Args:
        session: the shared :class:`HttpSession`.
        base_url: the API's base URL; paths resolve below its own path.
        auth_headers: returns the ``Authorization`` (and any other fixed) headers per attempt.
        retry: the :class:`RetryPolicy`.
        send_user_id: whether to send ``X-Notify-User-Id`` from the request context.
        user_agent: the ``User-Agent`` header, or None for httpx's own.
        sleep, jitter, clock: injectable for tests (``jitter`` returns a float in [0, 1)).
    """

    def __init__(
        self,
        session: HttpSession,
        base_url: str,
        auth_headers: Callable[[], Mapping[str, str]],
        *,
        retry: RetryPolicy,
        send_user_id: bool = True,
        user_agent: str | None = None,
        sleep: Sleep = anyio.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        # httpx logs URLs in its normal form (lower-case host, no default port): match that.
        _httpx_redactor.bases.add(str(httpx.URL(self._base + "/")))
        self._auth_headers = auth_headers
        self._retry = retry
        self._send_user_id = send_user_id
        self._static = {"Content-Type": "application/json"}
        if user_agent:
            self._static["User-Agent"] = user_agent
        self.sleep = sleep
        self.jitter = jitter
        self.clock = clock

    def _headers(self) -> dict[str, str]:
        headers = context_headers()
        if not self._send_user_id:
            headers.pop(USER_ID_HEADER, None)
        headers.update(self._static)
        headers.update(self._auth_headers())
        return headers

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        policy = self._retry
        delay = min(policy.backoff_max, policy.backoff_base * 2.0 ** (attempt - 1))
        delay *= 0.5 + self.jitter() / 2
        return delay if retry_after is None else max(delay, retry_after)

    def _may_retry(self, attempt: int, started: float, delay: float) -> bool:
        policy = self._retry
        return attempt < policy.max_attempts and self.clock() - started + delay <= policy.budget

    async def request(
        self,
        method: str,
        template: str,
        path_params: Mapping[str, object] | None = None,
        *,
        params: Mapping[str, object] | None = None,
        body: Any = None,
    ) -> Any:
        """Send ``method template`` and return the decoded JSON (None for 204).

        ``body=None`` sends no body at all; anything else is sent as JSON. Raises
        :class:`~notify_async.errors.InvalidArgumentError` for bad input before sending,
        :class:`~notify_async.errors.HTTPError` (a status subclass) for an error status,
        :class:`~notify_async.errors.TransportError` when no response arrived after the
        allowed retries, and :class:`~notify_async.errors.InvalidResponse` for a non-JSON body.
        """
        ids = path_params or {}
        url = self._base + format_path(template, ids)
        query = encode_query(params)
        content = None if body is None else encode_json(body)
        shown = display_path(template if template.startswith("/") else "/" + template, ids)
        idempotent = method in IDEMPOTENT_METHODS
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            sent_at = self.clock()
            try:
                response = await self._session.send(
                    method, url, params=query, content=content, headers=self._headers()
                )
            except httpx.RequestError as exc:  # TransportError, or a body it cannot decode
                self._log(method, shown, type(exc).__name__, sent_at, attempt)
                delay = self._backoff(attempt, None)
                if (idempotent or isinstance(exc, _NOT_SENT)) and self._may_retry(
                    attempt, started, delay
                ):
                    await self.sleep(delay)
                    continue
                raise TransportError(
                    f"no response ({type(exc).__name__}) after {attempt} attempt(s)",
                    method=method,
                    path=shown,
                ) from exc
            self._log(method, shown, response.status_code, sent_at, attempt)
            status = response.status_code
            if status >= 300:
                if idempotent and status in self._retry.retry_statuses:
                    delay = self._backoff(attempt, _retry_after(response))
                    if self._may_retry(attempt, started, delay):
                        await self.sleep(delay)
                        continue
                raise self._error(response, method, shown)
            return self._decode(response, method, shown)

    def _log(self, method: str, shown: str, outcome: object, sent_at: float, attempt: int) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            elapsed_ms = (self.clock() - sent_at) * 1000
            logger.debug(
                "%s %s -> %s in %.1f ms (attempt %d)", method, shown, outcome, elapsed_ms, attempt
            )

    @staticmethod
    def _decode(response: httpx.Response, method: str, shown: str) -> Any:
        if response.status_code == 204:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            raise InvalidResponse(
                status_code=response.status_code, method=method, path=shown
            ) from None

    @staticmethod
    def _error(response: httpx.Response, method: str, shown: str) -> APIError:
        status = response.status_code
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if status < 400:
            return HTTPError(
                f"unexpected redirect ({status})", status_code=status, method=method, path=shown
            )
        cls = error_class_for(status)
        return cls(message_from_body(body), status_code=status, method=method, path=shown,
                   response_body=body)
