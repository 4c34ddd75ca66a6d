"""The fake Notify API driven through the SDK: templates (versions), one-off notifications
(statuses on the fake's clock, filters, pages, trial mode), statistics and jobs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from notify_async import request_context
from notify_async.errors import BadRequestError, NotFoundError
from notify_async.testing import FakeNotifyAPI
from tests.fake_support import TEAM_EMAIL, TEAM_MOBILE, World, make_world


@pytest.fixture
def world() -> World:
    return make_world()


async def send(world: World, to: str = TEAM_EMAIL, template_id: str | None = None,
               personalisation: dict[str, Any] | None = None) -> str:
    with request_context(user_id=world.user_id):
        sent = await world.notify.notifications.send_notification(
            world.service_id,
            template_id=template_id or world.template_id,
            recipient=to,
            personalisation={"name": "Ada"} if personalisation is None else personalisation,
            sender_id=None,
        )
    return str(sent["id"])


# --- templates --------------------------------------------------------------------------------


async def test_template_updates_make_versions(world: World) -> None:
    notify = world.notify
    with request_context(user_id=world.user_id):
        created = await notify.services.create_service_template(
            name="Reminder", type_="sms", content="Hi ((name))", service_id=world.service_id
        )
        template_id = created["data"]["id"]
        assert created["data"]["version"] == 1
        assert created["data"]["subject"] is None
        updated = await notify.services.update_service_template(
            world.service_id, template_id, content="Hi again ((name))"
        )
    assert updated["data"]["version"] == 2
    current = await notify.services.get_service_template(world.service_id, template_id)
    first = await notify.services.get_service_template(world.service_id, template_id, 1)
    assert current["data"]["content"] == "Hi again ((name))"
    assert first["data"]["content"] == "Hi ((name))"
    versions = (await notify.services.get_service_template_versions(
        world.service_id, template_id))["data"]
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["created_by"] == {
        "email_address": TEAM_EMAIL, "id": world.user_id, "name": "Ada Lovelace"
    }
    with pytest.raises(NotFoundError):
        await notify.services.get_service_template(world.service_id, template_id, 3)


async def test_an_update_that_changes_nothing_adds_no_version(world: World) -> None:
    with request_context(user_id=world.user_id):
        same = await world.notify.services.update_service_template(
            world.service_id, world.template_id, name="Welcome"
        )
    assert same["data"]["version"] == 1


async def test_template_list_shows_summaries_of_unarchived_templates(world: World) -> None:
    notify = world.notify
    listed = await notify.services.get_service_templates(world.service_id)
    assert listed == {"data": [{
        "folder": None, "id": world.template_id, "is_precompiled_letter": False,
        "name": "Welcome", "template_type": "email",
    }]}
    with request_context(user_id=world.user_id):
        await notify.services.delete_service_template(world.service_id, world.template_id)
    assert await notify.services.get_service_templates(world.service_id) == {"data": []}


async def test_create_template_validates_its_body(world: World) -> None:
    with request_context(user_id=world.user_id), pytest.raises(BadRequestError) as caught:
        await world.notify.services.create_service_template(
            name="No subject", type_="email", content="Hi", service_id=world.service_id
        )
    assert caught.value.message == {"subject": ["Missing data for required field."]}


# --- notifications ----------------------------------------------------------------------------


async def test_a_one_off_moves_created_sending_delivered_on_the_fake_clock(world: World) -> None:
    notification_id = await send(world)
    assert world.fake.requests[-1].status == 201
    get = world.notify.notifications.get_notification
    first = await get(world.service_id, notification_id)
    assert (first["status"], first["sent_at"], first["to"]) == ("created", None, TEAM_EMAIL)
    assert first["template"]["version"] == 1
    assert first["personalisation"] == {"name": "Ada"}
    assert first["created_by"]["id"] == world.user_id
    world.fake.advance(2)
    assert (await get(world.service_id, notification_id))["status"] == "sending"
    world.fake.advance(3)
    delivered = await get(world.service_id, notification_id)
    assert delivered["status"] == "delivered"
    assert delivered["sent_by"] == "ses"


async def test_trial_mode_only_sends_to_the_team(world: World) -> None:
    with pytest.raises(BadRequestError) as caught:
        await send(world, to="stranger@example.gov.uk")
    assert "trial mode" in caught.value.message
    with request_context(user_id=world.user_id):
        await world.notify.services.update_service(world.service_id, restricted=False)
    assert await send(world, to="stranger@example.gov.uk")


async def test_sms_to_a_team_members_number_in_any_format(world: World) -> None:
    sms = world.fake.add_template(world.service_id, "Text", template_type="sms",
                                  content="Code ((code))")
    notification_id = await send(world, to="07700 900123", template_id=sms["id"],
                                 personalisation={"code": "1234"})
    found = await world.notify.notifications.get_notification(world.service_id, notification_id)
    assert found["normalised_to"] == TEAM_MOBILE.lstrip("+")
    assert found["notification_type"] == "sms"


async def test_missing_personalisation_is_a_400(world: World) -> None:
    with pytest.raises(BadRequestError) as caught:
        await send(world, personalisation={})
    assert caught.value.message == "Missing personalisation: name"


async def test_notification_list_filters_and_pages(world: World) -> None:
    with request_context(user_id=world.user_id):
        await world.notify.services.update_service(world.service_id, restricted=False)
    for to in ("a@example.gov.uk", "b@example.gov.uk", "perm-fail@simulator.notify"):
        await send(world, to=to)
    world.fake.advance(10)
    await send(world, to="c@example.gov.uk")  # still "created"
    listing = world.notify.notifications.get_notifications_for_service
    page1 = await listing(world.service_id, page=1, page_size=2)
    assert [n["to"] for n in page1["notifications"]] == [
        "c@example.gov.uk", "perm-fail@simulator.notify"
    ]
    assert page1["page_size"] == 2
    assert "next" in page1["links"]
    assert "prev" not in page1["links"]
    page2 = await listing(world.service_id, page=2, page_size=2)
    assert [n["to"] for n in page2["notifications"]] == ["b@example.gov.uk", "a@example.gov.uk"]
    delivered = await listing(world.service_id, status=["delivered"])
    assert {n["to"] for n in delivered["notifications"]} == {"a@example.gov.uk",
                                                              "b@example.gov.uk"}
    assert (await listing(world.service_id, template_type="sms"))["notifications"] == []
    found = await listing(world.service_id, to="B@example.gov.uk")
    assert world.fake.requests[-1].method == "POST"
    assert [n["to"] for n in found["notifications"]] == ["b@example.gov.uk"]


async def test_service_statistics_count_requested_delivered_and_failed(world: World) -> None:
    with request_context(user_id=world.user_id):
        await world.notify.services.update_service(world.service_id, restricted=False)
    for to in (TEAM_EMAIL, "temp-fail@simulator.notify", "perm-fail@simulator.notify"):
        await send(world, to=to)
    stats = await world.notify.services.get_service_statistics(world.service_id)
    assert stats["email"] == {"requested": 3, "delivered": 0, "failed": 0}
    world.fake.advance(5)
    stats = await world.notify.services.get_service_statistics(world.service_id, 7)
    assert stats["email"] == {"requested": 3, "delivered": 1, "failed": 2}
    assert stats["sms"] == {"requested": 0, "delivered": 0, "failed": 0}


async def test_fake_seeding_sends_notifications_too() -> None:
    fake = FakeNotifyAPI(sending_after=0, delivered_after=0)
    user = fake.add_user(email_address="x@example.gov.uk")
    service = fake.add_service(user["id"])
    template = fake.add_template(service["id"], content="No placeholders")
    sent = fake.add_notification(service["id"], template["id"], "x@example.gov.uk")
    assert sent["status"] == "delivered"
    assert [n["id"] for n in fake.notifications_for(service["id"])] == [sent["id"]]


# --- jobs -------------------------------------------------------------------------------------


async def create_job(world: World, scheduled_for: str | None = None, count: int = 3) -> str:
    job_id = str(uuid.uuid4())
    world.fake.stage_upload(world.service_id, job_id, template_id=world.template_id,
                            original_file_name="march.csv", notification_count=count)
    with request_context(user_id=world.user_id):
        created = await world.notify.jobs.create_job(job_id, world.service_id, scheduled_for)
    assert created["data"]["id"] == job_id
    return job_id


async def test_a_job_runs_on_the_fake_clock(world: World) -> None:
    job_id = await create_job(world)
    job = (await world.notify.jobs.get_job(world.service_id, job_id))["data"]
    assert job["job_status"] == "pending"
    assert (job["original_file_name"], job["notification_count"]) == ("march.csv", 3)
    assert job["template"] == world.template_id
    assert job["created_by"]["id"] == world.user_id
    world.fake.advance(5)
    job = (await world.notify.jobs.get_job(world.service_id, job_id))["data"]
    assert job["job_status"] == "finished"
    assert job["notifications_delivered"] == 3


async def test_job_list_filters_by_status_and_pages(world: World) -> None:
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    scheduled = await create_job(world, scheduled_for=later)
    immediate = await create_job(world)
    jobs = world.notify.jobs
    everything = await jobs.get_jobs(world.service_id)
    assert [j["id"] for j in everything["data"]] == [immediate, scheduled]
    assert everything["total"] == 2
    assert everything["page_size"] == 50
    only = await jobs.get_jobs(world.service_id, statuses=["scheduled"])
    assert [j["id"] for j in only["data"]] == [scheduled]
    assert world.fake.requests[-1].query == (("page", "1"), ("statuses", "scheduled"))
    assert (await jobs.get_jobs(world.service_id, page=2))["data"] == []


async def test_only_a_scheduled_job_can_be_cancelled(world: World) -> None:
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    scheduled = await create_job(world, scheduled_for=later)
    cancelled = await world.notify.jobs.cancel_job(world.service_id, scheduled)
    assert cancelled["data"]["job_status"] == "cancelled"
    immediate = await create_job(world)
    with pytest.raises(NotFoundError):
        await world.notify.jobs.cancel_job(world.service_id, immediate)


async def test_create_job_needs_a_staged_upload_and_a_future_schedule(world: World) -> None:
    with request_context(user_id=world.user_id):
        with pytest.raises(BadRequestError) as caught:
            await world.notify.jobs.create_job(str(uuid.uuid4()), world.service_id)
        assert caught.value.message == {"id": ["No uploaded file for this job id"]}
        earlier = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
        with pytest.raises(BadRequestError) as caught:
            await create_job(world, scheduled_for=earlier)
    assert caught.value.message == {"scheduled_for": ["Date cannot be in the past"]}
