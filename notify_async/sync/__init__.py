"""A blocking facade of the SDK for synchronous code: Flask apps, Celery / RQ workers, scripts.

::

    from notify_async.sync import NotifyAdminClient, request_context

    notify = NotifyAdminClient.from_env()          # one per process, shared by every thread
    with request_context(user_id=current_user.id):
        service = notify.services.get_service(service_id)   # no await

The same sub-clients, methods, arguments, results and errors as :class:`notify_async.
NotifyAdminClient`; one event loop in a daemon thread runs them, with one HTTP pool and one
cache for the whole process. See docs/sync.md.
"""

from __future__ import annotations

from notify_async.context import current_user_id, request_context
from notify_async.sync._errors import CallTimeoutError, ClientClosedError, RunningEventLoopError
from notify_async.sync.client import NotifyAdminClient, call_timeout

__all__ = [
    "CallTimeoutError",
    "ClientClosedError",
    "NotifyAdminClient",
    "RunningEventLoopError",
    "call_timeout",
    "current_user_id",
    "request_context",
]
