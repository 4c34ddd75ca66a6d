"""pytest plugin (entry point ``notify_async``): fixtures backed by the fake Notify API.

* ``notify_fake`` - a fresh :class:`~notify_async.testing.FakeNotifyAPI` per test.
* ``notify_client`` - a :class:`~notify_async.NotifyAdminClient` wired to it in-process, with an
  in-memory cache and no retries.

Both are plain (synchronous) fixtures, so they work with pytest-asyncio, anyio and trio tests
alike. The fake is imported only when a fixture is used: installing the package without the
``testing`` extra never breaks a test run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from notify_async import NotifyAdminClient
    from notify_async.testing import FakeNotifyAPI


@pytest.fixture
def notify_fake() -> FakeNotifyAPI:
    """A fresh fake Notify API (seed it with ``add_user``, ``add_service``...)."""
    from notify_async.testing import FakeNotifyAPI

    return FakeNotifyAPI()


@pytest.fixture
def notify_client(notify_fake: FakeNotifyAPI) -> NotifyAdminClient:
    """A client of ``notify_fake`` (in-process, in-memory cache, retries disabled)."""
    from notify_async import RetryPolicy
    from notify_async.cache import MemoryCache

    return notify_fake.client(cache=MemoryCache(), retry=RetryPolicy.disabled())
