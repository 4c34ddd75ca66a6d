"""Without an optional extra, using what needs it raises an ImportError that says what to
install (simulated by hiding the extra's modules)."""

from __future__ import annotations

import sys

import pytest


def hide(monkeypatch: pytest.MonkeyPatch, top: str, *reimported: str) -> None:
    """Make ``top`` and its submodules unimportable, and forget ``reimported`` so that they
    are imported again (and meet the missing module)."""
    for name in [n for n in sys.modules if n == top or n.startswith(f"{top}.")] or [top]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, top, None)
    for name in reimported:
        monkeypatch.delitem(sys.modules, name, raising=False)


def redis_cache_from_url() -> object:
    from notify_async.cache import RedisCache

    return RedisCache.from_url("redis://localhost:6379/0")


def make_fake() -> object:
    from notify_async.testing import FakeNotifyAPI

    return FakeNotifyAPI()


def test_redis_cache_without_the_redis_extra_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hide(monkeypatch, "redis", "notify_async.cache.redis")
    with pytest.raises(ImportError, match=r"pip install 'notify-async\[redis\]'") as caught:
        redis_cache_from_url()
    assert type(caught.value) is ImportError  # not the bare ModuleNotFoundError
    assert isinstance(caught.value.__cause__, ModuleNotFoundError)


def test_the_fake_without_the_testing_extra_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_modules = [n for n in sys.modules if n.startswith("notify_async.testing.")]
    hide(monkeypatch, "starlette", *fake_modules)
    with pytest.raises(ImportError, match=r"pip install 'notify-async\[testing\]'"):
        make_fake()


def test_the_core_package_imports_without_any_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "redis")
    hide(monkeypatch, "starlette")
    import notify_async.cache
    import notify_async.testing

    assert notify_async.cache.MemoryCache().__class__.__name__ == "MemoryCache"
    assert "FakeNotifyAPI" in notify_async.testing.__all__
