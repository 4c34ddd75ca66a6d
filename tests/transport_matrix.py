"""Runs a test module once per transport the SDK's own client can use.

``pytestmark = pytest.mark.usefixtures("each_transport")`` in a module (with this fixture
imported) runs each of its tests with ``transport="auto"`` meaning aiohttp, then httpcore, on
asyncio. Under trio "auto" is always httpcore.
"""

from __future__ import annotations

import pytest

from notify_async import _session as session_module

TRANSPORTS = ["aiohttp", "httpcore"]


@pytest.fixture(params=TRANSPORTS)
def each_transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The transport this run of the test uses (what "auto" means on asyncio)."""
    kind: str = request.param
    monkeypatch.setattr(session_module, "AUTO_ON_ASYNCIO", kind)
    return kind
