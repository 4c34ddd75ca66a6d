"""Key building by the cache decorators: placeholders filled by parameter name from positional
arguments, keywords or defaults, UUIDs normalised; the precompiled fast path agrees with
``format_key`` and falls back to ``Signature.bind`` for anything unusual."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from notify_async.cache import MemoryCache, RequestCache, cached, format_key, invalidates
from notify_async.cache._keys import compile_key

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
