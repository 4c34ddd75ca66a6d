"""The fake's status endpoints, a service's history and guest list, and password checks,
driven through the SDK."""

from __future__ import annotations

import httpx
import pytest

from notify_async import request_context
from notify_async.errors import BadRequestError
from tests.fake_support import World, make_world

PASSWORD = "not-a-real-password-123"  # FakeNotifyAPI.add_user's default


@pytest.fixture
def world() -> World:
    return make_world()


async def test_status_is_ok(world: World) -> None:
    status = await world.notify.status.get_status()
    assert status["status"] == "ok"
    assert set(status) == {"build_time", "db_bulk_version", "db_version", "git_commit", "status"}


async def test_simple_status_is_only_ok(world: World) -> None:
    assert await world.notify.status.get_status({"simple": True}) == {"status": "ok"}


async def test_status_needs_no_admin_token_as_in_the_real_api(world: World) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=world.fake),
                                 base_url="http://fake") as http:
        answer = await http.get("/_status")
        guarded = await http.get(f"/service/{world.service_id}")
    assert answer.status_code == 200
    assert guarded.status_code == 401


async def test_live_counts_count_active_services_out_of_trial_mode(world: World) -> None:
    world.fake.add_service(world.user_id, "Live service", restricted=False)
    counts = await world.notify.status.get_count_of_live_services_and_organisations()
    assert counts == {"organisations": 0, "services": 1}


async def test_service_history_has_one_version_per_change(world: World) -> None:
    with request_context(user_id=world.user_id):
        await world.notify.services.update_service(world.service_id, name="Renamed")
    history = await world.notify.services.get_service_history(world.service_id)
    versions = history["service_history"]
    assert [(v["version"], v["name"]) for v in versions] == [
        (1, "Analytical Engines"), (2, "Renamed"),
    ]
    assert versions[1]["created_by_id"] == world.user_id
    assert versions[0]["updated_at"] is None
    assert versions[1]["updated_at"] is not None


async def test_service_history_records_api_keys_made_and_revoked(world: World) -> None:
    with request_context(user_id=world.user_id):
        await world.notify.api_keys.create_api_key(world.service_id, "ci", "normal")
        (key,) = (await world.notify.api_keys.get_api_keys(world.service_id))["apiKeys"]
        await world.notify.api_keys.revoke_api_key(world.service_id, key["id"])
    history = await world.notify.services.get_service_history(world.service_id)
    keys = history["api_key_history"]
    assert [(k["id"], k["version"], k["expiry_date"] is None) for k in keys] == [
        (key["id"], 1, True), (key["id"], 2, False),
    ]


async def test_a_new_guest_list_is_empty(world: World) -> None:
    assert await world.notify.services.get_guest_list(world.service_id) == {
        "email_addresses": [], "phone_numbers": [],
    }


async def test_guest_list_is_replaced_and_read_back(world: World) -> None:
    wanted = {"email_addresses": ["guest@example.gov.uk"], "phone_numbers": ["07700900456"]}
    await world.notify.services.update_guest_list(world.service_id, wanted)
    assert await world.notify.services.get_guest_list(world.service_id) == wanted


async def test_guest_list_refuses_an_entry_that_is_no_address_and_keeps_the_old_one(
    world: World,
) -> None:
    kept = {"email_addresses": ["guest@example.gov.uk"], "phone_numbers": []}
    await world.notify.services.update_guest_list(world.service_id, kept)
    with pytest.raises(BadRequestError, match="not a valid email address or phone number"):
        await world.notify.services.update_guest_list(
            world.service_id, {"email_addresses": ["nobody"], "phone_numbers": []}
        )
    assert await world.notify.services.get_guest_list(world.service_id) == kept


async def test_a_trial_mode_service_may_send_to_its_guest_list(world: World) -> None:
    await world.notify.services.update_guest_list(
        world.service_id, {"email_addresses": ["guest@example.gov.uk"], "phone_numbers": []}
    )
    with request_context(user_id=world.user_id):
        sent = await world.notify.notifications.send_notification(
            world.service_id, template_id=world.template_id, recipient="guest@example.gov.uk",
            personalisation={"name": "Guest"}, sender_id=None,
        )
        with pytest.raises(BadRequestError, match="trial mode"):
            await world.notify.notifications.send_notification(
                world.service_id, template_id=world.template_id,
                recipient="stranger@example.gov.uk", personalisation={"name": "No"},
                sender_id=None,
            )
    assert sent["id"]


async def test_verify_password_accepts_the_users_password(world: World) -> None:
    assert await world.notify.users.verify_password(world.user_id, PASSWORD) is True


async def test_verify_password_refuses_another_and_counts_the_failure(world: World) -> None:
    assert await world.notify.users.verify_password(world.user_id, "a wrong guess") is False
    assert world.fake.user(world.user_id)["failed_login_count"] == 1
    assert world.fake.requests[-1].status == 400
    assert await world.notify.users.verify_password(world.user_id, PASSWORD) is True
    assert world.fake.user(world.user_id)["failed_login_count"] == 0
