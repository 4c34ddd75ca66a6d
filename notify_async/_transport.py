"""The one place that sends HTTP.

:class:`Transport` turns one call into requests: path, query, JSON body, headers (auth and
request context), retries with backoff, error mapping and one debug log line per attempt. The
client and in-flight limiter come from the facade's :class:`~notify_async._session.HttpSession`.

Time limits: ``timeout`` bounds each whole attempt (connecting, sending and reading the whole
body, however slowly the server trickles it), and the retry policy's ``budget`` bounds the whole
call, waits for a free slot and backoff delays included. A response body larger than
``max_response_bytes`` is refused as it streams in, before it is buffered whole.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import httpx

from notify_async import _raw
from notify_async import _telemetry as telemetry
from notify_async._failures import _never_sent, _retry_after, _scrubbed
from notify_async._paths import QueryItems, encode_json, encode_query, format_path
from notify_async._redact import display_path, redact_url
from notify_async._session import HttpSession, LoopHttp
from notify_async._sharded import ShardedTransport
from notify_async.config import ClientConfig, RetryPolicy
from notify_async.context import USER_ID_HEADER, context_headers
from notify_async.errors import (
    APIError,
    HTTPError,
    InvalidArgumentError,
    InvalidResponse,
    TransportError,
    error_class_for,
    message_from_body,
)

__all__ = ["HttpSession", "ShardedTransport", "Transport"]

Sleep = Callable[[float], Awaitable[None]]

logger = logging.getLogger("notify_async")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Failures where the request provably never reached the server: safe to retry even for a POST.
#: How much of an error answer that is not JSON is kept (as ``response_body`` text).
_MAX_ERROR_TEXT = 2048


class _HttpxLogRedactor(logging.Filter):
    """Redacts the URLs of the SDK's requests in httpx's own INFO log line ("HTTP Request: ..."),
    which would otherwise show tokens and other values pasted into paths, and query values. URLs
    of other hosts are left alone. Installed on httpx's logger when the first
    :class:`Transport` is made, never at import."""

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


def _watch_httpx_log(base: str) -> None:
    httpx_logger = logging.getLogger("httpx")
    if _httpx_redactor not in httpx_logger.filters:
        httpx_logger.addFilter(_httpx_redactor)
    # httpx logs URLs in its normal form (lower-case host, no default port): match that.
    _httpx_redactor.bases.add(str(httpx.URL(base + "/")))


class _Answer:
    """A response read whole (within the size cap): status, headers and body bytes."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: httpx.Headers, content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content


class _TooLarge(Exception):
    """The body went past ``max_response_bytes``."""


def _shown(template: str, ids: Mapping[str, object]) -> str:
    """The path as errors and logs show it (PII redacted); built only when needed."""
    return display_path(template if template.startswith("/") else "/" + template, ids)


