"""A stateful fake of the Notify admin API for tests, demos and notebooks.

Needs the ``testing`` extra (Starlette; uvicorn to serve it)::

    from notify_async.testing import FakeNotifyAPI

    fake = FakeNotifyAPI()
    user = fake.add_user()
    async with fake.client() as notify:           # in-process: no ports, no server
        with request_context(user_id=user["id"]):
            service_id = await notify.services.create_service(...)

Or serve it on loopback: ``python -m notify_async.testing serve --port 8765``. A pytest plugin
(registered as an entry point) provides the ``notify_fake`` and ``notify_client`` fixtures.
The package core never imports this module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from notify_async._extras import missing_extra

if TYPE_CHECKING:
    from notify_async.testing._app import (
        DEFAULT_BASE_URL,
        DEFAULT_CLIENT_ID,
        DEFAULT_SECRET,
        FakeNotifyAPI,
        RecordedRequest,
    )
    from notify_async.testing._state import FakeClock

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_SECRET",
    "FakeClock",
    "FakeNotifyAPI",
    "RecordedRequest",
]

# Imported on first use: the pytest plugin (``notify_async.testing.pytest_plugin``) is loaded by
# every pytest run in an environment where the package is installed, and importing this package
# must not need Starlette until the fake is actually used.
_HOMES = {name: "notify_async.testing._app" for name in __all__} | {
    "FakeClock": "notify_async.testing._state"
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        try:
            home = importlib.import_module(_HOMES[name])
        except ModuleNotFoundError as exc:  # the optional ``testing`` extra is not installed
            if not (exc.name or "").startswith("starlette"):
                raise
            raise missing_extra("testing", "notify_async.testing", exc) from exc
        return getattr(home, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
