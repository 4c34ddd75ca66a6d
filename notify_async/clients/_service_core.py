"""Part of ``notify.services`` (ServiceAPIClient)."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class ServiceCoreMixin(BaseClient):
    """ServiceAPIClient methods (see notify_async.clients.services)."""
