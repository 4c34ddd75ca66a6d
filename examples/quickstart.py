"""Quickstart: create a user and a service, add a template and an API key, send an e-mail and
read it back - then show what the cache saved.

    python examples/quickstart.py

Runs against the embedded fake Notify API unless ``NOTIFY_API_URL`` (and the admin client id
and secret) are set; see ``_demo.py``. Needs only the ``testing`` extra.
"""

from __future__ import annotations

import anyio
from _demo import create_demo_service, make_client, target

from notify_async import request_context


async def main() -> None:
    notify, fake = make_client()
    print(f"talking to {target(notify, fake)}")
    async with notify:
        demo = await create_demo_service(notify, "Quickstart", report=print)
        with request_context(user_id=demo.user_id):
            await notify.api_keys.create_api_key(demo.service_id, "quickstart key", "normal")
            print("created API key 'quickstart key' (its secret is not printed)")

            sent = await notify.notifications.send_notification(
                demo.service_id,
                template_id=demo.template_id,
                recipient=demo.email_address,  # trial mode: only the team can receive
                personalisation={"name": "Ada"},
                sender_id=None,
            )
            notification = await notify.notifications.get_notification(
                demo.service_id, sent["id"]
            )
            print(f"sent notification {notification['id']}: status {notification['status']}, "
                  f"template {notification['template']['name']!r}")

            for _ in range(3):
                service = await notify.services.get_service(demo.service_id)
            print(f"read service {service['data']['name']!r} 3 times")
        stats = notify.cache_stats
        print(f"cache: {stats.hits} hits, {stats.misses} misses, {stats.populates} stored")


if __name__ == "__main__":
    anyio.run(main)
