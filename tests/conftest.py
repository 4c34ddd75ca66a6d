"""Shared fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from notify_async import NotifyAdminClient, RetryPolicy
from notify_async.cache import MemoryCache
from tests.harness import (
    ADMIN_URL,
    BASE_URL,
    CLIENT_ID,
    DOCUMENT_KEY,
    DOCUMENT_URL,
    LIVE_LIMITS,
    SECRET,
    SERVICE_LIMIT,
)


def make_client(cache: object = None, **options: object) -> NotifyAdminClient:
    """A facade configured like the tests expect (no retries unless asked)."""
    settings: dict[str, object] = {
        "admin_base_url": ADMIN_URL,
        "document_download_url": DOCUMENT_URL,
        "document_download_api_key": DOCUMENT_KEY,
        "retry": RetryPolicy.disabled(),
        "default_service_limit": SERVICE_LIMIT,
        "default_live_service_rate_limits": LIVE_LIMITS,
    }
    settings.update(options)
    return NotifyAdminClient(
        BASE_URL, CLIENT_ID, SECRET, cache=MemoryCache() if cache is None else cache, **settings  # type: ignore[arg-type]
    )


@pytest.fixture
async def notify() -> AsyncIterator[NotifyAdminClient]:
    """A facade with an in-memory cache and retries disabled."""
    client = make_client()
    async with client:
        yield client
