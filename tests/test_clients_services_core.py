"""Behaviour of ``notify.services`` methods in _service_core.py / _service_templates.py that the
catalogue-driven tests do not show: refused arguments, the update_status clock and limits, the
order of nested cache effects, archive_service's manual deletes, the template cache keys, join
requests, and reading a refused update's field errors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from types import MappingProxyType
from typing import Any

import httpx
import pytest
import respx

from notify_async import NotifyAdminClient, request_context
from notify_async.cache import MemoryCache
from notify_async.clients._service_core import utc_now
from notify_async.errors import (
    BadRequestError,
    ConfigurationError,
    InvalidArgumentError,
    MissingActingUserError,
)
from tests.conftest import make_client
from tests.harness import BASE_URL, USER_ID, sample_value

SERVICE_ID = sample_value("service_id")
TEMPLATE_ID = sample_value("template_id")
SERVICE_KEY = f"service-{SERVICE_ID}"
COUNTS_KEY = "live-service-and-organisation-counts"

Events = list[tuple[Any, ...]]


class RecordingCache(MemoryCache):
    """A MemoryCache that logs every invalidation into a shared event list."""

    def __init__(self, events: Events, fail_on_prefix: str | None = None) -> None:
        super().__init__()
        self.events = events
        self.fail_on_prefix = fail_on_prefix

    async def invalidate(
        self, keys: Sequence[str], patterns: Sequence[str], *, write: object = None
    ) -> None:
        self.events.append(("invalidate", *keys, *patterns))
        if self.fail_on_prefix and any(k.startswith(self.fail_on_prefix) for k in keys):
            raise ConnectionError("cache down")
        await super().invalidate(keys, patterns)


class Api:
    """respx answering every request with ``answer`` (``{"data": {}}`` by default) and logging
    each request into ``events``."""

    def __init__(self, router: respx.MockRouter, events: Events) -> None:
        self.router = router
        self.events = events
        self.answer = httpx.Response(200, json={"data": {}})
        router.route().mock(side_effect=self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.events.append((request.method, request.url.path))
        return self.answer

    @property
    def bodies(self) -> list[Any]:
        return [json.loads(call.request.content) for call in self.router.calls]

    @property
    def count(self) -> int:
        return len(self.router.calls)


@pytest.fixture
def events() -> Events:
    return []


@pytest.fixture
def api(events: Events) -> Iterator[Api]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield Api(router, events)


def _acting() -> Any:
    return request_context(user_id=USER_ID)


# --- update_service ------------------------------------------------------------------------------


async def test_update_service_refuses_unknown_attributes_before_sending(
    events: Events, api: Api
) -> None:
    notify = make_client(RecordingCache(events))
    with _acting(), pytest.raises(InvalidArgumentError) as raised:
        await notify.services.update_service(
            SERVICE_ID, name="ok", colour="red", owner_email="someone@example.gov.uk"
        )
    assert isinstance(raised.value, TypeError)
    assert str(raised.value) == "Not allowed to update service attributes: colour, owner_email"
    assert "someone@example.gov.uk" not in str(raised.value)
    # Refused before sending: the cache is not touched (the original had already cleared the key).
    assert events == []


async def test_update_service_refuses_explicit_created_by_with_a_clear_error(api: Api) -> None:
    notify = make_client()
    with _acting(), pytest.raises(InvalidArgumentError, match="request_context"):
        await notify.services.update_service(SERVICE_ID, created_by=USER_ID, name="New name")
    assert api.count == 0


async def test_update_service_needs_an_acting_user(api: Api) -> None:
    with pytest.raises(MissingActingUserError, match="update_service"):
        await make_client().services.update_service(SERVICE_ID, name="New name")
    assert api.count == 0


async def test_update_service_sends_created_by_first_then_the_attributes(api: Api) -> None:
    with _acting():
        await make_client().services.update_service(SERVICE_ID, restricted=False, name="New")
    assert api.bodies == [{"created_by": USER_ID, "restricted": False, "name": "New"}]
    assert list(api.bodies[0]) == ["created_by", "restricted", "name"]


async def test_parse_edit_service_http_error_reads_a_refused_update(api: Api) -> None:
    api.answer = httpx.Response(
        400, json={"result": "error", "message": {"name": ["Duplicate service name 'Example'"]}}
    )
    services = make_client().services
    with _acting(), pytest.raises(BadRequestError) as raised:
        await services.update_service(SERVICE_ID, name="Example")
    assert services.parse_edit_service_http_error(raised.value) == (
        "This service name is already in use - enter a unique name"
    )
    assert services.parse_custom_email_sender_name_http_error(raised.value) is None


# --- update_status / update_count_as_live --------------------------------------------------------


async def test_update_status_stamps_go_live_at_with_the_injected_clock_in_utc(api: Api) -> None:
    services = make_client().services
    london_summer = dt.timezone(dt.timedelta(hours=1))
    services._utc_now = lambda: dt.datetime(2024, 4, 1, 10, 30, 5, 120, tzinfo=london_summer)
    with _acting():
        await services.update_status(SERVICE_ID, live=True)
    assert api.bodies[0]["go_live_at"] == "2024-04-01 09:30:05.000120"


async def test_update_status_go_live_at_omits_zero_microseconds(api: Api) -> None:
    services = make_client().services
    services._utc_now = lambda: dt.datetime(2024, 4, 1, 9, 30, tzinfo=dt.UTC)
    with _acting():
        await services.update_status(SERVICE_ID, True)
    assert api.bodies[0]["go_live_at"] == "2024-04-01 09:30:00"


def test_default_clock_is_aware_utc_now() -> None:
    before = dt.datetime.now(dt.UTC)
    now = make_client().services._utc_now()
    assert now.tzinfo is dt.UTC
    assert before <= now <= utc_now()


@pytest.mark.parametrize(
    ("live", "limits"),
    [(True, {"email": 11, "sms": 22, "letter": 33}), (False, {"email": 7, "sms": 7, "letter": 7})],
    ids=["live", "trial"],
)
async def test_update_status_takes_limits_from_the_config(
    api: Api, live: bool, limits: dict[str, int]
) -> None:
    notify = make_client(
        default_service_limit=7,
        default_live_service_rate_limits={"email": 11, "sms": 22, "letter": 33},
    )
    with _acting():
        await notify.services.update_status(SERVICE_ID, live)
    body = api.bodies[0]
    assert {c: body[f"{c}_message_limit"] for c in limits} == limits
    assert "international_sms_message_limit" not in body
    assert body["restricted"] is (not live)


@pytest.mark.parametrize(
    ("method", "args"),
    [("update_status", (True,)), ("update_count_as_live", (False,))],
)
async def test_status_changes_nest_the_service_delete_inside_the_counts_delete(
    events: Events, api: Api, method: str, args: tuple[Any, ...]
) -> None:
    notify = make_client(RecordingCache(events))
    with _acting():
        await getattr(notify.services, method)(SERVICE_ID, *args)
    counts, service = ("invalidate", COUNTS_KEY), ("invalidate", SERVICE_KEY)
    assert events == [counts, service, ("POST", f"/service/{SERVICE_ID}"), service, counts]


# --- get_active_services -------------------------------------------------------------------------


async def test_get_active_services_leaves_the_callers_mapping_unchanged(api: Api) -> None:
    params = {"detailed": True}
    read_only = MappingProxyType({"user_id": USER_ID})
    await make_client().services.get_active_services(params)
    await make_client().services.get_active_services(read_only)
    assert params == {"detailed": True}
    queries = [str(call.request.url.query, "ascii") for call in api.router.calls]
    assert queries == ["detailed=True&only_active=True", f"user_id={USER_ID}&only_active=True"]


# --- archive_service -----------------------------------------------------------------------------


async def test_archive_service_drops_members_raw_user_keys_before_the_post(
    events: Events, api: Api
) -> None:
    cache = RecordingCache(events)
    upper = sample_value("member_id").upper()
    for key in (f"user-{upper}", f"user-{upper.lower()}", f"{SERVICE_KEY}-templates"):
        await cache.set(key, b'"stale"', 600)
    await make_client(cache).services.archive_service(SERVICE_ID, [upper, "plain-id"])

    service, templates = ("invalidate", SERVICE_KEY), ("invalidate", f"{SERVICE_KEY}-template*")
    users = ("invalidate", f"user-{upper}", "user-plain-id")
    assert events == [
        users, service, templates, ("POST", f"/service/{SERVICE_ID}/archive"), templates, service
    ]
    assert api.router.calls[0].request.content == b""
    # Manual keys are not normalised (as the original): the lower-case twin survives.
    assert await cache.get(f"user-{upper}") is None
    assert await cache.get(f"user-{upper.lower()}") == b'"stale"'
    assert await cache.get(f"{SERVICE_KEY}-templates") is None


async def test_archive_service_still_archives_when_the_manual_delete_fails(
    events: Events, api: Api
) -> None:
    cache = RecordingCache(events, fail_on_prefix="user-")
    result = await make_client(cache).services.archive_service(SERVICE_ID, ["member"])
    assert result is None
    assert ("POST", f"/service/{SERVICE_ID}/archive") in events


# --- members -------------------------------------------------------------------------------------


async def test_remove_user_from_service_sends_created_by_in_a_delete_body(
    events: Events, api: Api
) -> None:
    user_id = sample_value("user_id")
    with _acting():
        await make_client(RecordingCache(events)).services.remove_user_from_service(
            SERVICE_ID, user_id
        )
    path = f"/service/{SERVICE_ID}/users/{user_id}"
    service, user = ("invalidate", SERVICE_KEY), ("invalidate", f"user-{user_id}")
    assert events == [service, user, ("DELETE", path), user, service]
    assert api.bodies == [{"created_by": USER_ID}]


# --- templates -----------------------------------------------------------------------------------


async def test_latest_template_is_cached_under_version_none_and_cleared_by_a_change(
    api: Api,
) -> None:
    cache = MemoryCache()
    notify = make_client(cache)
    other = sample_value("other_template_id")
    prefix = f"{SERVICE_KEY}-template-{TEMPLATE_ID}"
    await notify.services.get_service_template(SERVICE_ID, TEMPLATE_ID)
    await notify.services.get_service_template(SERVICE_ID, TEMPLATE_ID, 2)
    await notify.services.get_service_template(SERVICE_ID, other)
    await notify.services.get_service_templates(SERVICE_ID)
    assert await cache.get(f"{prefix}-version-None") is not None
    assert await cache.get(f"{prefix}-version-2") is not None

    with _acting():
        await notify.services.update_service_template(SERVICE_ID, TEMPLATE_ID, name="Renamed")
    assert await cache.get(f"{prefix}-version-None") is None
    assert await cache.get(f"{prefix}-version-2") is None
    assert await cache.get(f"{SERVICE_KEY}-templates") is None
    assert await cache.get(f"{SERVICE_KEY}-template-{other}-version-None") is not None


async def test_template_change_clears_the_list_then_the_template_around_the_post(
    events: Events, api: Api
) -> None:
    with _acting():
        await make_client(RecordingCache(events)).services.redact_service_template(
            SERVICE_ID, TEMPLATE_ID
        )
    listing = ("invalidate", f"{SERVICE_KEY}-templates")
    template = ("invalidate", f"{SERVICE_KEY}-template-{TEMPLATE_ID}*")
    post = ("POST", f"/service/{SERVICE_ID}/template/{TEMPLATE_ID}")
    assert events == [listing, template, post, template, listing]


@pytest.mark.parametrize("refused", ["archived", "created_by", "reply_to"])
async def test_update_service_template_refuses_other_attributes_before_sending(
    events: Events, api: Api, refused: str
) -> None:
    notify = make_client(RecordingCache(events))
    with _acting(), pytest.raises(InvalidArgumentError, match=refused):
        await notify.services.update_service_template(
            SERVICE_ID, TEMPLATE_ID, name="ok", **{refused: True}
        )
    # Refused before sending: neither cache effect runs (the original had already cleared both).
    assert events == []


async def test_template_writes_need_an_acting_user(api: Api) -> None:
    with pytest.raises(MissingActingUserError, match="create_service_template"):
        await make_client().services.create_service_template(
            name="Welcome", type_="sms", content="Hello", service_id=SERVICE_ID
        )
    assert api.count == 0


# --- join requests -------------------------------------------------------------------------------


async def test_join_request_needs_the_admin_base_url(api: Api) -> None:
    notify = NotifyAdminClient(BASE_URL, "notify-admin", "x" * 32, cache=MemoryCache())
    with pytest.raises(ConfigurationError, match="admin_base_url"):
        await notify.services.create_service_join_request(
            sample_value("user_id"), service_id=SERVICE_ID, service_managers_ids=[], reason="hi"
        )
    assert api.count == 0


async def test_join_request_is_cached_by_its_id_alone(api: Api) -> None:
    services = make_client().services
    request_id = sample_value("request_id")
    first = await services.get_service_join_request(request_id, SERVICE_ID)
    again = await services.get_service_join_request(request_id, sample_value("other_service_id"))
    assert again == first
    assert api.count == 1


async def test_answering_a_join_request_clears_request_requester_and_folders(
    events: Events, api: Api
) -> None:
    request_id, requester_id = sample_value("request_id"), sample_value("requester_id")
    await make_client(RecordingCache(events)).services.update_service_join_requests(
        request_id, requester_id, SERVICE_ID, status="rejected"
    )
    deletes = [
        ("invalidate", f"service-join-request-{request_id}"),
        ("invalidate", f"user-{requester_id}"),
        ("invalidate", f"{SERVICE_KEY}-template-folders"),
    ]
    post = ("POST", f"/service/{SERVICE_ID}/service-join-request/{request_id}")
    assert events == [*deletes, post, *reversed(deletes)]
    assert api.bodies == [{"status": "rejected"}]
