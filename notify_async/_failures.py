"""How the transport reads a failed attempt: whether a request may have reached the server,
what ``Retry-After`` asks for, and a copy of an httpx error safe to chain (no request)."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import sys
import time

import httpx

from notify_async._redact import redact_text

# Failures where the request provably never reached the server: safe to retry even for a POST.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _never_sent(failure: BaseException) -> bool:
    """Whether ``failure`` proves the request never left: the connection could not be opened.

    An httpx error raised by an aiohttp-backed transport is judged by the aiohttp error it
    comes from, not by the httpx class it was mapped to (httpx-aiohttp maps a server that closed
    the connection after the request was written to ``httpx.ConnectTimeout``, yet the server may
    have acted on it). Only aiohttp's "could not connect" errors count as never sent.
    """
    aiohttp = sys.modules.get("aiohttp")  # no aiohttp error can exist before aiohttp is imported
    if aiohttp is not None:
        cause = failure.__cause__
        while cause is not None:
            if isinstance(cause, aiohttp.ClientError):
                not_sent = aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError
                return isinstance(cause, not_sent)
            cause = cause.__cause__
    return isinstance(failure, _NOT_SENT)

#: A URL inside an error message (some transports name the request's URL, path and query
#: included, which may hold tokens or e-mail addresses).
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def _scrubbed(exc: BaseException) -> BaseException:
    """A copy of an httpx failure to chain as the cause of the SDK's own error: without its
    request (whose headers hold the bearer JWT), and with any URL in its message replaced and
    e-mail addresses and phone numbers masked."""
    if isinstance(exc, TimeoutError):
        return TimeoutError("the attempt took longer than the client's timeout")
    return type(exc)(redact_text(_URL.sub("<url>", str(exc))))  # an httpx.RequestError


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds asked for by ``Retry-After`` (a number or an HTTP date); None when absent or
    unreadable (the normal backoff applies)."""
    value = headers.get("Retry-After")
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
