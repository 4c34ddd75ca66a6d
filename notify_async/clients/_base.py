"""The base of every sub-client: the four verbs, the acting user and shared checks.

Endpoint methods read like the contract::

    @invalidates("user-{user_id}")
    async def archive_user(self, user_id: str) -> Any:
        return await self._post("/user/{user_id}/archive", None, user_id=user_id)

Path templates name their parameters; the values are passed as keywords and encoded by the
transport (never pasted into the string by hand).
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from notify_async._transport import Transport
from notify_async.cache import RequestCache
from notify_async.cache._decorators import start_pending_writes
from notify_async.clients._shape import check_shape
from notify_async.config import ClientConfig
from notify_async.context import require_user_id
from notify_async.errors import ConfigurationError, InvalidArgumentError


class BaseClient:
    """Shared plumbing of the domain clients; built by :class:`~notify_async.NotifyAdminClient`.

    Every endpoint method raises :class:`~notify_async.errors.HTTPError` (a status subclass such
    as :class:`~notify_async.errors.NotFoundError`) when the API answers with an error,
    :class:`~notify_async.errors.TransportError` when it cannot be reached, and
    :class:`~notify_async.errors.InvalidArgumentError` before sending when an argument (such as
    an id that is not a valid path segment) is refused. Methods that change cached data also
    raise :class:`~notify_async.errors.CacheInvalidationError` when the cache cannot be cleared.
    """

    def __init__(self, transport: Transport, cache: RequestCache, config: ClientConfig) -> None:
        self._transport = transport
        self._cache = cache
        self._config = config

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    #: How ``@cached`` checks a value read from the cache (the same top-level JSON kind check a
    #: fresh answer gets): an entry of the wrong shape is fetched again, never returned.
    _check_shape = staticmethod(check_shape)

    async def _send(
        self, method: str, path: str, ids: Mapping[str, object],
        params: Mapping[str, object] | None = None, body: Any = None,
    ) -> Any:
        # The cache invalidation before a write runs here, once everything the method checks
        # before sending has passed (see notify_async.cache.invalidates).
        await start_pending_writes()
        return await self._transport.request(method, path, ids, params=params, body=body)

    async def _get(
        self, path: str, params: Mapping[str, object] | None = None, /, **ids: object
    ) -> Any:
        return await self._send("GET", path, ids, params)

    async def _post(
        self, path: str, body: Any = None, /, *, params: Mapping[str, object] | None = None,
        **ids: object,
    ) -> Any:
        return await self._send("POST", path, ids, params, body)

    async def _put(self, path: str, body: Any = None, /, **ids: object) -> Any:
        return await self._send("PUT", path, ids, None, body)

    async def _delete(
        self, path: str, body: Any = None, /, *, params: Mapping[str, object] | None = None,
        **ids: object,
    ) -> Any:
        return await self._send("DELETE", path, ids, params, body)

    def _with_created_by(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``{"created_by": <acting user>, **body}``; raises
        :class:`~notify_async.errors.MissingActingUserError` outside a request context."""
        caller = f"{type(self).__name__}.{sys._getframe(1).f_code.co_name}"
        return {"created_by": require_user_id(caller), **body}

    def _acting_user(self) -> str:
        """The acting user's id (for bodies that name it differently from ``created_by``)."""
        caller = f"{type(self).__name__}.{sys._getframe(1).f_code.co_name}"
        return require_user_id(caller)

    def _admin_base_url(self) -> str:
        """The admin site's URL; raises :class:`ConfigurationError` when not configured."""
        url = self._config.admin_base_url
        if not url:
            caller = f"{type(self).__name__}.{sys._getframe(1).f_code.co_name}"
            raise ConfigurationError(f"{caller} needs admin_base_url on the NotifyAdminClient")
        return url


def check_allowed(names: Iterable[str], allowed: Collection[str], what: str) -> None:
    """Raise :class:`InvalidArgumentError` naming every entry of ``names`` not in ``allowed``,
    with the original's message: ``Not allowed to update <what> attributes: a, b``."""
    refused = sorted(set(names) - set(allowed))
    if refused:
        raise InvalidArgumentError(f"Not allowed to update {what} attributes: {', '.join(refused)}")


def check_one_of(name: str, value: object, allowed: Collection[object]) -> None:
    """Raise :class:`InvalidArgumentError` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise InvalidArgumentError(
            f"{name} must be one of {', '.join(map(str, allowed))}; got {value!r}"
        )
