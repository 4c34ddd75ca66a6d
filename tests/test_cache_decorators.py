"""Key building by the cache decorators: placeholders filled by parameter name from positional
arguments, keywords or defaults, UUIDs normalised; the precompiled fast path agrees with
``format_key`` and falls back to ``Signature.bind`` for anything unusual."""

from __future__ import annotations

import datetime as dt
import inspect
import uuid
from collections.abc import Sequence
from typing import Any

import pytest

from notify_async.cache import MemoryCache, RequestCache, cached, format_key, invalidates
from notify_async.cache._decorators import start_pending_writes
from notify_async.cache._keys import compile_key
from notify_async.errors import CacheInvalidationError

SERVICE = "9F5B7C8E-0F2A-4B8E-9A59-3C1D2E4F5A6B"


class Recorder:
    """A sub-client stand-in: records the keys its cache sees."""

    def __init__(self) -> None:
        self._cache = RequestCache(MemoryCache())
        self.calls = 0

    @cached("service-{service_id}-template-{template_id}-version-{version}")
    async def get_template(
        self, service_id: str, template_id: str, version: int | None = None
    ) -> Any:
        self.calls += 1
        return {"id": template_id}

    @cached("service-{service_id}-{when}")
    async def kw_only(self, service_id: str, *, when: dt.date = dt.date(2024, 4, 1)) -> Any:
        self.calls += 1
        return []

    @invalidates("service-{service_id}", patterns=("service-{service_id}-template-*",))
    async def write(self, service_id: str, **kwargs: Any) -> Any:
        await start_pending_writes()  # where a sub-client's verb sends its request
        return kwargs


async def stored_keys(recorder: Recorder) -> list[str]:
    backend = recorder._cache.backend
    assert isinstance(backend, MemoryCache)
    return list(backend._data)


@pytest.mark.parametrize(
    ("args", "kwargs", "key"),
    [
        ((SERVICE, "t1"), {}, f"service-{SERVICE.lower()}-template-t1-version-None"),
        ((SERVICE, "t1", 3), {}, f"service-{SERVICE.lower()}-template-t1-version-3"),
        ((SERVICE,), {"template_id": "t1", "version": 2},
         f"service-{SERVICE.lower()}-template-t1-version-2"),
        ((), {"service_id": "svc", "template_id": "t1"}, "service-svc-template-t1-version-None"),
    ],
)
async def test_cached_key_comes_from_positional_keyword_and_default_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], key: str
) -> None:
    recorder = Recorder()
    await recorder.get_template(*args, **kwargs)
    await recorder.get_template(*args, **kwargs)
    assert await stored_keys(recorder) == [key]
    assert recorder.calls == 1


async def test_keyword_only_parameters_and_their_defaults_fill_keys() -> None:
    recorder = Recorder()
    await recorder.kw_only("svc")
    await recorder.kw_only("svc", when=dt.date(2024, 5, 6))
    assert await stored_keys(recorder) == ["service-svc-2024-04-01", "service-svc-2024-05-06"]


async def test_a_missing_argument_is_the_usual_type_error() -> None:
    with pytest.raises(TypeError):
        await Recorder().get_template(SERVICE)  # type: ignore[call-arg]


async def test_invalidation_keys_and_patterns_are_normalised() -> None:
    recorder = Recorder()
    backend = recorder._cache.backend
    await backend.set(f"service-{SERVICE.lower()}", b"{}", 60)
    await backend.set(f"service-{SERVICE.lower()}-template-1", b"{}", 60)
    await backend.set("service-other", b"{}", 60)
    assert await recorder.write(SERVICE, name="x") == {"name": "x"}
    assert await stored_keys(recorder) == ["service-other"]


def test_a_key_naming_an_unknown_parameter_is_refused_at_definition() -> None:
    with pytest.raises(TypeError, match="unknown parameter"):

        @cached("service-{nope}")
        async def method(self: Any, service_id: str) -> Any:
            return None


@pytest.mark.parametrize(
    "template",
    ["letter-rates", "service-{a}", "service-{a}-template-{b}", "{a}-{b}-{c}-count", "{a}{b}"],
)
def test_compiled_keys_match_format_key(template: str) -> None:
    arguments = {"a": SERVICE, "b": uuid.UUID(SERVICE), "c": dt.date(2024, 1, 2)}
    assert compile_key(template)(arguments) == format_key(template, arguments)


# --- Cache effects: read-through, invalidation around the request, failures, nesting ----------


