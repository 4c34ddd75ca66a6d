"""Integrations with web frameworks; each uses only the public API of :mod:`notify_async`.

* :mod:`notify_async.integrations.asgi` - :class:`NotifyContextMiddleware`, which runs every
  incoming request inside :func:`notify_async.request_context` (Starlette, FastAPI, any ASGI).
"""
