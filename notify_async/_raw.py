"""Raw responses: what came back on the wire for the calls made inside
:meth:`NotifyAdminClient.capture_responses() <notify_async.NotifyAdminClient.capture_responses>`,
without changing what the methods return."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import attrs

_CAPTURE: contextvars.ContextVar[list[ResponseInfo] | None] = contextvars.ContextVar(
    "notify_async_capture", default=None
)


@attrs.frozen
class ResponseInfo:
    """One HTTP answer (every attempt, retries included).

    Attributes:
        method: the request's verb.
        path: the request's path with non-id values left as ``{placeholders}``.
        status_code: the HTTP status.
        headers: the response headers (names in lower case).
        elapsed: seconds from sending the request to reading the whole body.
        request_id: the response's ``X-Request-Id`` when the API sends one, else the
            ``X-B3-SpanId`` the SDK sent with the request (None without a trace context).
        attempt: 1 for the first attempt, 2 for the first retry, ...
    """

    method: str
    path: str
    status_code: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    elapsed: float
    request_id: str | None
    attempt: int


def capturing() -> bool:
    """Whether a ``capture_responses()`` block is active in this context."""
    return _CAPTURE.get() is not None


def record(info: ResponseInfo) -> None:
    """Add ``info`` to the active capture, if any."""
    captured = _CAPTURE.get()
    if captured is not None:
        captured.append(info)


@contextmanager
def capture_responses() -> Iterator[list[ResponseInfo]]:
    """Collect a :class:`ResponseInfo` for every HTTP answer received inside the block (in
    this task and the tasks it starts). A call answered from the cache adds nothing."""
    captured: list[ResponseInfo] = []
    token = _CAPTURE.set(captured)
    try:
        yield captured
    finally:
        _CAPTURE.reset(token)
