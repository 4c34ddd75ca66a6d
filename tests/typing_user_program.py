"""A small program written against the SDK as a user would write it.

It is never run: ``tests/test_types_mypy.py`` type-checks it with mypy and reads the revealed
types and the one error it must report (the misspelt key at the end).
"""

from __future__ import annotations

from typing import reveal_type

from notify_async import NotifyAdminClient


async def main(notify: NotifyAdminClient, service_id: str, user_id: str) -> None:
    service = await notify.services.get_service(service_id)
    reveal_type(service)
    name: str = service["data"]["name"]
    went_live: str | None = service["data"]["go_live_at"]
    user = await notify.users.get_user(user_id)
    reveal_type(user)
    permissions: list[str] = user["permissions"][service_id]
    async for notification in notify.notifications.iter_notifications_for_service(
        service_id, status="failed"
    ):
        reveal_type(notification)
        print(notification["to"], notification["template"]["name"])
    print(name, went_live, permissions)
    print(service["data"]["nmae"])