class RecordingBackend(MemoryCache):
    """A MemoryCache that logs its invalidations into ``events`` and fails the ones asked."""

    def __init__(self, events: list[Any], fail_on: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.events = events
        self.fail_on = fail_on
        self.calls = 0

    async def invalidate(
        self, keys: Sequence[str], patterns: Sequence[str], *, write: object = None
    ) -> None:
        self.calls += 1
        self.events.append(("delete", *keys, *patterns))
        if self.calls in self.fail_on:
            raise ConnectionError("cache down")
        await super().invalidate(keys, patterns, write=write)  # type: ignore[arg-type]


class Writer:
    """A sub-client stand-in whose methods log the request they would send."""

    def __init__(self, fail_on: tuple[int, ...] = ()) -> None:
        self.events: list[Any] = []
        self.backend = RecordingBackend(self.events, fail_on)
        self._cache = RequestCache(self.backend)

    @cached("service-{service_id}")
    async def get_service(self, service_id: str) -> Any:
        self.events.append("request")
        return {"id": service_id, "requests": self.events.count("request")}

    async def send(self) -> None:
        """What a sub-client's verb does: the pending invalidations, then the request."""
        await start_pending_writes()
        self.events.append("request")

    @invalidates("service-{service_id}", patterns=("service-{service_id}-template-*",))
    async def update_service(
        self, service_id: str, refuse: bool = False, fail: bool = False
    ) -> Any:
        if refuse:
            raise ValueError("refused before sending")
        await self.send()
        await self.backend.set(f"service-{service_id}", b'{"stale": true}', 60)  # a racing read
        if fail:
            raise ValueError("failed after sending")
        return {"updated": service_id}

    @invalidates("outer-{service_id}")
    @invalidates("middle")
    @invalidates("inner-{service_id}")
    async def nested(self, service_id: str) -> Any:
        await self.send()
        return "done"


UPDATE_DELETE = ("delete", "service-s1", "service-s1-template-*")


async def test_a_cached_read_goes_to_the_api_once_then_hits() -> None:
    writer = Writer()
    first = await writer.get_service("s1")
    assert await writer.get_service("s1") == first == {"id": "s1", "requests": 1}
    assert writer.events == ["request"]
    stats = writer._cache.stats
    assert (stats.misses, stats.hits, stats.populates) == (1, 1, 1)


async def test_a_write_invalidates_before_and_after_its_request() -> None:
    writer = Writer()
    await writer.get_service("s1")
    await writer.backend.set("service-s1-template-t1", b"{}", 60)
    writer.events.clear()
    assert await writer.update_service("s1") == {"updated": "s1"}
    assert writer.events == [UPDATE_DELETE, "request", UPDATE_DELETE]
    assert len(writer.backend) == 0  # what a racing read stored during the request is gone too


async def test_a_failed_invalidation_after_the_write_raises_with_its_result() -> None:
    writer = Writer(fail_on=(2,))
    with pytest.raises(CacheInvalidationError) as caught:
        await writer.update_service("s1")
    error = caught.value
    assert error.request_sent is True
    assert error.result == {"updated": "s1"}
    assert error.keys == ("service-s1", "service-s1-template-*")
    assert isinstance(error.__cause__, ConnectionError)
    assert writer.events == [UPDATE_DELETE, "request", UPDATE_DELETE]


async def test_a_failed_invalidation_before_the_write_raises_and_sends_nothing() -> None:
    writer = Writer(fail_on=(1,))
    with pytest.raises(CacheInvalidationError, match="not sent") as caught:
        await writer.update_service("s1")
    assert caught.value.request_sent is False
    assert caught.value.result is None
    assert writer.events == [UPDATE_DELETE]


async def test_a_method_that_raises_after_sending_still_invalidates_after_it() -> None:
    # A failed write may have been applied (timeout, 5xx after commit): clear again regardless.
    writer = Writer()
    with pytest.raises(ValueError, match="failed after sending"):
        await writer.update_service("s1", fail=True)
    assert writer.events == [UPDATE_DELETE, "request", UPDATE_DELETE]
    assert len(writer.backend) == 0


async def test_a_method_that_raises_before_sending_touches_no_key() -> None:
    writer = Writer()
    await writer.get_service("s1")
    writer.events.clear()
    with pytest.raises(ValueError, match="refused"):
        await writer.update_service("s1", refuse=True)
    assert writer.events == []
    assert len(writer.backend) == 1


async def test_a_failed_invalidation_after_a_failed_write_is_noted_on_the_write_error() -> None:
    writer = Writer(fail_on=(2,))
    with pytest.raises(ValueError, match="failed after sending") as caught:
        await writer.update_service("s1", fail=True)
    notes = getattr(caught.value, "__notes__", [])
    assert any("may hold stale data" in note and "service-s1" in note for note in notes)


async def test_nested_decorators_invalidate_outermost_first_then_innermost_first() -> None:
    writer = Writer()
    assert await writer.nested("s1") == "done"
    outer, middle, inner = ("delete", "outer-s1"), ("delete", "middle"), ("delete", "inner-s1")
    assert writer.events == [outer, middle, inner, "request", inner, middle, outer]


def test_decorated_methods_keep_their_name_and_signature() -> None:
    signature = inspect.signature(Writer.update_service)
    assert list(signature.parameters) == ["self", "service_id", "refuse", "fail"]
    assert Writer.update_service.__name__ == "update_service"
    assert Writer.get_service.__notify_cache__ == ("set", "service-{service_id}", 2419200)  # type: ignore[attr-defined]
