"""OpenTelemetry client spans, used whenever ``opentelemetry-api`` is importable (the ``otel``
extra installs it).

One CLIENT span per HTTP attempt, following OpenTelemetry's HTTP client semantic conventions:
name ``"<METHOD> <url.template>"``, attributes ``http.request.method``, ``url.template`` (the
path template, never the path with its ids), ``server.address``, ``server.port``,
``http.request.resend_count`` (retries before this attempt), ``http.response.status_code`` and
``error.type``. The span's context goes out as W3C ``traceparent`` (through the configured
propagators) beside the B3 headers. Cache reads add ``notify_async.cache.outcome`` (``hit``,
``miss``, ``shared``, ``fenced``): on the attempt span of a miss, as an event on the caller's
current span otherwise.

Without OpenTelemetry every function here returns at once (one global lookup): see
``benchmarks/telemetry_cost.py``.
"""

from __future__ import annotations

import contextvars
from collections.abc import MutableMapping
from typing import Any

from notify_async import _constants as C

#: ``opentelemetry.trace`` and ``opentelemetry.propagate`` once imported; False when absent.
_otel: tuple[Any, Any] | bool | None = None

#: The cache outcome of the read whose fetch is running in this context (read by the span).
cache_outcome: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "notify_async_cache_outcome", default=None
)

_CACHE_OUTCOME = "notify_async.cache.outcome"


def _load() -> tuple[Any, Any] | None:
    global _otel
    if _otel is None:
        try:
            from opentelemetry import propagate, trace
        except ImportError:
            _otel = False
        else:
            _otel = (trace, propagate)
    return _otel or None  # type: ignore[return-value]


def enabled() -> bool:
    """Whether OpenTelemetry is importable (checked once per process)."""
    return _load() is not None


def start_attempt(
    method: str,
    template: str,
    host: str,
    port: int | None,
    attempt: int,
    headers: MutableMapping[str, str],
) -> Any:
    """Start the CLIENT span of one attempt and inject its context into ``headers``; returns
    the span, or None without OpenTelemetry."""
    otel = _otel if _otel is not None else _load()
    if not otel:
        return None
    trace, propagate = otel  # type: ignore[misc]
    tracer = trace.get_tracer("notify_async", C.VERSION)
    attributes: dict[str, Any] = {
        "http.request.method": method,
        "url.template": template,
        "server.address": host,
        "http.request.resend_count": attempt - 1,
    }
    if port is not None:
        attributes["server.port"] = port
    outcome = cache_outcome.get()
    if outcome is not None:
        attributes[_CACHE_OUTCOME] = outcome
    span = tracer.start_span(
        f"{method} {template}", kind=trace.SpanKind.CLIENT, attributes=attributes
    )
    propagate.inject(headers, context=trace.set_span_in_context(span))
    return span


def end_attempt(span: Any, status: int | None = None, error: BaseException | None = None) -> None:
    """End an attempt's span with its status code, or the error that left it without one."""
    if span is None:
        return
    otel = _load()
    assert otel is not None
    trace = otel[0]
    if status is not None:
        span.set_attribute("http.response.status_code", status)
        if status >= 400:
            span.set_attribute("error.type", str(status))
            span.set_status(trace.Status(trace.StatusCode.ERROR))
    elif error is not None:
        span.set_attribute("error.type", type(error).__qualname__)
        span.set_status(trace.Status(trace.StatusCode.ERROR))
    span.end()


def note_cache(outcome: str, key_template: str) -> None:
    """Record a cache read's outcome (``hit``, ``shared``, ``fenced``) as an event on the
    current span (the caller's), when there is a recording one."""
    otel = _otel if _otel is not None else _load()
    if not otel:
        return
    span = otel[0].get_current_span()  # type: ignore[index]
    if span.is_recording():
        span.add_event(
            "notify_async.cache", {_CACHE_OUTCOME: outcome, "key.template": key_template}
        )
