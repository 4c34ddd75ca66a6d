"""notify_async: an async Python SDK for the GOV.UK Notify admin API.

::

    from notify_async import NotifyAdminClient, request_context

    async with NotifyAdminClient(base_url, client_id, secret) as notify:
        with request_context(user_id=current_user_id):
            service = await notify.services.get_service(service_id)
"""

from __future__ import annotations

from notify_async._constants import VERSION as __version__
from notify_async._raw import ResponseInfo
from notify_async._transport import ShardedTransport
from notify_async.client import NotifyAdminClient
from notify_async.config import ClientConfig, RetryPolicy
from notify_async.context import current_user_id, request_context
from notify_async.errors import (
    APIError,
    CacheInvalidationError,
    HTTP503Error,
    HTTPError,
    InvalidArgumentError,
    InvalidResponse,
    InviteTokenError,
    MissingActingUserError,
    NotifyError,
)

__all__ = [
    "APIError",
    "CacheInvalidationError",
    "ClientConfig",
    "HTTP503Error",
    "HTTPError",
    "InvalidArgumentError",
    "InvalidResponse",
    "InviteTokenError",
    "MissingActingUserError",
    "NotifyAdminClient",
    "NotifyError",
    "ResponseInfo",
    "RetryPolicy",
    "ShardedTransport",
    "__version__",
    "current_user_id",
    "request_context",
]