class Transport:
    """Sends the SDK's requests to one API.

    Args:
        session: the shared :class:`HttpSession`.
        base_url: the API's base URL; paths resolve below its own path.
        auth_headers: returns the ``Authorization`` (and any other fixed) headers per attempt.
        config: the client's config (``timeout``, ``retry``, ``max_response_bytes``).
        send_user_id: whether to send ``X-Notify-User-Id`` from the request context.
        timeouts: give each request ``config``'s timeouts for httpx's own per-read and pool
            limits too, instead of the client's (a :meth:`with_options` view's timeout).
        user_agent: the ``User-Agent`` header, or None for httpx's own.
        sleep, jitter, clock: injectable for tests (``jitter`` returns a float in [0, 1)).
    """

    def __init__(
        self,
        session: HttpSession,
        base_url: str,
        auth_headers: Callable[[], Mapping[str, str]],
        *,
        config: ClientConfig,
        send_user_id: bool = True,
        timeouts: bool = False,
        user_agent: str | None = None,
        sleep: Sleep = anyio.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        parsed = httpx.URL(self._base)
        self._host, self._port = parsed.host, parsed.port
        _watch_httpx_log(self._base)
        self._auth_headers = auth_headers
        self._retry: RetryPolicy = config.retry
        self._timeout = config.timeout
        # The per-read and pool timeouts httpx (and the transports under it) apply: the client's
        # own unless this transport serves a view with another timeout (with_options).
        self._timeouts = (
            httpx.Timeout(config.timeout, connect=config.connect_timeout).as_dict()
            if timeouts
            else None
        )
        self._max_bytes = config.max_response_bytes
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
        allowed retries (each attempt bounded by ``timeout``, the call by the retry budget),
        and :class:`~notify_async.errors.InvalidResponse` for a body that is not JSON or is
        larger than ``max_response_bytes``.
        """
        ids = path_params or {}
        url = self._base + format_path(template, ids)
        query = encode_query(params) if params else None
        content = None if body is None else encode_json(body)
        idempotent = method in IDEMPOTENT_METHODS
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            sent_at = self.clock()
            failure: BaseException | None = None
            try:
                answer = await self._attempt(method, template, ids, url, query, content,
                                             started, attempt)
            except (httpx.RequestError, TimeoutError) as exc:  # no usable response
                failure = exc
            except _TooLarge:
                raise InvalidResponse(
                    f"response larger than max_response_bytes ({self._max_bytes})",
                    status_code=200, method=method, path=_shown(template, ids),
                ) from None
            if failure is not None:
                self._log(method, template, ids, type(failure).__name__, sent_at, attempt)
                delay = self._backoff(attempt, None)
                if (idempotent or _never_sent(failure)) and self._may_retry(
                    attempt, started, delay
                ):
                    await self.sleep(delay)
                    continue
                # Raised outside the except block, from a copy without the request: neither
                # __cause__ nor __context__ leads to the request's headers (the bearer JWT).
                raise TransportError(
                    f"no response ({type(failure).__name__}) after {attempt} attempt(s)",
                    method=method,
                    path=_shown(template, ids),
                ) from _scrubbed(failure)
            status = answer.status_code
            self._log(method, template, ids, status, sent_at, attempt)
            if status >= 300:
                if idempotent and status in self._retry.retry_statuses:
                    delay = self._backoff(attempt, _retry_after(answer.headers))
                    if self._may_retry(attempt, started, delay):
                        await self.sleep(delay)
                        continue
                raise self._error(answer, method, _shown(template, ids))
            return self._decode(answer, method, template, ids)

    async def _attempt(
        self,
        method: str,
        template: str,
        ids: Mapping[str, object],
        url: str,
        query: QueryItems | None,
        content: bytes | None,
        started: float,
        attempt: int,
    ) -> _Answer:
        """One attempt: wait for a slot (within the budget), then send and read the whole
        response within ``timeout`` (and the budget). Raises ``TimeoutError`` past either.
        With OpenTelemetry, the attempt is a CLIENT span; inside ``capture_responses()`` its
        answer is recorded.

        A free slot is taken without a trip through the event loop, and the common case runs
        under one cancel scope (each costs a few microseconds per request)."""
        http = await self._session.bind()
        headers = self._headers()
        span = telemetry.start_attempt(method, template, self._host, self._port, attempt, headers)
        sent_at = self.clock()
        try:
            answer = await self._send_within_limits(http, method, url, query, content, headers,
                                                    started)
        except BaseException as exc:
            telemetry.end_attempt(span, error=exc)
            raise
        telemetry.end_attempt(span, status=answer.status_code)
        if _raw.capturing():
            _raw.record(_raw.ResponseInfo(
                method, _shown(template, ids), answer.status_code, answer.headers,
                self.clock() - sent_at,
                answer.headers.get("X-Request-Id") or headers.get("X-B3-SpanId"), attempt,
            ))
        return answer

    async def _send_within_limits(
        self,
        http: LoopHttp,
        method: str,
        url: str,
        query: QueryItems | None,
        content: bytes | None,
        headers: dict[str, str],
        started: float,
    ) -> _Answer:
        client, limiter = http.client, http.limiter
        try:
            request = http.build(method, url, query, content, headers)
            if self._timeouts is not None:
                request.extensions["timeout"] = self._timeouts
        except httpx.InvalidURL:
            raise InvalidArgumentError("the request's URL is not valid (too long?)") from None
        budget = self._retry.budget
        try:
            limiter.acquire_nowait()
        except anyio.WouldBlock:
            with anyio.fail_after(max(budget - (self.clock() - started), 0.0)):
                await limiter.acquire()
        try:
            left = max(budget - (self.clock() - started), 0.0)
            with anyio.fail_after(min(left, self._timeout)):
                return await self._exchange(client, request)
        finally:
            limiter.release()

    async def _exchange(self, client: httpx.AsyncClient, request: httpx.Request) -> _Answer:
        response = await client.send(request, stream=True)
        try:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > self._max_bytes:
                raise _TooLarge
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self._max_bytes:
                    raise _TooLarge
                chunks.append(chunk)
        finally:
            await response.aclose()
        return _Answer(response.status_code, response.headers, b"".join(chunks))

    def _log(
        self, method: str, template: str, ids: Mapping[str, object], outcome: object,
        sent_at: float, attempt: int,
    ) -> None:
        if logger.isEnabledFor(logging.DEBUG):  # the redacted path is built only when logged
            elapsed_ms = (self.clock() - sent_at) * 1000
            logger.debug(
                "%s %s -> %s in %.1f ms (attempt %d)",
                method, _shown(template, ids), outcome, elapsed_ms, attempt,
            )

    @staticmethod
    def _decode(answer: _Answer, method: str, template: str, ids: Mapping[str, object]) -> Any:
        if answer.status_code == 204:
            return None
        try:
            return json.loads(answer.content)
        except ValueError:
            raise InvalidResponse(
                status_code=answer.status_code, method=method, path=_shown(template, ids)
            ) from None

    @staticmethod
    def _error(answer: _Answer, method: str, shown: str) -> APIError:
        status = answer.status_code
        try:
            body = json.loads(answer.content)
        except ValueError:  # kept as text (a proxy's HTML page, a plain-text error)
            body = answer.content[:_MAX_ERROR_TEXT].decode("utf-8", "replace") or None
        if status < 400:
            return HTTPError(
                f"unexpected redirect ({status})", status_code=status, method=method, path=shown
            )
        cls = error_class_for(status)
        return cls(message_from_body(body), status_code=status, method=method, path=shown,
                   response_body=body)
