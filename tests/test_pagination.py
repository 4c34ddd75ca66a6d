"""The ``iter_...`` twins follow a paged list to its end, one item at a time.

Driven against the fake Notify API with a page size of 2 (so a handful of records make more
than three pages), with filters, with a page that fails part-way, and with ``max_items``; the
way each list pages (``links.next``, ``has_next``, ``older_than``) is the real API's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import httpx
import pytest
import respx

from notify_async import InvalidArgumentError, request_context
from notify_async._pagination import links_next, next_page, paginate
from notify_async.errors import ServerError
from notify_async.testing import FakeNotifyAPI
from notify_async.testing._routes_lists import add_complaint, add_inbound_sms
from tests.conftest import make_client
from tests.fake_support import TEAM_EMAIL, World, client_of, make_world

T = TypeVar("T")


async def collect(items: AsyncIterator[T]) -> list[T]:
    return [item async for item in items]


def _pages_asked(fake: FakeNotifyAPI, path: str) -> list[str | None]:
    return [dict(r.query).get("page") for r in fake.find_requests("GET", path)]


@pytest.fixture
def world() -> World:
    return make_world(page_size=2)


def _send(world: World, count: int, to: str = TEAM_EMAIL) -> list[str]:
    """``count`` one-off e-mails, a moment apart; their ids newest first."""
    ids = []
    for n in range(count):
        ids.append(world.fake.add_notification(
            world.service_id, world.template_id, to, {"name": f"n{n}"}
        )["id"])
        world.fake.advance(0.01)
    return ids[::-1]


# --- notifications -------------------------------------------------------------------------------


async def test_iter_notifications_follows_every_page_newest_first(world: World) -> None:
    expected = _send(world, 9)
    found = await collect(world.notify.notifications.iter_notifications_for_service(
        world.service_id
    ))
    assert [n["id"] for n in found] == expected
    path = f"/service/{world.service_id}/notifications"
    assert _pages_asked(world.fake, path) == ["1", "2", "3", "4", "5"]


async def test_iter_notifications_sends_the_filters_with_every_page() -> None:
    fake = FakeNotifyAPI(page_size=2, sending_after=1, delivered_after=2)
    user = fake.add_user("Grace Hopper")
    service = fake.add_service(user["id"], restricted=False)
    email = fake.add_template(service["id"], "Mail", content="Hi ((name))")
    sms = fake.add_template(service["id"], "Text", template_type="sms", content="Hi ((name))",
                            subject=None)
    failing = [
        fake.add_notification(service["id"], email["id"], f"temp-fail@{n}.example.gov.uk",
                              {"name": "x"})["id"]
        for n in range(5)
    ]
    fake.add_notification(service["id"], email["id"], "fine@example.gov.uk", {"name": "x"})
    fake.add_notification(service["id"], sms["id"], "07700900003", {"name": "x"})
    fake.advance(3)
    notify = client_of(fake)

    found = await collect(notify.notifications.iter_notifications_for_service(
        service["id"], template_type="email", status=["temporary-failure"]
    ))

    assert sorted(n["id"] for n in found) == sorted(failing)
    requests = fake.find_requests("GET", f"/service/{service['id']}/notifications")
    assert len(requests) == 3
    for request in requests:
        query = dict(request.query)
        assert (query["template_type"], query["status"]) == ("email", "temporary-failure")


async def test_a_failed_page_raises_after_the_items_already_yielded(world: World) -> None:
    expected = _send(world, 9)
    path = f"/service/{world.service_id}/notifications"
    seen: list[str] = []

    async def read_all() -> None:
        async for notification in world.notify.notifications.iter_notifications_for_service(
            world.service_id
        ):
            seen.append(notification["id"])
            if len(seen) == 4:  # two pages used up: the third one will fail
                world.fake.fail_next("GET", path, status=500)

    with pytest.raises(ServerError) as failed:
        await read_all()
    assert seen == expected[:4]
    assert failed.value.status_code == 500
    assert _pages_asked(world.fake, path) == ["1", "2", "3"]


async def test_max_items_stops_early_and_asks_for_no_further_page(world: World) -> None:
    expected = _send(world, 9)
    found = await collect(world.notify.notifications.iter_notifications_for_service(
        world.service_id, max_items=3
    ))
    assert [n["id"] for n in found] == expected[:3]
    assert _pages_asked(world.fake, f"/service/{world.service_id}/notifications") == ["1", "2"]


async def test_max_items_zero_sends_nothing_and_a_negative_one_is_refused(world: World) -> None:
    notifications = world.notify.notifications
    assert await collect(notifications.iter_notifications_for_service(
        world.service_id, max_items=0
    )) == []
    assert world.fake.requests == []
    with pytest.raises(InvalidArgumentError):
        await collect(notifications.iter_notifications_for_service(world.service_id,
                                                                   max_items=-1))


async def test_csv_rows_are_paged_older_than_the_last_row_until_a_short_page(
    world: World,
) -> None:
    expected = _send(world, 5)
    rows = await collect(world.notify.notifications.iter_notifications_for_service_for_csv(
        world.service_id, page_size=2
    ))
    assert [row["id"] for row in rows] == expected
    requests = world.fake.find_requests("GET", f"/service/{world.service_id}/notifications/csv")
    assert [dict(r.query).get("older_than") for r in requests] == [None, *expected[1:4:2]]


async def test_csv_rows_end_on_an_empty_page_when_the_last_page_is_full(world: World) -> None:
    expected = _send(world, 4)
    rows = await collect(world.notify.notifications.iter_notifications_for_service_for_csv(
        world.service_id, page_size=2
    ))
    assert [row["id"] for row in rows] == expected
    assert len(world.fake.find_requests(
        "GET", f"/service/{world.service_id}/notifications/csv"
    )) == 3


async def test_a_jobs_csv_rows_follow_the_numbered_pages() -> None:
    service_id, job_id = str(uuid.uuid4()), str(uuid.uuid4())
    path = f"/service/{service_id}/job/{job_id}/notifications"
    pages = [
        {"notifications": [{"id": "r1"}, {"id": "r2"}], "page_size": 2, "total": 3,
         "links": {"next": f"{path}?page=2", "last": f"{path}?page=2"}},
        {"notifications": [{"id": "r3"}], "page_size": 2, "total": 3,
         "links": {"prev": f"{path}?page=1"}},
    ]
    notify = make_client()
    with respx.mock(base_url="https://api.notify.test") as router:
        route = router.get(path).mock(side_effect=[httpx.Response(200, json=p) for p in pages])
        rows = await collect(notify.notifications.iter_notifications_for_service_for_csv(
            service_id, job_id
        ))
    assert [row["id"] for row in rows] == ["r1", "r2", "r3"]
    assert [call.request.url.params["page"] for call in route.calls] == ["1", "2"]
    assert all(call.request.url.params["format_for_csv"] == "True" for call in route.calls)


# --- jobs and uploads ----------------------------------------------------------------------------


async def _create_jobs(world: World, count: int, scheduled: int = 0) -> list[str]:
    """Start ``count`` jobs, a moment apart, the last ``scheduled`` of them due in an hour;
    return their ids newest first."""
    ids = []
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    with request_context(user_id=world.user_id):
        for n in range(count):
            job_id = str(uuid.uuid4())
            world.fake.stage_upload(world.service_id, job_id, template_id=world.template_id,
                                    original_file_name=f"file-{n}.csv", notification_count=1)
            scheduled_for = soon if n >= count - scheduled else None
            await world.notify.jobs.create_job(job_id, world.service_id, scheduled_for)
            world.fake.advance(0.01)
            ids.append(job_id)
    return ids[::-1]


async def test_iter_jobs_follows_every_page_and_sends_the_statuses(world: World) -> None:
    newest_first = await _create_jobs(world, 7, scheduled=3)
    everything = await collect(world.notify.jobs.iter_jobs(world.service_id))
    assert [job["id"] for job in everything] == newest_first

    world.fake.clear_requests()
    scheduled = await collect(world.notify.jobs.iter_jobs(
        world.service_id, statuses=iter(["scheduled"])
    ))
    assert [job["id"] for job in scheduled] == newest_first[:3]
    requests = world.fake.find_requests("GET", f"/service/{world.service_id}/job")
    assert [dict(r.query) for r in requests] == [
        {"page": "1", "statuses": "scheduled"}, {"page": "2", "statuses": "scheduled"}
    ]


async def test_iter_uploads_follows_every_page(world: World) -> None:
    newest_first = await _create_jobs(world, 7)
    uploads = await collect(world.notify.jobs.iter_uploads(world.service_id))
    assert [upload["id"] for upload in uploads] == newest_first
    assert _pages_asked(world.fake, f"/service/{world.service_id}/upload") == ["1", "2", "3", "4"]


# --- letters, inbound SMS, complaints ------------------------------------------------------------


async def test_iter_letters_of_a_print_day_follows_every_page() -> None:
    fake = FakeNotifyAPI(page_size=2)
    user = fake.add_user()
    service = fake.add_service(user["id"], restricted=False)
    letter = fake.add_template(service["id"], "Letter", template_type="letter",
                               content="Dear ((name))", subject="A letter")
    sent = []
    for n in range(7):
        sent.append(fake.add_notification(service["id"], letter["id"], f"Flat {n}\nSW1A 1AA",
                                          {"name": "x"})["id"])
        fake.advance(0.01)
    today = dt.datetime.fromtimestamp(fake.clock.now(), dt.UTC).date().isoformat()
    letters = await collect(client_of(fake).uploads.iter_letters_by_service_and_print_day(
        service["id"], letter_print_day=today
    ))
    assert [n["id"] for n in letters] == sent[::-1]
    path = f"/service/{service['id']}/upload/uploaded-letters/{today}"
    assert _pages_asked(fake, path) == ["1", "2", "3", "4"]


async def test_iter_most_recent_inbound_sms_follows_has_next(world: World) -> None:
    numbers = [f"0770090{n:04d}" for n in range(7)]
    for number in numbers:
        add_inbound_sms(world.fake.store, world.service_id, number, "Hi")
        world.fake.advance(0.01)
    add_inbound_sms(world.fake.store, world.service_id, numbers[0], "Again")
    messages = await collect(world.notify.services.iter_most_recent_inbound_sms(world.service_id))
    assert [m["user_number"] for m in messages] == [numbers[0], *numbers[:0:-1]]
    assert messages[0]["content"] == "Again"
    path = f"/service/{world.service_id}/inbound-sms/most-recent"
    assert _pages_asked(world.fake, path) == ["1", "2", "3", "4"]


async def test_iter_all_complaints_follows_every_page(world: World) -> None:
    notification_ids = _send(world, 7)
    complaints = [add_complaint(world.fake.store, nid)["id"] for nid in notification_ids]
    found = await collect(world.notify.complaints.iter_all_complaints())
    assert [c["id"] for c in found] == complaints[::-1]
    assert _pages_asked(world.fake, "/complaint") == ["1", "2", "3", "4"]


# --- the helper ----------------------------------------------------------------------------------


async def test_an_empty_page_ends_the_list_even_if_it_says_next() -> None:
    asked: list[int] = []

    async def fetch(page: int) -> dict[str, Any]:
        asked.append(page)
        return {"items": [page] if page < 3 else [], "links": {"next": True}}

    found = await collect(paginate(fetch, 1, lambda p: p["items"], next_page(links_next)))
    assert (found, asked) == ([1, 2], [1, 2, 3])
