"""OpenTelemetry: one CLIENT span per HTTP attempt with the HTTP client semantic conventions,
W3C ``traceparent`` sent beside the B3 headers, and the cache outcome recorded. Checked with the
OpenTelemetry SDK's in-memory exporter."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from notify_async import RetryPolicy, request_context
from notify_async.errors import NotFoundError, TransportError
from tests.conftest import make_client
from tests.harness import BASE_URL

SERVICE = "6f0c2a1e-8d3b-4e5f-9a7c-0b1d2e3f4a5b"
_EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def _provider() -> None:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
    trace.set_tracer_provider(provider)  # once per process; later tests reuse it


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    _EXPORTER.clear()
    yield _EXPORTER
    _EXPORTER.clear()


def _client_spans(exporter: InMemorySpanExporter) -> list[object]:
    return [s for s in exporter.get_finished_spans() if s.kind == trace.SpanKind.CLIENT]


async def test_each_attempt_is_a_client_span_with_the_http_conventions(
    spans: InMemorySpanExporter,
) -> None:
    notify = make_client()
    with respx.mock(base_url=BASE_URL) as router:
        route = router.route().respond(200, json={"data": {"id": SERVICE}})
        with request_context(trace_id="b" * 32):
            await notify.services.get_service(SERVICE)
    (span,) = _client_spans(spans)
    assert span.name == "GET /service/{service_id}"
    url = httpx.URL(BASE_URL)
    expected = {
        "http.request.method": "GET",
        "url.template": "/service/{service_id}",
        "server.address": url.host,
        "http.request.resend_count": 0,
        "http.response.status_code": 200,
        "notify_async.cache.outcome": "miss",
    }
    if url.port is not None:
        expected["server.port"] = url.port
    assert dict(span.attributes) == expected
    sent = route.calls[0].request.headers
    context = span.get_span_context()
    assert sent["traceparent"].startswith(f"00-{context.trace_id:032x}-{context.span_id:016x}-")
    assert sent["X-B3-TraceId"] == "b" * 32  # the B3 headers still go out
    assert SERVICE not in span.name


async def test_retries_count_and_errors_have_a_type(spans: InMemorySpanExporter) -> None:
    notify = make_client(retry=RetryPolicy(max_attempts=2, backoff_base=0.001))
    with respx.mock(base_url=BASE_URL) as router:
        router.route().mock(side_effect=[httpx.Response(503), httpx.Response(404, json={})])
        with pytest.raises(NotFoundError):
            await notify.services.get_service(SERVICE)
    first, second = _client_spans(spans)
    assert first.attributes["error.type"] == "503"
    assert second.attributes["http.request.resend_count"] == 1
    assert second.attributes["error.type"] == "404"
    assert second.status.status_code == trace.StatusCode.ERROR


async def test_no_response_is_an_error_span_named_by_its_exception(
    spans: InMemorySpanExporter,
) -> None:
    notify = make_client()
    with respx.mock(base_url=BASE_URL) as router:
        router.route().mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(TransportError):
            await notify.services.get_service(SERVICE)
    (span,) = _client_spans(spans)
    assert span.attributes["error.type"] == "ConnectError"
    assert "http.response.status_code" not in span.attributes


async def test_a_cache_hit_is_an_event_on_the_callers_span(spans: InMemorySpanExporter) -> None:
    notify = make_client()
    tracer = trace.get_tracer("test")
    with respx.mock(base_url=BASE_URL) as router:
        router.route().respond(200, json={"data": {"id": SERVICE}})
        await notify.services.get_service(SERVICE)
        with tracer.start_as_current_span("handler"):
            await notify.services.get_service(SERVICE)
    handler = next(s for s in spans.get_finished_spans() if s.name == "handler")
    (event,) = handler.events
    assert event.name == "notify_async.cache"
    assert event.attributes["notify_async.cache.outcome"] == "hit"
    assert event.attributes["key.template"] == "service-{service_id}"
    assert len(_client_spans(spans)) == 1  # the hit sent nothing
