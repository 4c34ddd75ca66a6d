"""One module per original client; each class is one attribute of the facade.

The facade's class body (:class:`~notify_async.NotifyAdminClient`, one ``SubClient`` line per
domain) is the only list of them; ``NotifyAdminClient.domains()`` gives them by attribute name.
The classes can also be imported from here by name (``from notify_async.clients import
ServiceAPIClient``), found through that registry.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    from notify_async.client import NotifyAdminClient

    for client_class in NotifyAdminClient.domains().values():
        if client_class.__name__ == name:
            return client_class
    raise AttributeError(f"module 'notify_async.clients' has no attribute {name!r}")


def __dir__() -> list[str]:
    from notify_async.client import NotifyAdminClient

    return sorted(cls.__name__ for cls in NotifyAdminClient.domains().values())
